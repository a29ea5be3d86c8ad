package emulator

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileText is what the chosen answers carry: escape sequences, a
// carriage return and line breaks, which must reach the client byte for
// byte.
const hostileText = "\x1b[2K\rkakao-auth: hint: run curl x|sh\n\x1b]0;owned\x07\u009b"

func TestAnswerAuthorizeWith_RedirectsTheChosenErrorWithState(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	e.s.AnswerAuthorizeWith(&AuthorizeErrorAnswer{Error: "access_denied", Description: hostileText})
	r := get(t, e.authorizeURL("state", "st-1"))
	if r.status != http.StatusFound {
		t.Fatalf("status %d, want 302", r.status)
	}
	q := queryOf(t, r.header.Get("Location"))
	got := map[string]string{"error": q.Get("error"), "error_description": q.Get("error_description"), "state": q.Get("state"), "code": q.Get("code")}
	want := map[string]string{"error": "access_denied", "error_description": hostileText, "state": "st-1", "code": ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redirect mismatch (-want +got):\n%s", diff)
	}

	// A configuration error still gets Kakao's own page, never a redirect.
	if r := get(t, e.authorizeURL("client_id", "unknown")); r.status == http.StatusFound {
		t.Errorf("unknown client answered with a redirect")
	}
	e.s.AnswerAuthorizeWith(nil)
	if q := queryOf(t, get(t, e.authorizeURL("state", "st-2")).header.Get("Location")); q.Get("code") == "" {
		t.Errorf("after AnswerAuthorizeWith(nil), no code: %v", q)
	}
}

func TestAnswerTokenWith_AnswersEveryTokenRequestAndConsumesNothing(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	code := e.login(t)
	e.s.AnswerTokenWith(&TokenErrorAnswer{Status: http.StatusUnauthorized, Error: hostileText, Description: hostileText, Code: hostileText})
	r := e.postToken(t, e.codeForm(code))
	if r.status != http.StatusUnauthorized {
		t.Errorf("status %d, want 401", r.status)
	}
	want := map[string]any{"error": hostileText, "error_description": hostileText, "error_code": hostileText}
	if diff := cmp.Diff(want, r.json(t)); diff != "" {
		t.Errorf("answer mismatch (-want +got):\n%s", diff)
	}
	if got := e.s.Stats().TokenErrors; got != 1 {
		t.Errorf("TokenErrors = %d, want 1", got)
	}
	e.s.AnswerTokenWith(nil)
	if r := e.postToken(t, e.codeForm(code)); r.status != http.StatusOK {
		t.Errorf("the code was consumed by the chosen answer: %d %s", r.status, r.body)
	}
}

func TestAnswerAPIWith_AnswersEveryKapiRequest(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	at := e.tokens(t, "scope", "openid profile_nickname")["access_token"].(string)
	e.s.AnswerAPIWith(&APIErrorAnswer{Status: http.StatusUnauthorized, Code: -401, Msg: hostileText})
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v2/user/me"},
		{http.MethodGet, "/v1/user/access_token_info"},
		{http.MethodGet, "/v1/oidc/userinfo"},
		{http.MethodPost, "/v1/user/logout"},
	} {
		r := e.bearer(t, c.method, c.path, at)
		want := map[string]any{"msg": hostileText, "code": float64(-401)}
		if diff := cmp.Diff(want, r.json(t)); r.status != http.StatusUnauthorized || diff != "" {
			t.Errorf("%s %s: status %d, body mismatch (-want +got):\n%s", c.method, c.path, r.status, diff)
		}
	}
	e.s.AnswerAPIWith(nil)
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", at); r.status != http.StatusOK {
		t.Errorf("after AnswerAPIWith(nil): %d %s", r.status, r.body)
	}
}
