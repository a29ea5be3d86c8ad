package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// Kakao's "추가 항목 동의 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent,
// and the KOE205 "Invalid scope: openid" of
// https://github.com/nextauthjs/next-auth/pull/3501: a consent item the app has
// not set up is KOE205 on Kakao's own error page, never a redirect; so is
// openid while OpenID Connect is off ("Invalid scope: openid").
func TestAuthorize_ScopeNotEnabledIsKOE205(t *testing.T) {
	tests := []struct {
		name    string
		enabled []string
		scope   string
		want    string // on the page, besides KOE205
	}{
		{"item not set up", []string{"openid", "profile_nickname"}, "profile_nickname,account_email", "Invalid scope: account_email"},
		{"openid while OIDC is off", []string{"profile_nickname"}, "openid profile_nickname", "Invalid scope: openid"},
		{"every missing item is named", []string{"talk_message"}, "openid,account_email", "Invalid scope: openid, account_email"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{ScopesEnabled: tt.enabled, AutoApprove: true})
			r := get(t, e.authorizeURL("scope", tt.scope, "state", "st"))
			if r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
				t.Errorf("status %d, Location %q: want 400 and no redirect", r.status, r.header.Get("Location"))
			}
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type = %q, want text/html", ct)
			}
			if !strings.Contains(r.body, "KOE205") || !strings.Contains(r.body, tt.want) {
				t.Errorf("page does not show KOE205 and %q:\n%s", tt.want, r.body)
			}
		})
	}
}

// Config.ScopesEnabled: set-up items pass, and nil accepts every scope.
func TestAuthorize_EnabledScopesPass(t *testing.T) {
	tests := []struct {
		name    string
		enabled []string
		scope   string
	}{
		{"default accepts anything", nil, "openid,talk_message,whatever"},
		{"subset of enabled items", []string{"openid", "profile_nickname", "talk_message"}, "openid talk_message"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{ScopesEnabled: tt.enabled, AutoApprove: true})
			r := get(t, e.authorizeURL("scope", tt.scope))
			if r.status != http.StatusFound || queryOf(t, r.header.Get("Location")).Get("code") == "" {
				t.Errorf("status %d, Location %q: want a redirect with a code", r.status, r.header.Get("Location"))
			}
		})
	}
}
