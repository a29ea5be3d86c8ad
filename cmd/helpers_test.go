package cmd

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// newTestEmulator serves an emulator configured by cfg on a loopback test
// server that is closed when t ends, and returns it with its base URL.
func newTestEmulator(t testing.TB, cfg emulator.Config) (*emulator.Server, string) {
	t.Helper()
	emu, srv := startTestEmulator(t, cfg)
	return emu, srv.URL
}

// startTestEmulator is newTestEmulator for a test that stops the server
// itself, to play an emulator or a Kakao that has gone away; it is closed
// at the end of the test otherwise.
func startTestEmulator(t testing.TB, cfg emulator.Config) (*emulator.Server, *httptest.Server) {
	t.Helper()
	emu := emulator.New(cfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv
}

// freeRedirect is a loopback redirect URI on a port free right now. A test
// that logs in for real uses it, never the default port 8765: a person's
// own login, or another test, may hold that one.
func freeRedirect(t *testing.T) string {
	t.Helper()
	return "http://127.0.0.1:" + mustFreePort(t) + "/callback"
}

// noRedirects stops at the first redirect, as a test stepping through
// the authorize flow by hand needs.
var noRedirects = stoppingAtRedirects(&http.Client{Timeout: 10 * time.Second})

// authorizeURLBehind opens a login's one-time start link, as the browser
// would, and returns the authorize URL it redirects to.
func authorizeURLBehind(link string) (*url.URL, error) {
	resp, err := noRedirects.Get(link)
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	return url.Parse(resp.Header.Get("Location"))
}

// stoppingAtRedirects is a copy of c (its cookies, say) that stops at the
// first redirect.
func stoppingAtRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}
