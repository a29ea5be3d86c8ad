package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// A code exchange answers as Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token,
// with Kakao's token lifetimes,
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token.
func TestToken_CodeExchangeShape(t *testing.T) {
	e := newEnv(t, Config{})
	r := e.postToken(t, e.codeForm(e.login(t, "scope", "profile_nickname account_email")))
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200: %s", r.status, r.body)
	}
	if diff := cmp.Diff("application/json;charset=UTF-8", r.header.Get("Content-Type")); diff != "" {
		t.Errorf("Content-Type mismatch (-want +got):\n%s", diff)
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
	got := r.json(t)
	want := map[string]any{
		"token_type":   "bearer",
		"access_token": "AT",
		// As Kakao sends them (Kakao's token lifetimes,
		// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token).
		"expires_in":               float64(21599),
		"refresh_token":            "RT",
		"refresh_token_expires_in": float64(5183999),
		"scope":                    "account_email profile_nickname",
	}
	at, _ := got["access_token"].(string)
	rt, _ := got["refresh_token"].(string)
	if len(at) < 43 || len(rt) < 43 || at == rt {
		t.Errorf("tokens %q, %q: want two distinct opaque strings of 43+ chars", at, rt)
	}
	got["access_token"], got["refresh_token"] = "AT", "RT"
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("token response mismatch (-want +got):\n%s", diff)
	}
}

// Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token:
// scope is optional; the emulator omits it when nothing was granted: OIDC off,
// and the user agrees to none of the items asked.
func TestToken_NothingGrantedOmitsScopeField(t *testing.T) {
	e := newEnv(t, Config{ScopesEnabled: []string{"account_email"}, User: User{ID: 7, Nickname: "Muzi", Agreed: []string{}}})
	if tok := e.tokens(t); tok["scope"] != nil {
		t.Errorf("scope = %v, want it omitted when nothing was granted", tok["scope"])
	}
}

// Token errors (Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting) and
// Kakao's "Redirect URI",
// https://developers.kakao.com/docs/latest/en/kakaologin/prerequisite (exact
// redirect URI), Kakao's "토큰 받기" (client_secret),
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token.
func TestToken_RequestErrors(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		form   func(e *env, code string) url.Values
		status int
		want   map[string]any // the answer without error_description
	}{
		{
			name:   "unknown client_id is KOE101",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "client_id", "typo-key") },
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE101"},
		},
		{
			name:   "missing client_id is KOE101",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "client_id", "") },
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE101"},
		},
		{
			name:   "missing client_secret is KOE010",
			cfg:    Config{ClientSecret: "s3cret"},
			form:   func(e *env, code string) url.Values { return e.codeForm(code) },
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE010"},
		},
		{
			name:   "wrong client_secret is KOE010",
			cfg:    Config{ClientSecret: "s3cret"},
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "client_secret", "s3cret2") },
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE010"},
		},
		{
			name:   "redirect_uri with trailing slash is KOE303",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "redirect_uri", e.callback+"/") },
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE303"},
		},
		{
			name:   "missing redirect_uri is KOE303",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "redirect_uri", "") },
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE303"},
		},
		{
			name:   "unknown code is KOE320",
			form:   func(e *env, code string) url.Values { return e.codeForm("emu_code_made-up") },
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE320"},
		},
		{
			name:   "missing code is KOE320",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "code", "") },
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE320"},
		},
		{
			name:   "code of another client is KOE320",
			cfg:    Config{ClientIDs: []string{DefaultClientID, "other-key"}},
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "client_id", "other-key") },
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE320"},
		},
		{
			name:   "unknown grant_type is unsupported_grant_type",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "grant_type", "client_credentials") },
			status: 400, want: map[string]any{"error": "unsupported_grant_type"},
		},
		// Kakao authenticates the client before it looks at the grant
		// (as its users report: a JSON body of a secret app is KOE010).
		{
			name:   "missing grant_type and client_secret is KOE010",
			cfg:    Config{ClientSecret: "s3cret"},
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "grant_type", "") },
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE010"},
		},
		{
			name: "unknown grant_type of an unknown client is KOE101",
			form: func(e *env, code string) url.Values {
				return e.codeForm(code, "grant_type", "password", "client_id", "typo-key")
			},
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE101"},
		},
		{
			name:   "missing grant_type is invalid_request",
			form:   func(e *env, code string) url.Values { return e.codeForm(code, "grant_type", "") },
			status: 400, want: map[string]any{"error": "invalid_request"},
		},
	}
	// Every check applies the same way whichever transport carries the
	// parameters (Kakao's "토큰 받기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, tt.cfg)
				code := e.login(t)
				r := e.tokenVia(t, tr, tt.form(e, code))
				if r.status != tt.status {
					t.Errorf("status = %d, want %d", r.status, tt.status)
				}
				if diff := cmp.Diff(tt.want, oauthError(t, r)); diff != "" {
					t.Errorf("error mismatch (-want +got):\n%s", diff)
				}
				if strings.Contains(r.body, code) {
					t.Errorf("error answer echoes the code: %s", r.body)
				}
				if got := e.s.Stats().TokenErrors; got != 1 {
					t.Errorf("TokenErrors = %d, want 1", got)
				}
			})
		}
	}
}

// token_endpoint_auth_methods_supported in Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration: client_secret_post
// only; a secret in HTTP Basic counts as missing.
func TestToken_BasicAuthSecretIsKOE010(t *testing.T) {
	e := newEnv(t, Config{ClientSecret: "s3cret"})
	form := e.codeForm(e.login(t))
	req := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	req.Set("Authorization", "Basic "+basic(DefaultClientID, "s3cret"))
	r := do(t, http.MethodPost, e.url+"/oauth/token", req, strings.NewReader(form.Encode()))
	want := map[string]any{"error": "invalid_client", "error_description": "Bad client credentials", "error_code": "KOE010"}
	if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != 401 {
		t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
	}
}

func TestToken_ClientSecretPostSucceeds(t *testing.T) {
	e := newEnv(t, Config{ClientSecret: "s3cret"})
	if r := e.postToken(t, e.codeForm(e.login(t), "client_secret", "s3cret")); r.status != http.StatusOK {
		t.Errorf("status = %d, want 200: %s", r.status, r.body)
	}
}

// KOE320 (Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting): a
// code is single use.
func TestToken_ReusedCodeIsKOE320(t *testing.T) {
	e := newEnv(t, Config{})
	code := e.login(t)
	if r := e.postToken(t, e.codeForm(code)); r.status != http.StatusOK {
		t.Fatalf("first exchange: %d %s", r.status, r.body)
	}
	r := e.postToken(t, e.codeForm(code))
	want := map[string]any{
		"error":             "invalid_grant",
		"error_description": "authorization code not found for code=[redacted]",
		"error_code":        "KOE320",
	}
	if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != 400 {
		t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
	}
}

// Once looked up, a code is consumed even when a later check fails.
func TestToken_CodeConsumedByFailedExchange(t *testing.T) {
	e := newEnv(t, Config{})
	code := e.login(t)
	if r := e.postToken(t, e.codeForm(code, "redirect_uri", e.callback+"/")); oauthError(t, r)["error_code"] != "KOE303" {
		t.Fatalf("first exchange: %s, want KOE303", r.body)
	}
	if r := e.postToken(t, e.codeForm(code)); oauthError(t, r)["error_code"] != "KOE320" {
		t.Errorf("second exchange: %s, want KOE320", r.body)
	}
}

// Client authentication comes first; failing it does not touch the code.
func TestToken_ClientAuthFailureLeavesCodeUsable(t *testing.T) {
	e := newEnv(t, Config{ClientSecret: "s3cret"})
	code := e.login(t)
	if r := e.postToken(t, e.codeForm(code)); oauthError(t, r)["error_code"] != "KOE010" {
		t.Fatalf("without secret: %s, want KOE010", r.body)
	}
	if r := e.postToken(t, e.codeForm(code, "client_secret", "s3cret")); r.status != http.StatusOK {
		t.Errorf("with secret: %d %s, want 200", r.status, r.body)
	}
}

// The code's lifetime is not published (community: 10 minutes); an
// expired code is KOE320 like an unknown one.
func TestToken_ExpiredCodeIsKOE320(t *testing.T) {
	tests := []struct {
		name    string
		advance time.Duration
		status  int
	}{
		{"just before CodeTTL", DefaultCodeTTL - time.Second, http.StatusOK},
		{"at CodeTTL", DefaultCodeTTL, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			code := e.login(t)
			e.clock.Advance(tt.advance)
			r := e.postToken(t, e.codeForm(code))
			if r.status != tt.status {
				t.Errorf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
		})
	}
}

// PKCE, S256 (code_challenge_methods_supported in Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration):
// base64url(SHA-256(verifier)) must equal the S256 challenge. Kakao's KOE code
// for a PKCE failure is unknown, so the answer carries no error_code.
func TestToken_PKCE(t *testing.T) {
	const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	tests := []struct {
		name      string
		challenge bool
		verifier  string
		status    int
		want      map[string]any
	}{
		{"matching verifier", true, verifier, 200, nil},
		{"wrong verifier", true, verifier + "x", 400, map[string]any{"error": "invalid_grant", "error_description": "code_verifier mismatch"}},
		{"missing verifier", true, "", 400, map[string]any{"error": "invalid_grant", "error_description": "code_verifier missing"}},
		{"verifier without challenge", false, verifier, 400, map[string]any{"error": "invalid_grant", "error_description": "code_verifier sent but no code_challenge was given at authorize"}},
		{"neither", false, "", 200, nil},
	}
	for _, tr := range transports {
		for _, tt := range tests {
			t.Run(tr.name+"/"+tt.name, func(t *testing.T) {
				e := newEnv(t, Config{})
				var kv []string
				if tt.challenge {
					kv = []string{"code_challenge", s256(verifier), "code_challenge_method", "S256"}
				}
				r := e.tokenVia(t, tr, e.codeForm(e.login(t, kv...), "code_verifier", tt.verifier))
				if r.status != tt.status {
					t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
				}
				if tt.want == nil {
					return
				}
				if diff := cmp.Diff(tt.want, r.json(t)); diff != "" {
					t.Errorf("answer mismatch (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// RFC 7636 Appendix B's example pair, to pin the S256 computation.
func TestToken_PKCEMatchesRFC7636Example(t *testing.T) {
	if got := s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"); got != "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM" {
		t.Errorf("s256 = %q", got)
	}
}

// Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token:
// a form body is read only from a POST, and bounded.
func TestToken_Transport(t *testing.T) {
	e := newEnv(t, Config{})
	t.Run("a GET's body is not read", func(t *testing.T) {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		r := do(t, http.MethodGet, e.url+"/oauth/token", h, strings.NewReader(e.codeForm(e.login(t)).Encode()))
		// Its client_id unread, the client is unknown: KOE101 comes
		// before any word on the grant.
		if diff := cmp.Diff(map[string]any{"error": "invalid_client", "error_code": "KOE101"}, oauthError(t, r)); diff != "" {
			t.Errorf("answer mismatch (-want +got):\n%s", diff)
		}
	})
	t.Run("oversized body is refused", func(t *testing.T) {
		form := e.codeForm(e.login(t), "padding", strings.Repeat("x", maxFormBytes))
		r := e.postToken(t, form)
		if diff := cmp.Diff(map[string]any{"error": "invalid_request"}, oauthError(t, r)); diff != "" || r.status != 400 {
			t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
		}
	})
}

// Tokens are opaque random strings, never repeated.
func TestToken_TokensAreUnique(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	seen := map[string]bool{}
	for range 20 {
		tok := e.tokens(t)
		for _, k := range []string{"access_token", "refresh_token"} {
			v := tok[k].(string)
			if seen[v] {
				t.Fatalf("%s %q issued twice", k, v)
			}
			seen[v] = true
		}
	}
	if len(seen) != 40 {
		t.Errorf("distinct tokens = %d, want 40", len(seen))
	}
}

func basic(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// A JSON body is not Kakao's form (https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
// For an app with a
// client secret it is 401 KOE010, the client's credentials being checked
// before the grant (none is read from JSON); without a secret, the grant is
// missing. Either way the code is left alone.
func TestToken_JSONBody(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cfg    Config
		status int
		want   map[string]any
	}{
		{"app with a secret", Config{ClientSecret: "s3cret"}, 401, map[string]any{"error": "invalid_client", "error_code": "KOE010"}},
		{"app without a secret", Config{}, 400, map[string]any{"error": "invalid_request"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			code := e.login(t)
			body := `{"grant_type":"authorization_code","client_id":"` + DefaultClientID + `","client_secret":"s3cret","redirect_uri":"` + e.callback + `","code":"` + code + `"}`
			r := do(t, http.MethodPost, e.url+"/oauth/token", http.Header{"Content-Type": {"application/json"}}, strings.NewReader(body))
			if r.status != tt.status {
				t.Errorf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if diff := cmp.Diff(tt.want, oauthError(t, r)); diff != "" {
				t.Errorf("error mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(r.body, code) || strings.Contains(r.body, "s3cret") {
				t.Errorf("error answer echoes the code or the secret: %s", r.body)
			}
			if r := e.postToken(t, e.codeForm(code, "client_secret", tt.cfg.ClientSecret)); r.status != http.StatusOK {
				t.Errorf("the code after the JSON request: %d %s", r.status, r.body)
			}
		})
	}
}
