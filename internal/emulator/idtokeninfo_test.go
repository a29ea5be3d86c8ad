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

// postIDTokenInfo posts form to /oauth/tokeninfo.
func (e *env) postIDTokenInfo(t *testing.T, form url.Values) response {
	t.Helper()
	return e.sendForm(t, http.MethodPost, "/oauth/tokeninfo", form)
}

// Kakao's "ID 토큰 정보 보기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-get-id-token-info:
// POST id_token → the decoded payload.
func TestIDTokenInfo_ValidTokenGivesPayload(t *testing.T) {
	e := newEnv(t, Config{})
	tok, j := e.idToken(t, "scope", "openid profile_nickname", "nonce", "n1")
	r := e.postIDTokenInfo(t, url.Values{"id_token": {tok["id_token"].(string)}})
	if r.status != http.StatusOK {
		t.Fatalf("tokeninfo: %d %s", r.status, r.body)
	}
	if diff := cmp.Diff(j.claims, r.json(t)); diff != "" {
		t.Errorf("payload mismatch (-want +got):\n%s", diff)
	}

	// A token signed with the key just replaced still counts.
	e.s.RotateKey()
	if r := e.postIDTokenInfo(t, url.Values{"id_token": {tok["id_token"].(string)}}); r.status != http.StatusOK {
		t.Errorf("after one rotation: %d %s, want 200", r.status, r.body)
	}
}

// Kakao's "ID 토큰 정보 보기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-get-id-token-info:
// invalid → 400 {"error":"invalid_token","error_code":"KOE400"}. Expired tokens
// too: the emulator's reading, as Kakao's answer is not documented.
func TestIDTokenInfo_BadTokensAreKOE400(t *testing.T) {
	want := map[string]any{"error": "invalid_token", "error_code": "KOE400"}
	tests := []struct {
		name  string
		token func(t *testing.T, e *env, good string) string
	}{
		{"missing", func(*testing.T, *env, string) string { return "" }},
		{"not a JWS", func(*testing.T, *env, string) string { return "not-a-token" }},
		{"tampered payload", func(t *testing.T, _ *env, good string) string {
			parts := strings.Split(good, ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"1","exp":9999999999}`))
			return strings.Join(parts, ".")
		}},
		{"expired", func(t *testing.T, e *env, good string) string {
			e.clock.Advance(DefaultAccessTTL + time.Second) // the ID token's 21600 s
			return good
		}},
		{"key rotated away", func(t *testing.T, e *env, good string) string {
			e.s.RotateKey()
			e.s.RotateKey()
			return good
		}},
		{"bad signature", faultyToken(IDTokenBadSignature)},
		{"unknown kid", faultyToken(IDTokenUnknownKid)},
		{"alg none", faultyToken(IDTokenAlgNone)},
		{"HS256 confusion", faultyToken(IDTokenHS256)},
		{"expired by fault", faultyToken(IDTokenExpired)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			good := e.tokens(t, "scope", "openid")["id_token"].(string)
			r := e.postIDTokenInfo(t, url.Values{"id_token": {tt.token(t, e, good)}})
			if r.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400: %s", r.status, r.body)
			}
			if diff := cmp.Diff(want, oauthError(t, r)); diff != "" {
				t.Errorf("answer mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// faultyToken mints a token with fault f built in.
func faultyToken(f IDTokenFault) func(*testing.T, *env, string) string {
	return func(t *testing.T, e *env, _ string) string {
		e.s.SetIDTokenFault(f)
		defer e.s.SetIDTokenFault(IDTokenOK)
		return e.tokens(t, "scope", "openid")["id_token"].(string)
	}
}

func TestIDTokenInfo_GetIsMethodNotAllowed(t *testing.T) {
	e := newEnv(t, Config{})
	if r := get(t, e.url+"/oauth/tokeninfo"); r.status != http.StatusMethodNotAllowed || r.json(t)["error"] != "invalid_request" {
		t.Errorf("GET tokeninfo: %d %s, want 405 invalid_request", r.status, r.body)
	}
}

// The expiry check is exact, like the access token's.
func TestIDTokenInfo_ValidUntilExp(t *testing.T) {
	e := newEnv(t, Config{})
	good := e.tokens(t, "scope", "openid")["id_token"].(string)
	e.clock.Advance(DefaultAccessTTL - time.Second)
	if r := e.postIDTokenInfo(t, url.Values{"id_token": {good}}); r.status != http.StatusOK {
		t.Errorf("a second before exp: %d %s, want 200", r.status, r.body)
	}
}
