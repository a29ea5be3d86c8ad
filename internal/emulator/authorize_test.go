package emulator

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// s256 is the PKCE S256 challenge of verifier.
func s256(verifier string) string {
	sum := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting
// (reported on Kakao's own error page) and Kakao's "Redirect URI",
// https://developers.kakao.com/docs/latest/en/kakaologin/prerequisite (exact
// redirect URI match): configuration errors never redirect to the app.
func TestAuthorize_ConfigErrorsShowOwnErrorPage(t *testing.T) {
	e := newEnv(t, Config{})
	u, _ := url.Parse(e.callback)
	port, _ := strconv.Atoi(u.Port())
	otherPort := fmt.Sprintf("http://127.0.0.1:%d/callback", port+1)
	challenge := s256("a-verifier-that-is-long-enough-to-be-valid-0123456789")
	tests := []struct {
		name string
		kv   []string
		want string // shown on the page
	}{
		{"missing client_id is KOE101", []string{"client_id", ""}, "KOE101"},
		{"unknown client_id is KOE101", []string{"client_id", "typo-key"}, "KOE101"},
		{"client_id is checked before redirect_uri", []string{"client_id", "typo-key", "redirect_uri", "http://evil.example/cb"}, "KOE101"},
		{"missing redirect_uri is KOE006", []string{"redirect_uri", ""}, "KOE006"},
		{"trailing slash is KOE006", []string{"redirect_uri", e.callback + "/"}, "KOE006"},
		{"other port is KOE006", []string{"redirect_uri", otherPort}, "KOE006"},
		{"localhost for 127.0.0.1 is KOE006", []string{"redirect_uri", strings.Replace(e.callback, "127.0.0.1", "localhost", 1)}, "KOE006"},
		{"https for http is KOE006", []string{"redirect_uri", strings.Replace(e.callback, "http:", "https:", 1)}, "KOE006"},
		{"added query is KOE006", []string{"redirect_uri", e.callback + "?x=1"}, "KOE006"},
		{"other path case is KOE006", []string{"redirect_uri", strings.Replace(e.callback, "callback", "Callback", 1)}, "KOE006"},
		{"redirect_uri is checked before response_type", []string{"redirect_uri", e.callback + "/", "response_type", "token"}, "KOE006"},
		{"response_type token is KOE202", []string{"response_type", "token"}, "KOE202"},
		{"missing response_type is KOE201", []string{"response_type", ""}, "KOE201"},
		{"response_type code id_token is KOE201", []string{"response_type", "code id_token"}, "KOE201"},
		// code_challenge_methods_supported in Kakao's discovery document,
		// https://kauth.kakao.com/.well-known/openid-configuration: only S256
		// is advertised; plain is assumed unsupported.
		{"PKCE plain is refused", []string{"code_challenge", challenge, "code_challenge_method", "plain"}, "only S256"},
		{"PKCE unknown method is refused", []string{"code_challenge", challenge, "code_challenge_method", "S512"}, "only S256"},
		{"PKCE challenge without method is refused", []string{"code_challenge", challenge}, "without code_challenge_method"},
		{"PKCE method without challenge is refused", []string{"code_challenge_method", "S256"}, "without code_challenge"},
		{"PKCE malformed challenge is refused", []string{"code_challenge", "short", "code_challenge_method", "S256"}, "Malformed code_challenge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := get(t, e.authorizeURL(tt.kv...))
			if r.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", r.status)
			}
			if loc := r.header.Get("Location"); loc != "" {
				t.Errorf("redirected to %q, want the emulator's own page", loc)
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			if !strings.Contains(r.body, tt.want) {
				t.Errorf("page does not show %q:\n%s", tt.want, r.body)
			}
		})
	}
}

// Kakao's "인가 코드 받기" (its behaviour),
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code:
// a valid request shows the consent screen on first login.
func TestAuthorize_ValidRequestShowsConsentPage(t *testing.T) {
	e := newEnv(t, Config{AppName: "My <CLI>"})
	r := get(t, e.authorizeURL("scope", "account_email,talk_message", "state", "st"))
	if r.status != http.StatusOK {
		t.Fatalf("status = %d, want 200:\n%s", r.status, r.body)
	}
	for _, want := range []string{
		"My &lt;CLI&gt;", // escaped by html/template
		DefaultClientID,
		"<code>account_email</code>",
		"<code>talk_message</code>",
		`<form method="post" action="` + consentAction + `">`,
		`<input type="hidden" name="tx" value="` + prefixTx,
		`<button type="submit" name="action" value="agree" id="agree">Agree</button>`,
		`<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	for _, secret := range []string{prefixCode, prefixAccess, prefixRefresh} {
		if strings.Contains(r.body, secret) {
			t.Errorf("consent page contains %q", secret)
		}
	}
	if got := r.header.Get("Cache-Control"); got != "no-store" {
		t.Errorf("Cache-Control = %q, want no-store", got)
	}
}

// Kakao's "추가 항목 동의 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent:
// docs say comma-separated, SDKs send spaces; both work.
func TestAuthorize_ScopeCommaAndSpaceSeparated(t *testing.T) {
	tests := []struct{ name, scope string }{
		{"comma", "account_email,profile_nickname"},
		{"space", "account_email profile_nickname"},
		{"comma and space", "profile_nickname, account_email"},
		{"duplicates", "account_email account_email,profile_nickname"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			tok := e.tokens(t, "scope", tt.scope)
			if diff := cmp.Diff("account_email profile_nickname", tok["scope"]); diff != "" {
				t.Errorf("scope mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// prompt (https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
// and the official SDKs): a list of login, none, create, select_account
// and cert, comma-separated as the iOS SDK sends it or space-separated
// with a trailing space as the Flutter SDK does.
// Anything else is an invalid_request redirect once the redirect URI is
// trusted.
func TestAuthorize_InvalidPromptRedirectsInvalidRequest(t *testing.T) {
	e := newEnv(t, Config{})
	for _, prompt := range []string{"consent", "none,login", "none login ", "LOGIN", "login;cert"} {
		t.Run(prompt, func(t *testing.T) {
			r := get(t, e.authorizeURL("prompt", prompt, "state", "s1"))
			if r.status != http.StatusFound {
				t.Fatalf("status = %d, want 302:\n%s", r.status, r.body)
			}
			q := queryOf(t, r.header.Get("Location"))
			if q.Get("error") != "invalid_request" || q.Get("state") != "s1" {
				t.Errorf("redirect query = %v, want error=invalid_request and state=s1", q)
			}
		})
	}
	for _, prompt := range []string{"login", "create", "select_account", "cert", "login,select_account", "login,cert",
		"login ", "login select_account ", "login,", " login"} {
		t.Run(prompt+" is accepted", func(t *testing.T) {
			if r := get(t, e.authorizeURL("prompt", prompt)); r.status != http.StatusOK {
				t.Errorf("status = %d, want the consent page", r.status)
			}
		})
	}
}

func TestAuthorize_PostIsMethodNotAllowed(t *testing.T) {
	e := newEnv(t, Config{})
	if r := do(t, http.MethodPost, e.authorizeURL(), nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("status = %d, want 405", r.status)
	}
}

func TestServeHTTP_UnknownPathIs404(t *testing.T) {
	e := newEnv(t, Config{})
	// OIDC's paths are served (discovery.go); RFC 8414 metadata and RFC 7009
	// revocation are not Kakao's (Kakao's REST API reference, "응답 코드",
	// https://developers.kakao.com/docs/latest/ko/rest-api/reference; Kakao's
	// discovery document,
	// https://kauth.kakao.com/.well-known/openid-configuration).
	for _, p := range []string{"/", "/oauth/authorize/", "/oauth/revoke", "/oauth/logout/", "/v1/user/me", "/v2/user/scope", "/v2/user/scopes/", "/.well-known/oauth-authorization-server", "/v1/oidc/userinfo/"} {
		if r := get(t, e.url+p); r.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, r.status)
		}
	}
}
