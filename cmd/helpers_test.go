package cmd

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// newTestEmulator serves an emulator configured by cfg on a loopback test
// server that is closed when t ends, and returns it with its base URL.
func newTestEmulator(t testing.TB, cfg emulator.Config) (*emulator.Server, string) {
	t.Helper()
	emu := emulator.New(cfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
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
var noRedirects = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}
