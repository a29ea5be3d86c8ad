package emulator

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// An app that uses the split profile items (닉네임 profile_nickname and
// 프로필 사진 profile_image, as new apps do and as the emulator's app does
// by default) gets each part of the profile only with its own consent,
// and profile_nickname_needs_agreement / profile_image_needs_agreement in
// place of profile_needs_agreement (Kakao's "사용자 정보 가져오기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#req-user-info,
// and the REST API reference's kakao_account). An app set up with the
// single 프로필 정보 item (profile) keeps profile_needs_agreement.
func TestKAPI_UserMeSplitsTheProfileOfASplitApp(t *testing.T) {
	nickname := map[string]any{"nickname": "Ryan", "is_default_nickname": false}
	image := map[string]any{
		"thumbnail_image_url": "https://example.com/emulator/ryan_110x110.jpg",
		"profile_image_url":   defaultUser.ProfileImageURL,
		"is_default_image":    false,
	}
	both := map[string]any{}
	for k, v := range nickname {
		both[k] = v
	}
	for k, v := range image {
		both[k] = v
	}
	tests := []struct {
		name           string
		enabled        []string
		scope          string
		wantAccount    map[string]any
		wantProperties map[string]any
	}{
		{"split, no consent", nil, "account_email", map[string]any{
			"profile_nickname_needs_agreement": true, "profile_image_needs_agreement": true,
			"email_needs_agreement": false, "email": "ryan@example.com", "is_email_valid": true, "is_email_verified": true,
		}, nil},
		{"split, nickname only", nil, "profile_nickname", map[string]any{
			"profile_nickname_needs_agreement": false, "profile_image_needs_agreement": true,
			"profile": nickname, "email_needs_agreement": true,
		}, map[string]any{"nickname": "Ryan"}},
		{"split, image only", nil, "profile_image", map[string]any{
			"profile_nickname_needs_agreement": true, "profile_image_needs_agreement": false,
			"profile": image, "email_needs_agreement": true,
		}, map[string]any{"profile_image": defaultUser.ProfileImageURL, "thumbnail_image": "https://example.com/emulator/ryan_110x110.jpg"}},
		{"split, both", nil, "profile_nickname,profile_image", map[string]any{
			"profile_nickname_needs_agreement": false, "profile_image_needs_agreement": false,
			"profile": both, "email_needs_agreement": true,
		}, map[string]any{"nickname": "Ryan", "profile_image": defaultUser.ProfileImageURL, "thumbnail_image": "https://example.com/emulator/ryan_110x110.jpg"}},
		{"single item", []string{"profile", "account_email"}, "profile", map[string]any{
			"profile_needs_agreement": false, "profile": both, "email_needs_agreement": true,
		}, map[string]any{"nickname": "Ryan", "profile_image": defaultUser.ProfileImageURL, "thumbnail_image": "https://example.com/emulator/ryan_110x110.jpg"}},
		{"single item, no consent", []string{"profile", "account_email"}, "account_email", map[string]any{
			"profile_needs_agreement": true,
			"email_needs_agreement":   false, "email": "ryan@example.com", "is_email_valid": true, "is_email_verified": true,
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{ScopesEnabled: tt.enabled})
			at := e.tokens(t, "scope", tt.scope)["access_token"].(string)
			r := e.bearer(t, http.MethodGet, "/v2/user/me", at)
			got := r.json(t)
			if diff := cmp.Diff(tt.wantAccount, got["kakao_account"]); diff != "" || r.status != http.StatusOK {
				t.Errorf("status %d; kakao_account mismatch (-want +got):\n%s", r.status, diff)
			}
			var gotProperties map[string]any
			if p, ok := got["properties"].(map[string]any); ok {
				gotProperties = p
			}
			if diff := cmp.Diff(tt.wantProperties, gotProperties); diff != "" {
				t.Errorf("properties mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
