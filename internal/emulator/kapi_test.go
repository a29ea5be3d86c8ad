package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Kakao's "토큰 정보 보기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#get-token-info:
// {"id","expires_in" (remaining s),"app_id"}.
func TestKAPI_AccessTokenInfo(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t)["access_token"].(string)
	e.clock.Advance(time.Hour)
	r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at)
	want := map[string]any{"id": float64(4000000001), "expires_in": float64(5*3600 - 1), "app_id": float64(appID(DefaultClientID))}
	if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != http.StatusOK {
		t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestKAPI_AppIDStablePerClient(t *testing.T) {
	if appID("key-a") != appID("key-a") || appID("key-a") == appID("key-b") {
		t.Errorf("appID not stable and distinct: %d %d", appID("key-a"), appID("key-b"))
	}
	if id := appID(DefaultClientID); id < 100000 || id > 999999 {
		t.Errorf("appID = %d, want six digits", id)
	}
}

// Kakao's "사용자 정보 가져오기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#req-user-info:
// kakao_account parts appear only for agreed scopes; otherwise
// *_needs_agreement is true. The app here has the single profile item
// (프로필 정보); the split items are kapi_split_test.go's.
func TestKAPI_UserMeFollowsScopes(t *testing.T) {
	connectedAt := "2026-01-02T03:04:05Z" // newClock's time, when consent was given
	profile := map[string]any{
		"nickname":            "Ryan",
		"thumbnail_image_url": "https://example.com/emulator/ryan_110x110.jpg",
		"profile_image_url":   defaultUser.ProfileImageURL,
		"is_default_image":    false,
		"is_default_nickname": false,
	}
	properties := map[string]any{
		"nickname":        "Ryan",
		"profile_image":   defaultUser.ProfileImageURL,
		"thumbnail_image": "https://example.com/emulator/ryan_110x110.jpg",
	}
	tests := []struct {
		scope string
		want  map[string]any
	}{
		{"openid", map[string]any{
			"id": float64(4000000001), "connected_at": connectedAt,
			"kakao_account": map[string]any{"profile_needs_agreement": true, "email_needs_agreement": true},
		}},
		{"profile", map[string]any{
			"id": float64(4000000001), "connected_at": connectedAt, "properties": properties,
			"kakao_account": map[string]any{"profile_needs_agreement": false, "profile": profile, "email_needs_agreement": true},
		}},
		{"profile account_email", map[string]any{
			"id": float64(4000000001), "connected_at": connectedAt, "properties": properties,
			"kakao_account": map[string]any{
				"profile_needs_agreement": false, "profile": profile,
				"email_needs_agreement": false, "email": "ryan@example.com", "is_email_valid": true, "is_email_verified": true,
			},
		}},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			t.Run(tt.scope+" "+method, func(t *testing.T) {
				e := newEnv(t, Config{ScopesEnabled: []string{"openid", "profile", "account_email"}})
				at := e.tokens(t, "scope", tt.scope)["access_token"].(string)
				r := e.bearer(t, method, "/v2/user/me", at)
				if diff := cmp.Diff(tt.want, r.json(t)); diff != "" || r.status != http.StatusOK {
					t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
				}
			})
		}
	}
}

func TestKAPI_UserMeUsesConfiguredUser(t *testing.T) {
	e := newEnv(t, Config{User: User{ID: 42, Nickname: "Apeach"}})
	at := e.tokens(t, "scope", "profile_nickname,profile_image,account_email")["access_token"].(string)
	got := e.bearer(t, http.MethodGet, "/v2/user/me", at).json(t)
	account := got["kakao_account"].(map[string]any)
	if got["id"] != float64(42) || account["profile"].(map[string]any)["is_default_image"] != true || account["email"] != nil {
		t.Errorf("user/me = %v, want id 42, a default image and no email", got)
	}
}

// Kakao's REST API reference, "응답 코드",
// https://developers.kakao.com/docs/latest/ko/rest-api/reference: -401 with
// WWW-Authenticate for a bad token, and for no Authorization header at all, in
// Kakao's words (https://devtalk.kakao.com/t/topic/134883); -2 for a malformed
// one.
func TestKAPI_Errors(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t)["access_token"].(string)
	invalid := map[string]any{"msg": "this access token does not exist", "code": float64(-401)}
	tests := []struct {
		name   string
		method string
		header http.Header
		status int
		want   map[string]any // without msg unless it matters
	}{
		{"unknown token is -401", http.MethodGet, http.Header{"Authorization": {"Bearer emu_at_made-up"}}, 401, invalid},
		{"scheme is case-insensitive", http.MethodGet, http.Header{"Authorization": {"bearer " + at}}, 200, nil},
		{"missing header is -401", http.MethodGet, nil, 401, map[string]any{"msg": "no authentication key!", "code": float64(-401)}},
		{"Basic scheme is -2", http.MethodGet, http.Header{"Authorization": {"Basic " + at}}, 400, map[string]any{"code": float64(-2)}},
		{"KakaoAK scheme is -2", http.MethodGet, http.Header{"Authorization": {"KakaoAK admin-key"}}, 400, map[string]any{"code": float64(-2)}},
		{"Bearer without token is -2", http.MethodGet, http.Header{"Authorization": {"Bearer "}}, 400, map[string]any{"code": float64(-2)}},
		{"token alone is -2", http.MethodGet, http.Header{"Authorization": {at}}, 400, map[string]any{"code": float64(-2)}},
		{"wrong method is 405 -2", http.MethodDelete, http.Header{"Authorization": {"Bearer " + at}}, 405, map[string]any{"code": float64(-2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, tt.method, e.url+"/v1/user/access_token_info", tt.header, nil)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.body)
			}
			if tt.want == nil {
				return
			}
			got := r.json(t)
			if _, ok := tt.want["msg"]; !ok {
				delete(got, "msg")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("answer mismatch (-want +got):\n%s", diff)
			}
			wantAuth := ""
			switch {
			case tt.header == nil:
				// RFC 6750 §3.1: no error code when no credentials came.
				wantAuth = "Bearer"
			case tt.status == 401:
				wantAuth = "Bearer error=invalid_token"
			}
			if got := r.header.Get("WWW-Authenticate"); got != wantAuth {
				t.Errorf("WWW-Authenticate = %q, want %q", got, wantAuth)
			}
		})
	}
}

// Kakao's token lifetimes,
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token: an
// access token dies after its lifetime (-401, then a refresh).
func TestKAPI_ExpiredTokenIsMinus401(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t)["access_token"].(string)
	e.clock.Advance(DefaultAccessTTL - time.Second)
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", at); r.status != http.StatusOK {
		t.Fatalf("before expiry: %d", r.status)
	}
	e.clock.Advance(time.Second)
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", at); r.status != http.StatusUnauthorized || r.json(t)["code"] != float64(-401) {
		t.Errorf("at expiry: %d %s, want 401 -401", r.status, r.body)
	}
}

// Kakao's "로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout:
// expires the user's tokens for the app; consent stays.
func TestKAPI_LogoutRevokesTokensKeepsConsent(t *testing.T) {
	e := newEnv(t, Config{ClientIDs: []string{DefaultClientID, "other-key"}})
	tok := e.tokens(t)
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	other := e.postToken(t, e.codeForm(e.login(t, "client_id", "other-key"), "client_id", "other-key")).json(t)

	if r := e.bearer(t, http.MethodGet, "/v1/user/logout", at); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET logout: %d, want 405", r.status)
	}
	r := e.bearer(t, http.MethodPost, "/v1/user/logout", at)
	if diff := cmp.Diff(map[string]any{"id": float64(4000000001)}, r.json(t)); diff != "" || r.status != http.StatusOK {
		t.Fatalf("logout: status %d (-want +got):\n%s", r.status, diff)
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at); r.status != http.StatusUnauthorized {
		t.Errorf("access token after logout: %d, want 401", r.status)
	}
	assertKOE322(t, e, rt)
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", other["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("other client's token after logout: %d, want still valid", r.status)
	}
	if q := queryOf(t, get(t, e.authorizeURL("prompt", "none")).header.Get("Location")); q.Get("code") == "" {
		t.Errorf("prompt=none after logout: %v, want a code (consent kept)", q)
	}
}

// Kakao's "연결 끊기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#unlink, and
// Kakao DevTalk's answer on KOE322,
// https://devtalk.kakao.com/t/koe322-expired-or-invalid-refresh-token/126899:
// revokes tokens and consent.
func TestKAPI_UnlinkRevokesTokensAndConsent(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.tokens(t, "scope", "talk_message")
	at, rt := tok["access_token"].(string), tok["refresh_token"].(string)
	pendingCode := queryOf(t, get(t, e.authorizeURL()).header.Get("Location")).Get("code")

	r := e.bearer(t, http.MethodPost, "/v1/user/unlink", at)
	if diff := cmp.Diff(map[string]any{"id": float64(4000000001)}, r.json(t)); diff != "" || r.status != http.StatusOK {
		t.Fatalf("unlink: status %d (-want +got):\n%s", r.status, diff)
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at); r.status != http.StatusUnauthorized {
		t.Errorf("access token after unlink: %d, want 401", r.status)
	}
	assertKOE322(t, e, rt)
	if r := e.postToken(t, e.codeForm(pendingCode)); oauthError(t, r)["error_code"] != "KOE320" {
		t.Errorf("code issued before unlink: %s, want KOE320", r.body)
	}
	if q := queryOf(t, get(t, e.authorizeURL("prompt", "none")).header.Get("Location")); q.Get("error") != "consent_required" {
		t.Errorf("prompt=none after unlink: %v, want consent_required", q)
	}
	if r := get(t, e.authorizeURL()); r.status != http.StatusOK {
		t.Errorf("login after unlink: %d, want the consent page again", r.status)
	}
}

// Kakao's "로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout: with
// a Bearer token, Kakao expires only that access token (and, the emulator's
// reading, its refresh token); the same user's other logins to the app, such as
// another machine's, stay logged in.
func TestKAPI_LogoutRevokesOnlyThatTokenAndItsRefreshToken(t *testing.T) {
	e := newEnv(t, Config{})
	first := e.tokens(t, "scope", "profile_nickname")
	// A refresh without rotation pairs its access token with the same
	// refresh token.
	refreshed := e.postToken(t, refreshForm(first["refresh_token"].(string))).json(t)
	second := e.tokens(t, "scope", "profile_nickname") // the same user, another login

	r := e.bearer(t, http.MethodPost, "/v1/user/logout", refreshed["access_token"].(string))
	if r.status != http.StatusOK {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", refreshed["access_token"].(string)); r.status != http.StatusUnauthorized {
		t.Errorf("the access token logged out with: %d, want 401", r.status)
	}
	assertKOE322(t, e, first["refresh_token"].(string))
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", first["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("an earlier access token of the same login: %d, want still valid (only that access token)", r.status)
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", second["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("the other login's access token: %d, want still valid", r.status)
	}
	if r := e.postToken(t, refreshForm(second["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("the other login's refresh token: %d %s, want still valid", r.status, r.body)
	}
}
