package emulator

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// logoutURI is the env's logout redirect URI: the app listener, /logout.
func (e *env) logoutURI() string {
	return strings.TrimSuffix(e.callback, "/callback") + "/logout"
}

// accountLogoutURL is a /oauth/logout URL; kv pairs override parameters,
// and an empty value removes one.
func (e *env) accountLogoutURL(kv ...string) string {
	q := withPairs(url.Values{"client_id": {DefaultClientID}, "logout_redirect_uri": {e.logoutURI()}}, kv...)
	return e.url + "/oauth/logout?" + q.Encode()
}

// promptNone runs ua through a prompt=none login and returns the query the
// app received.
func (e *env) promptNone(t *testing.T, ua *UserAgent) url.Values {
	t.Helper()
	p, err := ua.Visit(t.Context(), e.authorizeURL("prompt", "none"))
	if err != nil {
		t.Fatal(err)
	}
	return queryOf(t, p.URL)
}

// Kakao's "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount:
// /oauth/logout ends the browser's Kakao Account session and sends it to
// logout_redirect_uri with state; the next login must sign in again
// (prompt=none: login_required). Tokens are left alone. This holds with one
// user as with several.
func TestAccountLogout_EndsTheSessionAndRedirectsWithState(t *testing.T) {
	for _, tt := range []struct {
		name string
		cfg  Config
	}{{"one user", Config{}}, {"several users", twoUsers()}} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			e.s.RegisterLogoutRedirectURI(e.logoutURI())
			ua := &UserAgent{Client: browser(), User: "ryan@example.com"}
			tok := e.exchange(t, e.visit(t, ua))
			if q := e.promptNone(t, ua); q.Get("code") == "" {
				t.Fatalf("prompt=none before logout: %v, want a code", q)
			}

			p, err := ua.Visit(t.Context(), e.accountLogoutURL("state", "bye 1"))
			if err != nil {
				t.Fatal(err)
			}
			if want := e.logoutURI() + "?state=bye%201"; p.URL != want || p.StatusCode != http.StatusOK {
				t.Errorf("logout ended at %q (%d), want %q", p.URL, p.StatusCode, want)
			}
			if q := e.promptNone(t, ua); q.Get("error") != "login_required" {
				t.Errorf("prompt=none after logout: %v, want login_required", q)
			}
			if r := e.bearer(t, http.MethodGet, "/v2/user/me", tok["access_token"].(string)); r.status != http.StatusOK {
				t.Errorf("access token after account logout: %d, want still valid", r.status)
			}
			if got := e.s.Stats().AccountLogouts; got != 1 {
				t.Errorf("AccountLogouts = %d, want 1", got)
			}
			// Signing in again (the page is shown, consent is kept) restores
			// the session.
			e.visit(t, ua)
			if q := e.promptNone(t, ua); q.Get("code") == "" {
				t.Errorf("prompt=none after signing in again: %v, want a code", q)
			}
		})
	}
}

// After a logout, the one user's next login shows the page again even
// though consent is kept, as Kakao's login form would be; AutoApprove
// still presses Agree on it.
func TestAccountLogout_OneUserSeesThePageAgain(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.RegisterLogoutRedirectURI(e.logoutURI())
	jar := browser()
	ua := &UserAgent{Client: jar}
	e.visit(t, ua)
	if p, err := ua.Visit(t.Context(), e.accountLogoutURL()); err != nil || p.URL != e.logoutURI() {
		t.Fatalf("logout: %v, ended at %+v", err, p)
	}
	noFollow := stoppingAtRedirects(jar)
	resp, err := noFollow.Get(e.authorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("login after logout: %d %s, want the page (200)", resp.StatusCode, resp.Header.Get("Location"))
	}
	e.s.SetAutoApprove(true)
	resp, err = noFollow.Get(e.authorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if q := queryOf(t, resp.Header.Get("Location")); resp.StatusCode != http.StatusFound || q.Get("code") == "" {
		t.Errorf("AutoApprove after logout: %d %v, want a redirect with a code", resp.StatusCode, q)
	}
}

// Kakao's "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount,
// and KOE007 in Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting: an
// unregistered logout_redirect_uri is KOE007 and an unknown client KOE101, on
// the emulator's own page, never a redirect; the session stays. Without state,
// none is added.
func TestAccountLogout_Errors(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.RegisterLogoutRedirectURI(e.logoutURI())
	tests := []struct {
		name string
		kv   []string
		want string
	}{
		{"unregistered logout_redirect_uri", []string{"logout_redirect_uri", e.logoutURI() + "/"}, "KOE007"},
		{"no logout_redirect_uri", []string{"logout_redirect_uri", ""}, "KOE007"},
		{"unknown client", []string{"client_id", "typo-key"}, "KOE101"},
		{"no client", []string{"client_id", ""}, "KOE101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, e.accountLogoutURL(tt.kv...))
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" || r.header.Get("Set-Cookie") != "" || !strings.Contains(r.body, tt.want) {
				t.Errorf("status %d, Location %q, Set-Cookie %q; want 400, no redirect, no cookie, and %s on the page:\n%s",
					r.status, r.header.Get("Location"), r.header.Get("Set-Cookie"), tt.want, r.body)
			}
		})
	}
	if r := get(t, e.accountLogoutURL()); r.header.Get("Location") != e.logoutURI() {
		t.Errorf("Location = %q, want the logout redirect URI without a query", r.header.Get("Location"))
	}
	if r := do(t, http.MethodPost, e.accountLogoutURL(), nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST: %d, want 405", r.status)
	}
	if got := e.s.Stats().AccountLogouts; got != 1 {
		t.Errorf("AccountLogouts = %d, want 1: refused logouts do not count", got)
	}
}

// DefaultLogoutRedirectURI is registered when Config names none; logout
// redirect URIs, like redirect URIs, stay registered across a restart.
func TestAccountLogout_RegisteredURIs(t *testing.T) {
	e := newEnv(t, Config{})
	if r := get(t, e.accountLogoutURL("logout_redirect_uri", DefaultLogoutRedirectURI)); r.header.Get("Location") != DefaultLogoutRedirectURI {
		t.Errorf("default logout redirect URI: %d %q", r.status, r.header.Get("Location"))
	}
	if r := get(t, e.accountLogoutURL()); r.status != http.StatusBadRequest {
		t.Errorf("a URI never registered: %d, want 400", r.status)
	}

	path := filepath.Join(t.TempDir(), "state.json")
	se := newStateEnv(t, Config{LogoutRedirectURIs: []string{"http://127.0.0.1:8765/bye"}}, path)
	se.restart(t, Config{})
	for _, uri := range []string{"http://127.0.0.1:8765/bye", DefaultLogoutRedirectURI} {
		if r := get(t, se.accountLogoutURL("logout_redirect_uri", uri)); r.header.Get("Location") != uri {
			t.Errorf("%s after a restart: %d %q, want it registered", uri, r.status, r.header.Get("Location"))
		}
	}
}
