package emulator

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// transport is one way a web app sends its token request: Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token
// says Kakao takes the form body, the query of a POST and the query of a GET
// alike.
type transport struct {
	name string
	send func(ctx context.Context, e *env, form url.Values) (response, error)
}

var transports = []transport{
	{"form body", func(ctx context.Context, e *env, form url.Values) (response, error) {
		return e.sendToken(ctx, form)
	}},
	// Server-side clients (Spring's RestTemplate, the tutorial's requests.post)
	// put the parameters in the URL of a body-less POST.
	{"POST query", func(ctx context.Context, e *env, form url.Values) (response, error) {
		return send(ctx, http.MethodPost, e.url+"/oauth/token?"+form.Encode(), nil, nil)
	}},
	// The seed tutorial opens the token URL in a browser: a GET.
	{"GET query", func(ctx context.Context, e *env, form url.Values) (response, error) {
		return send(ctx, http.MethodGet, e.url+"/oauth/token?"+form.Encode(), nil, nil)
	}},
}

// tokenVia sends form to /oauth/token the way tr does.
func (e *env) tokenVia(t *testing.T, tr transport, form url.Values) response {
	t.Helper()
	r, err := tr.send(t.Context(), e, form)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestToken_EveryTransportExchangesAndRefreshes(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			r := e.tokenVia(t, tr, e.codeForm(e.login(t, "scope", "profile_nickname")))
			if r.status != http.StatusOK {
				t.Fatalf("exchange: %d %s", r.status, r.body)
			}
			tok := r.json(t)
			if tok["scope"] != "profile_nickname" || tok["access_token"] == nil {
				t.Errorf("exchange answer %v, want tokens with scope profile_nickname", tok)
			}
			if got := r.header.Get("Cache-Control"); got != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", got)
			}
			r = e.tokenVia(t, tr, refreshForm(tok["refresh_token"].(string)))
			if r.status != http.StatusOK || r.json(t)["access_token"] == nil {
				t.Errorf("refresh: %d %s, want 200 with an access token", r.status, r.body)
			}
			if at, _ := r.json(t)["access_token"].(string); e.bearer(t, http.MethodGet, "/v2/user/me", at).status != http.StatusOK {
				t.Errorf("the refreshed access token does not work on /v2/user/me")
			}
		})
	}
}

// KOE320 (Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting),
// whichever transport: the tutorial's classic is reloading the callback page,
// which sends the same code again.
func TestToken_EveryTransportReusedCodeIsKOE320(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			code := e.login(t)
			if r := e.tokenVia(t, tr, e.codeForm(code)); r.status != http.StatusOK {
				t.Fatalf("first exchange: %d %s", r.status, r.body)
			}
			r := e.tokenVia(t, tr, e.codeForm(code))
			want := map[string]any{"error": "invalid_grant", "error_code": "KOE320"}
			if diff := cmp.Diff(want, oauthError(t, r)); diff != "" || r.status != http.StatusBadRequest {
				t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
			}
		})
	}
}

// Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token,
// and Kakao DevTalk's answer on KOE322,
// https://devtalk.kakao.com/t/koe322-expired-or-invalid-refresh-token/126899,
// whichever transport.
func TestToken_EveryTransportRotatesAndKillsTheOldRefreshToken(t *testing.T) {
	for _, tr := range transports {
		t.Run(tr.name, func(t *testing.T) {
			e := newEnv(t, Config{RefreshTTL: 24 * time.Hour})
			rt := e.tokens(t)["refresh_token"].(string)
			r := e.tokenVia(t, tr, refreshForm(rt))
			next, _ := r.json(t)["refresh_token"].(string)
			if r.status != http.StatusOK || next == "" || next == rt {
				t.Fatalf("refresh: %d %s, want a rotated refresh token", r.status, r.body)
			}
			r = e.tokenVia(t, tr, refreshForm(rt))
			if got := oauthError(t, r)["error_code"]; got != "KOE322" {
				t.Errorf("old refresh token: %s, want KOE322", r.body)
			}
		})
	}
}

// A parameter given twice is ambiguous unless both values agree: which one
// Kakao would read is unknown, so the strict reading refuses it rather than
// pick one (a client that sends a stale redirect_uri in the query and the
// right one in the body should hear about it).
func TestToken_ConflictingRepeatedParameterIsInvalidRequest(t *testing.T) {
	tests := []struct {
		name   string
		method string
		query  func(form url.Values) string
		body   func(form url.Values) string
		ok     bool
	}{
		{
			name: "twice in the query", method: http.MethodGet,
			query: func(f url.Values) string { return f.Encode() + "&redirect_uri=http%3A%2F%2Fevil.example%2Fcb" },
		},
		{
			name: "twice in the body", method: http.MethodPost,
			body: func(f url.Values) string { return f.Encode() + "&client_id=other-key" },
		},
		{
			name: "query and body disagree", method: http.MethodPost,
			query: func(url.Values) string { return "redirect_uri=http%3A%2F%2Fevil.example%2Fcb" },
			body:  func(f url.Values) string { return f.Encode() },
		},
		{
			name: "query and body agree", method: http.MethodPost, ok: true,
			query: func(f url.Values) string { return "client_id=" + url.QueryEscape(f.Get("client_id")) },
			body:  func(f url.Values) string { return f.Encode() },
		},
		{
			name: "same value twice in the query", method: http.MethodGet, ok: true,
			query: func(f url.Values) string { return f.Encode() + "&grant_type=authorization_code" },
		},
		{
			name: "split between query and body", method: http.MethodPost, ok: true,
			query: func(f url.Values) string {
				return "grant_type=authorization_code&client_id=" + url.QueryEscape(f.Get("client_id"))
			},
			body: func(f url.Values) string {
				g := url.Values{}
				for k, v := range f {
					if k != "grant_type" && k != "client_id" {
						g[k] = v
					}
				}
				return g.Encode()
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			form := e.codeForm(e.login(t))
			target := e.url + "/oauth/token"
			if tt.query != nil {
				target += "?" + tt.query(form)
			}
			var h http.Header
			var body *strings.Reader
			if tt.body != nil {
				h = http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
				body = strings.NewReader(tt.body(form))
			}
			var r response
			if body != nil {
				r = do(t, tt.method, target, h, body)
			} else {
				r = do(t, tt.method, target, h, nil)
			}
			if tt.ok {
				if r.status != http.StatusOK {
					t.Errorf("status %d %s, want 200", r.status, r.body)
				}
				return
			}
			if diff := cmp.Diff(map[string]any{"error": "invalid_request"}, oauthError(t, r)); diff != "" || r.status != http.StatusBadRequest {
				t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
			}
			if strings.Contains(r.body, "evil.example") || strings.Contains(r.body, form.Get("code")) {
				t.Errorf("error answer echoes a value: %s", r.body)
			}
			// The refused request consumed nothing: the code still works.
			if r := e.postToken(t, form); r.status != http.StatusOK {
				t.Errorf("code after the refused request: %d %s, want 200", r.status, r.body)
			}
		})
	}
}

func TestToken_OtherMethodsAre405(t *testing.T) {
	e := newEnv(t, Config{})
	for _, m := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
		r := do(t, m, e.url+"/oauth/token?"+e.codeForm("x").Encode(), nil, nil)
		if r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, POST" {
			t.Errorf("%s: status %d, Allow %q; want 405, \"GET, POST\"", m, r.status, r.header.Get("Allow"))
		}
	}
}

func TestToken_MalformedQueryIsInvalidRequest(t *testing.T) {
	e := newEnv(t, Config{})
	r := get(t, e.url+"/oauth/token?grant_type=authorization_code&code=%zz")
	if diff := cmp.Diff(map[string]any{"error": "invalid_request"}, oauthError(t, r)); diff != "" || r.status != http.StatusBadRequest {
		t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
	}
}
