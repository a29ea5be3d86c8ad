package authflow

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// noFollow is a client that stops at the first redirect: another local
// user who wants the Location of the start link, not Kakao's page.
var noFollow = stoppingAtRedirects(&http.Client{Timeout: 10 * time.Second})

// get GETs u without following a redirect and returns the response with
// its body read.
func get(t *testing.T, u string) (*http.Response, string) {
	t.Helper()
	resp, err := noFollow.Get(u)
	if err != nil {
		t.Errorf("GET %s: %v", u, err)
		return nil, ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// secretsOf are the values of a login that must stay out of every
// process's arguments: the state, the PKCE challenge and the nonce.
func secretsOf(sess *session.Session) map[string]string {
	return map[string]string{
		"state":          sess.State,
		"code_challenge": oauth2.S256ChallengeFromVerifier(sess.Verifier),
		"nonce":          sess.Nonce,
	}
}

// The browser is opened on a one-time link of the login's own listener,
// on the redirect URI's host and port, that carries none of the values
// another user could answer the login with; its first GET redirects to
// the authorize URL, with no cache and no referrer.
func TestLogin_BrowserGetsAOneTimeLinkWithoutTheState(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	redirect, _ := url.Parse(h.redirect)
	var opened string
	var first *http.Response
	h.opts.Open = func(ctx context.Context, u string) error {
		opened = u
		first, _ = get(t, u)
		if first == nil {
			return errors.New("no answer")
		}
		return h.person(emulator.Agree)(ctx, first.Header.Get("Location"))
	}
	res, err := Login(t.Context(), h.opts)
	if err != nil {
		t.Fatalf("Login() = %v\nstderr:\n%s", err, h.stderr)
	}
	for name, value := range secretsOf(res.Session) {
		if strings.Contains(opened, value) || strings.Contains(opened, name+"=") {
			t.Errorf("the browser was opened on %s, which carries the %s", opened, name)
		}
	}
	link, err := url.Parse(opened)
	if err != nil || link.Scheme != "http" || link.Host != redirect.Host || !strings.HasPrefix(link.Path, "/start/") || len(link.Path) < len("/start/")+43 {
		t.Errorf("the browser was opened on %q, want http://%s/start/ and 256 random bits", opened, redirect.Host)
	}
	if first.StatusCode != http.StatusSeeOther || first.Header.Get("Cache-Control") != "no-store" || first.Header.Get("Referrer-Policy") != "no-referrer" {
		t.Errorf("the start link answered %s, Cache-Control %q, Referrer-Policy %q; want 303, no-store, no-referrer", first.Status, first.Header.Get("Cache-Control"), first.Header.Get("Referrer-Policy"))
	}
	loc, _ := url.Parse(first.Header.Get("Location"))
	if loc == nil || !strings.HasPrefix(loc.String(), h.base+"/oauth/authorize?") || loc.Query().Get("state") != res.Session.State {
		t.Errorf("the start link redirects to %q, want this login's authorize URL", first.Header.Get("Location"))
	}
	if !strings.Contains(h.stderr.String(), opened) || strings.Contains(h.stderr.String(), res.Session.State) {
		t.Errorf("stderr should show the link, not the authorize URL:\n%s", h.stderr)
	}
	h.assertCleanedUp(t)
}

// Another user who reads the link in ps and opens it first gets the
// state; the person's browser comes second, gets an error page, and the
// login ends saying why, instead of waiting for the other user's answer.
func TestLogin_SecondRequestForTheStartLinkEndsTheLogin(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	var stolen, second *http.Response
	var page string
	opened := make(chan struct{})
	h.opts.Open = func(ctx context.Context, u string) error {
		defer close(opened)
		stolen, _ = get(t, u)    // the other user
		second, page = get(t, u) // the person's browser
		return nil
	}
	start := time.Now()
	_, err := Login(t.Context(), h.opts)
	<-opened
	var se *StartReusedError
	if !errors.As(err, &se) || se.LaunchFailed {
		t.Fatalf("Login() = %v, want a StartReusedError\nstderr:\n%s", err, h.stderr)
	}
	if took := time.Since(start); took > h.opts.Timeout/2 {
		t.Errorf("the login took %s to end, as if it waited for an answer", took)
	}
	if stolen == nil || stolen.StatusCode != http.StatusSeeOther {
		t.Fatalf("the first request got %v, want the redirect", stolen)
	}
	if second == nil || second.StatusCode != http.StatusConflict || second.Header.Get("Location") != "" || !strings.Contains(page, "This link was already used") {
		t.Errorf("the second request got %v:\n%s\nwant a 409 page saying the link was used", second, page)
	}
	for _, want := range []string{"opened a second time", "someone else on this machine"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error %q does not say %q", err, want)
		}
	}
	if !strings.Contains(se.Hint(), "--no-browser") {
		t.Errorf("the hint %q does not offer --no-browser", se.Hint())
	}
	h.assertCleanedUp(t)
}

// A failed launch withdraws the link and prints the authorize URL for the
// person: a later request for the link gets a page without the state, and
// the login goes on. A link used before the launch failed ends it.
func TestLogin_FailedLaunchWithdrawsTheStartLink(t *testing.T) {
	t.Run("unused", func(t *testing.T) {
		h := newHarness(t, emulator.Config{AutoApprove: true})
		links := make(chan string, 1)
		h.opts.Open = func(_ context.Context, u string) error { links <- u; return launchError{} }
		done := make(chan error, 1)
		go func() { _, err := Login(t.Context(), h.opts); done <- err }()
		link := <-links
		waitForText(t, h, "Open this URL in a browser yourself")
		resp, page := get(t, link)
		if resp == nil || resp.StatusCode != http.StatusGone || resp.Header.Get("Location") != "" || strings.Contains(page, "state=") {
			t.Errorf("the withdrawn link answered %v:\n%s", resp, page)
		}
		if _, err := (&emulator.UserAgent{}).Visit(t.Context(), authURLFrom(h.stderr.String())); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Login() = %v, want success with the printed URL\nstderr:\n%s", err, h.stderr)
		}
	})
	t.Run("used", func(t *testing.T) {
		h := newHarness(t, emulator.Config{})
		h.opts.Open = func(_ context.Context, u string) error {
			get(t, u)
			return launchError{}
		}
		_, err := Login(t.Context(), h.opts)
		var se *StartReusedError
		if !errors.As(err, &se) || !se.LaunchFailed {
			t.Fatalf("Login() = %v, want a StartReusedError after the launch\nstderr:\n%s", err, h.stderr)
		}
		h.assertCleanedUp(t)
	})
}

// Paste-back and a machine without a browser print the authorize URL
// itself, and the listener serves no start link.
func TestLogin_NoStartLinkWithoutABrowser(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.NoBrowserReason = "neither DISPLAY nor WAYLAND_DISPLAY is set"
	h.opts.Timeout = 500 * time.Millisecond
	h.opts.Open = func(context.Context, string) error { t.Error("Open was called"); return nil }
	var te *TimeoutError
	if _, err := Login(t.Context(), h.opts); !errors.As(err, &te) {
		t.Fatalf("Login() = %v, want a timeout", err)
	}
	if out := h.stderr.String(); authURLFrom(out) == "" || strings.Contains(out, "/start/") {
		t.Errorf("want the authorize URL and no start link:\n%s", out)
	}
}

// logout --kakao-account opens the browser on a one-time link too: Kakao's
// logout URL, with its state, stays out of the browser's arguments, and a
// second request ends the logout.
func TestAccountLogout_BrowserGetsAOneTimeLink(t *testing.T) {
	t.Run("first", func(t *testing.T) {
		h := newLogoutHarness(t, true)
		var opened string
		h.opts.Open = func(ctx context.Context, u string) error { opened = u; return h.browse(ctx, u) }
		if err := AccountLogout(t.Context(), h.opts); err != nil {
			t.Fatalf("AccountLogout() = %v; stderr:\n%s", err, h.stderr)
		}
		page := h.lastPage(t)
		state := ""
		if u, err := url.Parse(page.URL); err == nil {
			state = u.Query().Get("state")
		}
		logout, _ := url.Parse(h.logout)
		if state == "" || strings.Contains(opened, state) || strings.Contains(opened, "state=") || !strings.HasPrefix(opened, "http://"+logout.Host+"/start/") {
			t.Errorf("the browser was opened on %q (the logout's state is %q), want a start link on %s", opened, state, logout.Host)
		}
	})
	t.Run("second", func(t *testing.T) {
		h := newLogoutHarness(t, true)
		var second *http.Response
		var page string
		opened := make(chan struct{})
		h.opts.Open = func(ctx context.Context, u string) error {
			defer close(opened)
			get(t, u)
			second, page = get(t, u)
			return nil
		}
		err := AccountLogout(t.Context(), h.opts)
		<-opened
		var se *StartReusedError
		if !errors.As(err, &se) || se.What != "logout" {
			t.Fatalf("AccountLogout() = %v, want a StartReusedError\nstderr:\n%s", err, h.stderr)
		}
		if second == nil || second.StatusCode != http.StatusConflict || !strings.Contains(page, "stopped the logout") {
			t.Errorf("the second request got %v:\n%s", second, page)
		}
		if got := h.emu.Stats().AccountLogouts; got != 0 {
			t.Errorf("AccountLogouts = %d, want 0", got)
		}
	})
}
