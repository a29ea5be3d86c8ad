package authflow

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// logoutHarness is an emulator with a logout redirect URI registered on a
// free loopback port, and a person's browser that stays signed in to it
// (one cookie jar).
type logoutHarness struct {
	emu      *emulator.Server
	base     string
	callback string // login redirect URI (nothing listens there)
	logout   string // logout redirect URI
	ua       *emulator.UserAgent
	opts     LogoutOptions
	stderr   *syncBuffer
	pages    chan *emulator.Page
}

// browse opens url in the person's browser, keeping the page it ends on.
func (h *logoutHarness) browse(ctx context.Context, url string) error {
	p, err := h.ua.Visit(ctx, url)
	h.pages <- p
	return err
}

// lastPage is the page the browser ended on.
func (h *logoutHarness) lastPage(t *testing.T) *emulator.Page {
	t.Helper()
	select {
	case p := <-h.pages:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the browser never finished")
		return nil
	}
}

func newLogoutHarness(t *testing.T, register bool) *logoutHarness {
	t.Helper()
	callback := "http://127.0.0.1:" + freePort(t) + "/callback"
	logout := "http://127.0.0.1:" + freePort(t) + "/logout"
	cfg := emulator.Config{RedirectURIs: []string{callback}, LogoutRedirectURIs: []string{"http://127.0.0.1:1/elsewhere"}}
	if register {
		cfg.LogoutRedirectURIs = []string{logout}
	}
	emu := emulator.New(cfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil) // never fails without options
	h := &logoutHarness{
		emu: emu, base: srv.URL, callback: callback, logout: logout,
		ua:     &emulator.UserAgent{Client: &http.Client{Jar: jar, Timeout: 10 * time.Second}},
		stderr: &syncBuffer{},
		pages:  make(chan *emulator.Page, 1),
	}
	h.opts = LogoutOptions{ClientID: emulator.DefaultClientID, AuthURL: srv.URL, RedirectURI: logout, Timeout: 10 * time.Second, Stderr: h.stderr}
	return h
}

func TestAccountLogout_EndsTheBrowsersKakaoSession(t *testing.T) {
	h := newLogoutHarness(t, true)
	signIn(t, h)
	h.opts.Open = h.browse
	if err := AccountLogout(t.Context(), h.opts); err != nil {
		t.Fatalf("AccountLogout() = %v; stderr:\n%s", err, h.stderr)
	}
	page := h.lastPage(t)
	if page == nil || page.StatusCode != http.StatusOK || !strings.Contains(page.Body, "You are logged out of Kakao") || !strings.HasPrefix(page.URL, h.logout+"?state=") {
		t.Errorf("the browser ended on %+v, want the logged-out page at the logout redirect URI", page)
	}
	if got := h.emu.Stats().AccountLogouts; got != 1 {
		t.Errorf("AccountLogouts = %d, want 1", got)
	}
	if q := promptNone(t, h); q.Get("error") != "login_required" {
		t.Errorf("prompt=none after the logout: %v, want login_required", q)
	}
	for _, want := range []string{strings.TrimSuffix(h.logout, "/logout") + "/start/", "Waiting for the browser to come back to " + h.logout} {
		if !strings.Contains(h.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, h.stderr)
		}
	}
	// The port is free again at once.
	ln, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(h.logout, "http://"), "/logout"))
	if err != nil {
		t.Errorf("the logout redirect URI's port is still taken: %v", err)
	} else {
		ln.Close()
	}
}

// signIn logs the person's browser in to the emulator, so that a
// prompt=none login succeeds.
func signIn(t *testing.T, h *logoutHarness) {
	t.Helper()
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: h.callback, AuthURL: h.base}
	// The last hop, to the callback where nothing listens, fails: the
	// session cookie is set by then.
	_, _ = h.ua.Visit(t.Context(), c.AuthorizeURL(kakao.AuthorizeRequest{State: "s", Verifier: kakao.NewVerifier()}))
	if q := promptNone(t, h); q.Get("code") == "" {
		t.Fatalf("prompt=none after signing in: %v, want a code", q)
	}
}

// promptNone runs a prompt=none authorize in the person's browser and
// returns the query it redirects to the app with.
func promptNone(t *testing.T, h *logoutHarness) url.Values {
	t.Helper()
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: h.callback, AuthURL: h.base}
	resp, err := stoppingAtRedirects(h.ua.Client).Get(c.AuthorizeURL(kakao.AuthorizeRequest{State: "s", Verifier: kakao.NewVerifier(), Prompt: []string{"none"}}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc.Query()
}

// Anything reaching the listener without the logout's state (an old tab,
// another page) is answered and ignored: the logout goes on waiting.
func TestAccountLogout_AnswersWithoutItsStateAreIgnored(t *testing.T) {
	h := newLogoutHarness(t, true)
	h.opts.Timeout = 2 * time.Second
	type answer struct {
		status int
		body   string
	}
	answers := make(chan answer, 3)
	h.opts.Open = func(ctx context.Context, u string) error {
		for _, path := range []string{"/logout?state=forged", "/logout", "/elsewhere?state=" + mustParse(t, u).Query().Get("state")} {
			resp, err := http.Get(strings.TrimSuffix(h.logout, "/logout") + path)
			if err != nil {
				return err
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			answers <- answer{resp.StatusCode, string(body)}
		}
		return nil
	}
	err := AccountLogout(t.Context(), h.opts)
	var te *LogoutTimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("AccountLogout() = %v, want a LogoutTimeoutError", err)
	}
	for _, want := range []answer{{http.StatusBadRequest, "not for the running kakao-auth"}, {http.StatusBadRequest, "not for the running kakao-auth"}, {http.StatusNotFound, "not found"}} {
		got := <-answers
		if got.status != want.status || !strings.Contains(got.body, want.body) {
			t.Errorf("answer %d %q, want %d with %q", got.status, got.body, want.status, want.body)
		}
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// A logout redirect URI the app has not registered: Kakao shows KOE007 on
// its own page and never sends the browser back, so the wait times out with
// a hint naming KOE007 and the URI, and the session is not ended.
func TestAccountLogout_UnregisteredURITimesOutPointingAtKOE007(t *testing.T) {
	h := newLogoutHarness(t, false)
	signIn(t, h)
	h.opts.Timeout = time.Second
	h.opts.Open = h.browse
	err := AccountLogout(t.Context(), h.opts)
	var te *LogoutTimeoutError
	if !errors.As(err, &te) || !strings.Contains(te.Hint(), "KOE007") || !strings.Contains(te.Hint(), h.logout) {
		t.Fatalf("AccountLogout() = %v, want a LogoutTimeoutError whose hint names KOE007 and %s", err, h.logout)
	}
	if page := h.lastPage(t); page == nil || !strings.Contains(page.Body, "KOE007") {
		t.Errorf("the browser shows %+v, want Kakao's KOE007 page", page)
	}
	if q := promptNone(t, h); q.Get("code") == "" {
		t.Errorf("prompt=none: %v; the session should still be there", q)
	}
}

func TestAccountLogout_FailsBeforeOpeningTheBrowser(t *testing.T) {
	h := newLogoutHarness(t, true)
	busy, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(h.logout, "http://"), "/logout"))
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		uri   string
		check func(error) bool
	}{
		{h.logout, func(err error) bool { var e *LogoutPortInUseError; return errors.As(err, &e) }},
		{"https://app.example.com/logout", func(err error) bool { var e *RedirectError; return errors.As(err, &e) }},
		{"http://localhost/logout", func(err error) bool { var e *RedirectError; return errors.As(err, &e) }},
	} {
		t.Run(tt.uri, func(t *testing.T) {
			opened := false
			o := h.opts
			o.RedirectURI = tt.uri
			o.Open = func(context.Context, string) error { opened = true; return nil }
			err := AccountLogout(t.Context(), o)
			if !tt.check(err) || opened {
				t.Errorf("AccountLogout() = %v, browser opened %v", err, opened)
			}
		})
	}
}

// Ctrl-C ends the wait at once, and the port is released.
func TestAccountLogout_InterruptEndsTheWait(t *testing.T) {
	h := newLogoutHarness(t, true)
	ctx, cancel := context.WithCancel(t.Context())
	h.opts.Open = func(context.Context, string) error { cancel(); return nil }
	err := AccountLogout(ctx, h.opts)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("AccountLogout() = %v, want context.Canceled", err)
	}
	ln, err := net.Listen("tcp", strings.TrimSuffix(strings.TrimPrefix(h.logout, "http://"), "/logout"))
	if err != nil {
		t.Errorf("the port is still taken: %v", err)
	} else {
		ln.Close()
	}
}
