package emulator

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration: Kakao's fields,
// every endpoint on the emulator's base URL (userinfo too, since kapi shares
// it), issuer = iss.
func TestDiscovery_KakaoFields(t *testing.T) {
	tests := []struct {
		name   string
		issuer string // Config.Issuer
		want   func(base string) string
	}{
		{"default issuer is the base URL", "", func(base string) string { return base }},
		{"configured issuer", "https://kauth.kakao.com", func(string) string { return "https://kauth.kakao.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{Issuer: tt.issuer})
			r := get(t, e.url+"/.well-known/openid-configuration")
			if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
			}
			want := map[string]any{
				"issuer":                                tt.want(e.url),
				"authorization_endpoint":                e.url + "/oauth/authorize",
				"token_endpoint":                        e.url + "/oauth/token",
				"userinfo_endpoint":                     e.url + "/v1/oidc/userinfo",
				"jwks_uri":                              e.url + "/.well-known/jwks.json",
				"token_endpoint_auth_methods_supported": []any{"client_secret_post"},
				"subject_types_supported":               []any{"public"},
				"id_token_signing_alg_values_supported": []any{"RS256"},
				"request_uri_parameter_supported":       false,
				"response_types_supported":              []any{"code"},
				"response_modes_supported":              []any{"query"},
				"grant_types_supported":                 []any{"authorization_code", "refresh_token"},
				"code_challenge_methods_supported":      []any{"S256"},
				"claims_supported":                      []any{"iss", "aud", "sub", "auth_time", "exp", "iat", "nonce", "nickname", "picture", "email"},
			}
			if diff := cmp.Diff(want, r.json(t)); diff != "" {
				t.Errorf("discovery mismatch (-want +got):\n%s", diff)
			}

			// The issuer advertised is the iss minted.
			_, j := e.idToken(t, "scope", "openid")
			if j.claims["iss"] != want["issuer"] {
				t.Errorf("iss = %v, want discovery's issuer %v", j.claims["iss"], want["issuer"])
			}
		})
	}
}

// Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key:
// keys[] of {kid, kty RSA, alg RS256, use sig, n, e}, n and e unpadded
// base64url.
func TestJWKS_Shape(t *testing.T) {
	e := newEnv(t, Config{})
	r := get(t, e.url+"/.well-known/jwks.json")
	if r.status != http.StatusOK || r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
		t.Fatalf("status %d, Content-Type %q", r.status, r.header.Get("Content-Type"))
	}
	var set map[string][]map[string]string
	if err := json.Unmarshal([]byte(r.body), &set); err != nil || len(set) != 1 || len(set["keys"]) != 1 {
		t.Fatalf("JWKS %s: want {\"keys\":[one key]} (%v)", r.body, err)
	}
	k := set["keys"][0]
	n, errN := base64.RawURLEncoding.DecodeString(k["n"])
	ex, errE := base64.RawURLEncoding.DecodeString(k["e"])
	if errN != nil || errE != nil || len(n) != 256 || n[0] == 0 {
		t.Errorf("n, e = %q, %q: want unpadded base64url, n of a 2048-bit modulus without leading zeros", k["n"], k["e"])
	}
	if diff := cmp.Diff([]byte{1, 0, 1}, ex); diff != "" {
		t.Errorf("e (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^[0-9a-f]{30}$`).MatchString(k["kid"]) {
		t.Errorf("kid = %q, want 30 hex characters", k["kid"])
	}
	delete(k, "n")
	delete(k, "e")
	delete(k, "kid")
	if diff := cmp.Diff(map[string]string{"kty": "RSA", "alg": "RS256", "use": "sig"}, k); diff != "" {
		t.Errorf("JWK mismatch (-want +got):\n%s", diff)
	}
	if r := do(t, http.MethodPost, e.url+"/.well-known/jwks.json", nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST jwks: %d, want 405", r.status)
	}
	if r := do(t, http.MethodPost, e.url+"/.well-known/openid-configuration", nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST discovery: %d, want 405", r.status)
	}
}
