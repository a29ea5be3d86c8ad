package emulator

import (
	"net/http"
	"strings"
	"testing"
)

func TestUserAgent_AgreeLandsOnCallbackWithCode(t *testing.T) {
	e := newEnv(t, Config{})
	p, err := (&UserAgent{Decision: Agree}).Visit(t.Context(), e.authorizeURL("state", "s1"))
	if err != nil {
		t.Fatal(err)
	}
	q := queryOf(t, p.URL)
	if p.StatusCode != http.StatusOK || p.Body != "app callback" || !strings.HasPrefix(p.URL, e.callback+"?") || q.Get("code") == "" || q.Get("state") != "s1" {
		t.Errorf("page = %+v, want the app callback with code and state", p)
	}
}

func TestUserAgent_CancelLandsOnCallbackWithAccessDenied(t *testing.T) {
	e := newEnv(t, Config{})
	p, err := (&UserAgent{Decision: Cancel}).Visit(t.Context(), e.authorizeURL("state", "s1"))
	if err != nil {
		t.Fatal(err)
	}
	if q := queryOf(t, p.URL); q.Get("error") != "access_denied" || q.Get("state") != "s1" || q.Get("code") != "" {
		t.Errorf("page URL = %q, want access_denied with state", p.URL)
	}
}

// With consent remembered there is no page to answer: Cancel never gets pressed.
func TestUserAgent_NoConsentPageFollowsRedirect(t *testing.T) {
	e := newEnv(t, Config{})
	e.login(t)
	p, err := (&UserAgent{Decision: Cancel}).Visit(t.Context(), e.authorizeURL())
	if err != nil {
		t.Fatal(err)
	}
	if queryOf(t, p.URL).Get("code") == "" {
		t.Errorf("page URL = %q, want a code", p.URL)
	}
}

func TestUserAgent_ErrorPageIsReturnedWithoutError(t *testing.T) {
	e := newEnv(t, Config{})
	p, err := (&UserAgent{}).Visit(t.Context(), e.authorizeURL("redirect_uri", e.callback+"/"))
	if err != nil {
		t.Fatal(err)
	}
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "KOE006") {
		t.Errorf("page = %d %q, want the 400 KOE006 page", p.StatusCode, p.Body)
	}
}

// A login whose callback listener is gone: the browser fails to load the
// redirect, and the error must not leak the code it carried.
func TestUserAgent_UnreachableCallbackIsErrorWithoutCode(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	dead := "http://127.0.0.1:1/callback"
	e.s.RegisterRedirectURI(dead)
	_, err := (&UserAgent{}).Visit(t.Context(), e.authorizeURL("redirect_uri", dead))
	if err == nil {
		t.Fatal("Visit succeeded, want a connection error")
	}
	if strings.Contains(err.Error(), "emu_code_") {
		t.Errorf("error leaks the code: %v", err)
	}
}

func TestUserAgent_UnknownDecisionIsError(t *testing.T) {
	e := newEnv(t, Config{})
	if _, err := (&UserAgent{Decision: Decision(7)}).Visit(t.Context(), e.authorizeURL()); err == nil {
		t.Error("Visit succeeded, want an error")
	}
}
