package emulator

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Kakao's "OpenID Connect 사용자 정보 가져오기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-user-info:
// sub and the claims the token's consent allows; openid is required, and
// without it the answer is kapi's -402 shape (the emulator's reading: Kakao's
// guide does not say).
func TestUserInfo_FollowsScopes(t *testing.T) {
	pic := defaultUser.ProfileImageURL
	tests := []struct {
		name   string
		scope  string
		status int
		want   map[string]any
	}{
		{"openid alone", "openid", 200, map[string]any{"sub": "4000000001"}},
		{"with profile", "openid,profile_nickname", 200, map[string]any{"sub": "4000000001", "nickname": "Ryan", "picture": pic}},
		{"with email", "openid account_email", 200, map[string]any{"sub": "4000000001", "email": "ryan@example.com", "email_verified": true}},
		{"without openid is -402", "profile_nickname account_email", 403, map[string]any{
			"msg": "MSG", "code": float64(-402), "api_type": "OIDC_USER_INFO",
			"required_scopes": []any{"openid"}, "allowed_scopes": []any{"account_email", "profile_nickname"},
		}},
		// Kakao's "OpenID Connect ID 토큰 발급하기",
		// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token:
		// with OIDC on, a login without scope gets openid.
		{"no scope, OIDC on", "", 200, map[string]any{"sub": "4000000001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			at := e.tokens(t, "scope", tt.scope)["access_token"].(string)
			r := e.bearer(t, http.MethodGet, "/v1/oidc/userinfo", at)
			if r.status != tt.status || r.header.Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("status %d (Content-Type %q), want %d: %s", r.status, r.header.Get("Content-Type"), tt.status, r.body)
			}
			got := r.json(t)
			if _, ok := got["msg"]; ok {
				got["msg"] = "MSG"
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The API errors of Kakao's REST API reference, "응답 코드",
// https://developers.kakao.com/docs/latest/ko/rest-api/reference apply to
// userinfo as to every kapi endpoint.
func TestUserInfo_KAPIErrors(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "openid")["access_token"].(string)
	tests := []struct {
		name   string
		token  string
		method string
		status int
		code   float64
	}{
		{"unknown token is -401", "emu_at_made-up", http.MethodGet, 401, -401},
		{"wrong method is -2", at, http.MethodDelete, 405, -2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.bearer(t, tt.method, "/v1/oidc/userinfo", tt.token)
			if r.status != tt.status || r.json(t)["code"] != tt.code {
				t.Errorf("%d %s, want %d code %v", r.status, r.body, tt.status, tt.code)
			}
		})
	}
	e.clock.Advance(DefaultAccessTTL)
	r := e.bearer(t, http.MethodGet, "/v1/oidc/userinfo", at)
	if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != "Bearer error=invalid_token" {
		t.Errorf("expired token: %d %q, want 401 with WWW-Authenticate", r.status, r.header.Get("WWW-Authenticate"))
	}
}
