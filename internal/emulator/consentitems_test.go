package emulator

import (
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// item is a /v2/user/scopes entry as JSON decodes it; revocable is set
// only for agreed items.
func item(id, name, typ string, using, agreed bool, revocable ...bool) map[string]any {
	m := map[string]any{"id": id, "display_name": name, "type": typ, "using": using, "agreed": agreed}
	if len(revocable) > 0 {
		m["revocable"] = revocable[0]
	}
	return m
}

var (
	nicknameAgreed  = item("profile_nickname", "닉네임", "PRIVACY", true, true, false)
	imageNotAgreed  = item("profile_image", "프로필 사진", "PRIVACY", true, false)
	emailAgreed     = item("account_email", "카카오계정(이메일)", "PRIVACY", true, true, true)
	emailNotAgreed  = item("account_email", "카카오계정(이메일)", "PRIVACY", true, false)
	messageAgreed   = item("talk_message", "카카오톡 메시지 전송", "SERVICE", true, true, true)
	messageNotAgred = item("talk_message", "카카오톡 메시지 전송", "SERVICE", true, false)
)

// scopesOf decodes a /v2/user/scopes answer into its id and items.
func scopesOf(t *testing.T, r response) (any, []any) {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.status, r.body)
	}
	m := r.json(t)
	items, _ := m["scopes"].([]any)
	return m["id"], items
}

// postForm posts form to a kapi path with a Bearer token.
func (e *env) postForm(t *testing.T, path, token string, form url.Values) response {
	t.Helper()
	h := http.Header{"Authorization": {"Bearer " + token}, "Content-Type": {"application/x-www-form-urlencoded;charset=utf-8"}}
	return do(t, http.MethodPost, e.url+path, h, strings.NewReader(form.Encode()))
}

// Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent:
// the app's items, each with the user's consent; revocable only on agreed
// items, false for required ones; openid is no item.
func TestScopes_ListsTheAppsItemsWithTheUsersConsent(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "openid profile_nickname talk_message")["access_token"].(string)
	id, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes", at))
	want := []any{nicknameAgreed, imageNotAgreed, emailNotAgreed, messageAgreed}
	if diff := cmp.Diff(want, items); diff != "" || id != float64(defaultUser.ID) {
		t.Errorf("id %v; scopes mismatch (-want +got):\n%s", id, diff)
	}
}

// Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent:
// with scopes, only those items; a JSON array (the doc's example) and a
// comma-separated list (its table) both work.
func TestScopes_FilterTakesAJSONArrayOrAList(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "profile_nickname talk_message")["access_token"].(string)
	for _, q := range []string{`["talk_message","account_email"]`, "talk_message,account_email", "talk_message account_email"} {
		_, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes?scopes="+url.QueryEscape(q), at))
		if diff := cmp.Diff([]any{emailNotAgreed, messageAgreed}, items); diff != "" {
			t.Errorf("scopes=%s mismatch (-want +got):\n%s", q, diff)
		}
	}
	r := e.bearer(t, http.MethodGet, "/v2/user/scopes?scopes="+url.QueryEscape(`["talk_message"`), at)
	if r.status != http.StatusBadRequest || r.json(t)["code"] != float64(-2) {
		t.Errorf("malformed JSON array: %d %s, want 400 -2", r.status, r.body)
	}
}

// Config.ScopesEnabled are the app's items, and Config.ScopesRequired the
// ones not revocable; an empty ScopesRequired makes every item revocable.
func TestScopes_FollowTheAppsSettings(t *testing.T) {
	tests := []struct {
		name     string
		required []string
		want     []any
	}{
		{"account_email required", []string{"account_email"}, []any{
			item("profile_nickname", "닉네임", "PRIVACY", true, true, true),
			item("account_email", "카카오계정(이메일)", "PRIVACY", true, true, false),
			item("gender", "성별", "PRIVACY", true, false),
		}},
		{"none required", []string{}, []any{
			item("profile_nickname", "닉네임", "PRIVACY", true, true, true),
			emailAgreed,
			item("gender", "성별", "PRIVACY", true, false),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{ScopesEnabled: []string{"openid", "profile_nickname", "account_email", "gender"},
				ScopesRequired: tt.required, User: User{ID: 7, Nickname: "Muzi", Agreed: []string{"profile_nickname", "account_email"}}})
			at := e.tokens(t)["access_token"].(string)
			_, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes", at))
			if diff := cmp.Diff(tt.want, items); diff != "" {
				t.Errorf("scopes mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent:
// an item agreed to that the app no longer uses is listed with using:false. The
// consent outlives a restart with another app setup.
func TestScopes_ItemNoLongerUsedIsListedUnused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{ScopesEnabled: []string{"profile_nickname", "talk_message"}}, path)
	at := e.tokens(t)["access_token"].(string)
	e.restart(t, Config{ScopesEnabled: []string{"profile_nickname", "account_email"}})
	_, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes", at))
	want := []any{nicknameAgreed, emailNotAgreed, item("talk_message", "카카오톡 메시지 전송", "SERVICE", false, true, true)}
	if diff := cmp.Diff(want, items); diff != "" {
		t.Errorf("scopes mismatch (-want +got):\n%s", diff)
	}
}

// Kakao's "동의 철회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#revoke-consent:
// revoking answers the list with the item now agreed:false. The user's tokens
// keep working but no longer give the item: /v2/user/me, userinfo and the ID
// and access tokens of a refresh leave it out, and a login asking for it needs
// consent again. Other users keep theirs.
func TestRevokeScopes_WithdrawsTheItemEverywhere(t *testing.T) {
	e := newEnv(t, Config{Users: []User{defaultUser, apeach}})
	ua := &UserAgent{Client: browser()} // Ryan's browser
	ryan := e.exchange(t, e.visit(t, ua, "login_hint", "ryan@example.com", "scope", "openid profile_nickname account_email talk_message"))
	peach := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "apeach@example.com", "scope", "profile_nickname account_email"))
	at := ryan["access_token"].(string)

	r := e.postForm(t, "/v2/user/revoke/scopes", at, url.Values{"scopes": {`["account_email","talk_message"]`}})
	id, items := scopesOf(t, r)
	if diff := cmp.Diff([]any{nicknameAgreed, imageNotAgreed, emailNotAgreed, messageNotAgred}, items); diff != "" || id != float64(defaultUser.ID) {
		t.Errorf("revoke answer: id %v; scopes mismatch (-want +got):\n%s", id, diff)
	}

	me := e.bearer(t, http.MethodGet, "/v2/user/me", at)
	if account, _ := me.json(t)["kakao_account"].(map[string]any); me.status != http.StatusOK || account["email"] != nil || account["email_needs_agreement"] != true {
		t.Errorf("/v2/user/me after revoking account_email: %d %s, want no email and email_needs_agreement", me.status, me.body)
	}
	if info := e.bearer(t, http.MethodGet, "/v1/oidc/userinfo", at).json(t); info["email"] != nil || info["nickname"] != "Ryan" {
		t.Errorf("userinfo = %v, want the nickname and no email", info)
	}
	tok := e.postToken(t, refreshForm(ryan["refresh_token"].(string))).json(t)
	if tok["scope"] != nil {
		t.Errorf("refresh answered scope %v; Kakao's refresh answers none", tok["scope"])
	}
	if _, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes?scopes=account_email", tok["access_token"].(string))); !cmp.Equal([]any{emailNotAgreed}, items) {
		t.Errorf("refreshed access token: account_email is %v, want still withdrawn", items)
	}
	if c := parseJWT(t, tok["id_token"].(string)).claims; c["email"] != nil || c["nickname"] != "Ryan" {
		t.Errorf("refreshed ID token claims %v, want no email", c)
	}
	p, err := ua.Visit(t.Context(), e.authorizeURL("prompt", "none", "scope", "talk_message"))
	if err != nil {
		t.Fatal(err)
	}
	if q := queryOf(t, p.URL); q.Get("error") != "consent_required" {
		t.Errorf("prompt=none for a withdrawn item: %v, want consent_required", q)
	}
	// Agreeing again brings the item back, for new tokens.
	again := e.exchange(t, e.visit(t, ua, "login_hint", "ryan@example.com", "scope", "talk_message"))
	if again["scope"] != "openid profile_nickname talk_message" {
		t.Errorf("scope after agreeing again = %v", again["scope"])
	}

	_, items = scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes?scopes=account_email", peach["access_token"].(string)))
	if diff := cmp.Diff([]any{emailAgreed}, items); diff != "" {
		t.Errorf("Apeach's consent after Ryan's revocation (-want +got):\n%s", diff)
	}
}

// The errors of Kakao's "동의 철회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#revoke-consent,
// each with Kakao's wording; a refused request changes nothing, even for the
// revocable items it names.
func TestRevokeScopes_Errors(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "openid profile_nickname talk_message")["access_token"].(string)
	tests := []struct {
		name   string
		scopes []string // nil: no scopes field
		status int
		want   map[string]any
	}{
		{"required item is -3", []string{`["talk_message","profile_nickname"]`}, 403,
			map[string]any{"code": float64(-3), "msg": "[profile_nickname] is not revocable. check out if it's set as required on developers.kakao.com"}},
		{"unknown ID is -2", []string{`["email"]`}, 400,
			map[string]any{"code": float64(-2), "msg": "There is no scopes to revoke. check out if given scope id([email]) is correct again."}},
		{"item not agreed to is -2", []string{"account_email,talk_message"}, 400,
			map[string]any{"code": float64(-2), "msg": "There is no scopes to revoke. check out if given scope id([account_email]) is correct again."}},
		{"openid is no consent item", []string{`["openid"]`}, 400,
			map[string]any{"code": float64(-2), "msg": "There is no scopes to revoke. check out if given scope id([openid]) is correct again."}},
		{"no scopes is -2", nil, 400, map[string]any{"code": float64(-2)}},
		{"empty array is -2", []string{`[]`}, 400, map[string]any{"code": float64(-2)}},
		{"malformed array is -2", []string{`["talk_message"`}, 400, map[string]any{"code": float64(-2)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.postForm(t, "/v2/user/revoke/scopes", at, url.Values{"scopes": tt.scopes})
			got := r.json(t)
			if _, ok := tt.want["msg"]; !ok {
				delete(got, "msg")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" || r.status != tt.status {
				t.Errorf("status %d, want %d; answer mismatch (-want +got):\n%s", r.status, tt.status, diff)
			}
		})
	}
	if r := e.bearer(t, http.MethodGet, "/v2/user/revoke/scopes", at); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET revoke: %d, want 405", r.status)
	}
	if r := e.postForm(t, "/v2/user/scopes", at, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST scopes: %d, want 405", r.status)
	}
	_, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes", at))
	if diff := cmp.Diff([]any{nicknameAgreed, imageNotAgreed, emailNotAgreed, messageAgreed}, items); diff != "" {
		t.Errorf("consent after refused revocations (-want +got):\n%s", diff)
	}
}

// A revocation is state: it outlives a restart.
func TestRevokeScopes_SurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	at := e.tokens(t, "scope", "profile_nickname talk_message")["access_token"].(string)
	if r := e.postForm(t, "/v2/user/revoke/scopes", at, url.Values{"scopes": {`["talk_message"]`}}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	e.restart(t, Config{})
	_, items := scopesOf(t, e.bearer(t, http.MethodGet, "/v2/user/scopes?scopes=talk_message", at))
	if diff := cmp.Diff([]any{messageNotAgred}, items); diff != "" {
		t.Errorf("after restart (-want +got):\n%s", diff)
	}
}
