package emulator

import (
	"net/http"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ID-token claims (Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token):
// iss, aud = client_id, sub = user id string, iat, exp = iat + 21600 (captured
// payloads: the whole six hours, where the access token's expires_in says
// 21599), auth_time, nonce only if sent, picture the 110×110 thumbnail
// (captured payloads), profile claims only with consent, email only with
// account_email; signed RS256 with a JWKS key; id_token comes in the token
// response (Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
func TestIDToken_CodeExchangeClaimsFollowScopes(t *testing.T) {
	t0 := newClock().Now()
	exchanged := t0.Add(time.Minute)
	base := func(extra map[string]any) map[string]any {
		m := map[string]any{
			"aud": DefaultClientID, "sub": "4000000001",
			"iat": unix(exchanged.Unix()), "exp": unix(exchanged.Unix() + 21600),
			"auth_time": unix(t0.Unix()),
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	pic := "https://example.com/emulator/ryan_110x110.jpg" // defaultUser's 640×640 image, as Kakao names the thumbnail
	tests := []struct {
		name      string
		user      User
		kv        []string
		wantScope string
		want      map[string]any // without iss
	}{
		{"openid alone has no profile claims", User{}, []string{"scope", "openid"},
			"openid", base(nil)},
		{"nonce is copied", User{}, []string{"scope", "openid", "nonce", "n-0S6_WzA2Mj"},
			"openid", base(map[string]any{"nonce": "n-0S6_WzA2Mj"})},
		{"profile_nickname gives nickname and picture", User{}, []string{"scope", "openid,profile_nickname"},
			"openid profile_nickname", base(map[string]any{"nickname": "Ryan", "picture": pic})},
		{"profile gives nickname and picture", User{}, []string{"scope", "openid profile"},
			"openid profile", base(map[string]any{"nickname": "Ryan", "picture": pic})},
		{"profile_image gives picture alone", User{}, []string{"scope", "openid profile_image"},
			"openid profile_image", base(map[string]any{"picture": pic})},
		{"account_email gives email", User{}, []string{"scope", "openid account_email profile_nickname", "nonce", "abc"},
			"account_email openid profile_nickname", base(map[string]any{"nickname": "Ryan", "picture": pic, "email": "ryan@example.com", "nonce": "abc"})},
		{"no email without an address", User{ID: 7, Nickname: "Muzi"}, []string{"scope", "openid account_email profile_nickname"},
			"account_email openid profile_nickname", base(map[string]any{"sub": "7", "nickname": "Muzi"})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{User: tt.user})
			code := e.login(t, tt.kv...)
			e.clock.Advance(time.Minute) // auth_time is the login, iat the exchange
			r := e.postToken(t, e.codeForm(code))
			tok := r.json(t)
			raw, _ := tok["id_token"].(string)
			if r.status != http.StatusOK || raw == "" {
				t.Fatalf("exchange: %d %s, want an id_token", r.status, r.body)
			}
			if tok["scope"] != tt.wantScope {
				t.Errorf("scope = %v, want %q", tok["scope"], tt.wantScope)
			}
			j := parseJWT(t, raw)
			if err := verifyRS256(j, e.jwks(t)); err != nil {
				t.Errorf("verify with JWKS: %v", err)
			}
			if diff := cmp.Diff(map[string]any{"alg": "RS256", "kid": j.header["kid"], "typ": "JWT"}, j.header); diff != "" {
				t.Errorf("header mismatch (-want +got):\n%s", diff)
			}
			if j.claims["iss"] != e.url {
				t.Errorf("iss = %v, want the base URL %s", j.claims["iss"], e.url)
			}
			delete(j.claims, "iss")
			if diff := cmp.Diff(tt.want, j.claims); diff != "" {
				t.Errorf("claims mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Kakao's "추가 항목 동의 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent:
// with OIDC on, the request must include openid or no new ID token is issued —
// even when openid was agreed to at an earlier login.
func TestIDToken_NoneWithoutOpenID(t *testing.T) {
	e := newEnv(t, Config{})
	if tok := e.tokens(t, "scope", "profile_nickname"); tok["id_token"] != nil {
		t.Errorf("no openid: id_token %v, want none", tok["id_token"])
	}
	e.idToken(t, "scope", "openid")
	tok := e.tokens(t, "scope", "profile_nickname")
	if tok["id_token"] != nil {
		t.Errorf("openid agreed before, not asked now: id_token %v, want none", tok["id_token"])
	}
	if tok["scope"] != "openid profile_nickname" {
		t.Errorf("scope = %v, want every agreed item", tok["scope"])
	}
}

// Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token:
// with OIDC on, an ID token comes with every code exchange without extra params
// — a login without scope asks for every set-up item.
func TestIDToken_DefaultConsentOfScopesEnabled(t *testing.T) {
	tests := []struct {
		name      string
		enabled   []string
		wantScope string
		wantID    bool
	}{
		// Config's default: every scope set up, OIDC on.
		{"default app", nil, "openid", true},
		{"OIDC on", []string{"openid", "profile_nickname"}, "openid profile_nickname", true},
		{"OIDC off", []string{"profile_nickname", "account_email"}, "account_email profile_nickname", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{ScopesEnabled: tt.enabled})
			tok := e.tokens(t)
			if tok["scope"] != tt.wantScope || (tok["id_token"] != nil) != tt.wantID {
				t.Errorf("token response %v: want scope %q, id_token %v", tok, tt.wantScope, tt.wantID)
			}
		})
	}
}

// Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token:
// on refresh, id_token only if the refresh token was issued with one: fresh
// iat/exp, the grant's auth_time, no nonce; a rotated refresh token keeps the
// property.
func TestIDToken_RefreshOnlyWhenGrantHadOne(t *testing.T) {
	tests := []struct {
		name   string
		cfg    Config
		kv     []string
		wantID bool
	}{
		{"grant with ID token", Config{}, []string{"scope", "openid profile_nickname", "nonce", "n1"}, true},
		{"grant with ID token, rotating refresh tokens", Config{RefreshTTL: 24 * time.Hour}, []string{"scope", "openid", "nonce", "n1"}, true},
		{"grant without ID token", Config{}, []string{"scope", "profile_nickname"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			t0 := e.clock.Now()
			rt := e.tokens(t, tt.kv...)["refresh_token"].(string)
			for i := range 2 {
				e.clock.Advance(time.Hour)
				r := e.postToken(t, refreshForm(rt))
				got := r.json(t)
				if r.status != http.StatusOK {
					t.Fatalf("refresh %d: %d %s", i, r.status, r.body)
				}
				if next, ok := got["refresh_token"].(string); ok {
					rt = next
				}
				raw, _ := got["id_token"].(string)
				if (raw != "") != tt.wantID {
					t.Fatalf("refresh %d: id_token %q, want one: %v", i, raw, tt.wantID)
				}
				if raw == "" {
					continue
				}
				j := parseJWT(t, raw)
				if err := verifyRS256(j, e.jwks(t)); err != nil {
					t.Errorf("refresh %d: verify: %v", i, err)
				}
				now := e.clock.Now()
				if j.claims["iat"] != unix(now.Unix()) || j.claims["exp"] != unix(now.Unix()+21600) {
					t.Errorf("refresh %d: iat %v exp %v, want fresh ones from %v", i, j.claims["iat"], j.claims["exp"], now)
				}
				if j.claims["auth_time"] != unix(t0.Unix()) {
					t.Errorf("refresh %d: auth_time %v, want the login's %d", i, j.claims["auth_time"], t0.Unix())
				}
				if n, ok := j.claims["nonce"]; ok {
					t.Errorf("refresh %d: nonce %v, want none", i, n)
				}
			}
		})
	}
}
