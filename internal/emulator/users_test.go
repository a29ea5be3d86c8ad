package emulator

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Two accounts besides the default: Apeach agrees to everything asked,
// Muzi only to the nickname (he unticks the optional items).
var (
	apeach = User{ID: 5000000002, Nickname: "Apeach", Email: "apeach@example.com", ProfileImageURL: "https://example.com/apeach.jpg"}
	muzi   = User{ID: 5000000003, Nickname: "Muzi", Email: "muzi@example.com", Agreed: []string{"profile_nickname"}}
)

func twoUsers() Config { return Config{Users: []User{defaultUser, apeach, muzi}} }

// visit runs ua through the authorize URL built from kv and returns the code.
func (e *env) visit(t *testing.T, ua *UserAgent, kv ...string) string {
	t.Helper()
	p, err := ua.Visit(t.Context(), e.authorizeURL(kv...))
	if err != nil {
		t.Fatalf("Visit: %v", err)
	}
	code := queryOf(t, p.URL).Get("code")
	if code == "" {
		t.Fatalf("no code: ended on %q (status %d):\n%s", p.URL, p.StatusCode, p.Body)
	}
	return code
}

// exchange swaps code for tokens.
func (e *env) exchange(t *testing.T, code string) map[string]any {
	t.Helper()
	r := e.postToken(t, e.codeForm(code))
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	return r.json(t)
}

// The login_hint forms that pick Apeach: her email (any case), her ID, her
// nickname.
func TestUsers_LoginHintPreselectsTheUserAndEveryAnswerIsHers(t *testing.T) {
	for _, hint := range []string{"apeach@example.com", "APEACH@example.com", "5000000002", "Apeach"} {
		t.Run(hint, func(t *testing.T) {
			e := newEnv(t, twoUsers())
			tok := e.exchange(t, e.visit(t, &UserAgent{Client: browser()},
				"login_hint", hint, "scope", "openid profile_nickname account_email", "nonce", "n1"))
			at := tok["access_token"].(string)

			me := e.bearer(t, http.MethodGet, "/v2/user/me", at).json(t)
			account, _ := me["kakao_account"].(map[string]any)
			profile, _ := account["profile"].(map[string]any)
			if me["id"] != float64(apeach.ID) || account["email"] != apeach.Email || profile["nickname"] != "Apeach" {
				t.Errorf("/v2/user/me = %v, want Apeach's", me)
			}
			info := e.bearer(t, http.MethodGet, "/v1/oidc/userinfo", at).json(t)
			if diff := cmp.Diff(map[string]any{"sub": "5000000002", "nickname": "Apeach", "picture": apeach.ProfileImageURL,
				"email": apeach.Email, "email_verified": true}, info); diff != "" {
				t.Errorf("userinfo mismatch (-want +got):\n%s", diff)
			}
			claims := parseJWT(t, tok["id_token"].(string)).claims
			if claims["sub"] != "5000000002" || claims["email"] != apeach.Email || claims["nickname"] != "Apeach" {
				t.Errorf("ID token claims %v, want Apeach's", claims)
			}
			if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at).json(t); r["id"] != float64(apeach.ID) {
				t.Errorf("access_token_info = %v, want Apeach's id", r)
			}
			// A refresh keeps the user, and so does its ID token.
			r := e.postToken(t, refreshForm(tok["refresh_token"].(string)))
			if c := parseJWT(t, r.json(t)["id_token"].(string)).claims; c["sub"] != "5000000002" {
				t.Errorf("refreshed ID token sub = %v, want Apeach's", c["sub"])
			}
		})
	}
}

func TestUsers_PickerListsEveryUserAndPreselectsTheHint(t *testing.T) {
	evil := User{ID: 7, Nickname: `<script>alert(1)</script>`, Email: `"onmouseover="x@example.com`}
	e := newEnv(t, Config{Users: []User{defaultUser, apeach, evil}})
	r := get(t, e.authorizeURL("login_hint", "apeach@example.com"))
	if r.status != http.StatusOK {
		t.Fatalf("authorize: %d, want the consent page", r.status)
	}
	for _, want := range []string{
		`value="4000000001" data-email="ryan@example.com" data-nickname="Ryan">`,
		`value="5000000002" data-email="apeach@example.com" data-nickname="Apeach" checked>`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`data-email="&#34;onmouseover=&#34;x@example.com"`,
	} {
		if !strings.Contains(r.body, want) {
			t.Errorf("consent page lacks %q:\n%s", want, r.body)
		}
	}
	if strings.Contains(r.body, "<script>alert") {
		t.Errorf("consent page carries the nickname unescaped:\n%s", r.body)
	}
}

// Kakao's "인가 코드 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
// prompt: select_account is the account picker. It shows even when AutoApprove
// would otherwise press Agree, and even for an account that is signed in and
// has consented.
func TestUsers_SelectAccountAlwaysShowsThePicker(t *testing.T) {
	cfg := twoUsers()
	cfg.AutoApprove = true
	e := newEnv(t, cfg)
	if r := get(t, e.authorizeURL()); r.status != http.StatusFound {
		t.Fatalf("AutoApprove without prompt: %d, want 302", r.status)
	}
	r := get(t, e.authorizeURL("prompt", "select_account"))
	if r.status != http.StatusOK || !strings.Contains(r.body, `name="user"`) {
		t.Errorf("prompt=select_account: %d, want the picker:\n%s", r.status, r.body)
	}
}

// The emulator's Kakao Account session: once a browser picked an account,
// the next login of a consented app goes straight back with a code for it,
// and select_account preselects it.
func TestUsers_BrowserSessionRemembersTheAccount(t *testing.T) {
	e := newEnv(t, twoUsers())
	ua := &UserAgent{Client: browser(), User: "apeach@example.com"}
	e.exchange(t, e.visit(t, ua))

	r, err := ua.Client.Do(mustRequest(t, e.authorizeURL()))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.Request.URL.Path != "/callback" {
		t.Fatalf("second login ended on %s, want the callback at once", r.Request.URL)
	}
	at := e.exchange(t, r.Request.URL.Query().Get("code"))["access_token"].(string)
	if me := e.bearer(t, http.MethodGet, "/v2/user/me", at).json(t); me["id"] != float64(apeach.ID) {
		t.Errorf("second login's user = %v, want Apeach", me["id"])
	}
	p, err := (&UserAgent{Client: ua.Client, Decision: Cancel}).Visit(t.Context(), e.authorizeURL("prompt", "select_account"))
	if err != nil {
		t.Fatal(err)
	}
	if queryOf(t, p.URL).Get("error") != "access_denied" {
		t.Errorf("select_account with a session ended on %q, want the picker (then Cancel)", p.URL)
	}
	// A fresh browser has no session: the picker again.
	if r := get(t, e.authorizeURL()); r.status != http.StatusOK {
		t.Errorf("fresh browser: %d, want the picker", r.status)
	}
}

func mustRequest(t *testing.T, target string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// Muzi agreed to the nickname only: asking for more grants only that, and
// his answers say the rest needs agreement.
func TestUsers_AgreedItemsCapTheGrant(t *testing.T) {
	e := newEnv(t, twoUsers())
	tok := e.exchange(t, e.visit(t, &UserAgent{User: "muzi@example.com"}, "scope", "openid profile_nickname account_email"))
	if tok["scope"] != "openid profile_nickname" {
		t.Errorf("scope = %v, want openid profile_nickname (openid is not a consent item)", tok["scope"])
	}
	me := e.bearer(t, http.MethodGet, "/v2/user/me", tok["access_token"].(string)).json(t)
	account, _ := me["kakao_account"].(map[string]any)
	if me["id"] != float64(muzi.ID) || account["email_needs_agreement"] != true || account["email"] != nil {
		t.Errorf("/v2/user/me = %v, want Muzi without email", me)
	}
	if c := parseJWT(t, tok["id_token"].(string)).claims; c["email"] != nil || c["nickname"] != "Muzi" {
		t.Errorf("ID token claims %v, want Muzi's nickname and no email", c)
	}
}

// With several accounts, Agree needs one picked; a missing choice shows the
// page again on the same (still valid) request, a made-up one is refused.
func TestUsers_ConsentNeedsAKnownAccount(t *testing.T) {
	e := newEnv(t, twoUsers())
	page := get(t, e.authorizeURL("login_hint", "nobody@example.com"))
	if page.status != http.StatusOK || strings.Contains(page.body, " checked>") || !strings.Contains(page.body, "nobody@example.com") {
		t.Fatalf("unmatched login_hint: %d, want the picker with nothing chosen and the hint named:\n%s", page.status, page.body)
	}
	tx := consentTxRE().FindStringSubmatch(page.body)[1]
	post := func(v url.Values) response {
		return e.sendForm(t, http.MethodPost, consentAction, v)
	}
	if r := post(url.Values{"tx": {tx}, "action": {"agree"}}); r.status != http.StatusOK || !strings.Contains(r.body, "Choose an account") {
		t.Fatalf("agree without a user: %d, want the picker again:\n%s", r.status, r.body)
	}
	if r := post(url.Values{"tx": {tx}, "action": {"agree"}, "user": {"123"}}); r.status != http.StatusOK || !strings.Contains(r.body, "Choose an account") {
		t.Fatalf("agree with an unknown user: %d, want the picker again:\n%s", r.status, r.body)
	}
	r := post(url.Values{"tx": {tx}, "action": {"agree"}, "user": {"5000000002"}})
	if r.status != http.StatusFound || queryOf(t, r.header.Get("Location")).Get("code") == "" {
		t.Fatalf("agree as Apeach: %d %v, want a redirect with a code", r.status, r.header)
	}
	if c := r.header.Get("Set-Cookie"); !strings.Contains(c, "5000000002") || !strings.Contains(c, "HttpOnly") {
		t.Errorf("Set-Cookie %q, want the account session for Apeach, HttpOnly", c)
	}
}

// AutoApprove presses Agree on the picker as preselected; when a login_hint
// matches nobody there is nothing to press for, and the picker stays.
func TestUsers_AutoApprovePicksTheHintOrTheFirstUser(t *testing.T) {
	cfg := twoUsers()
	cfg.AutoApprove = true
	e := newEnv(t, cfg)
	for _, tt := range []struct {
		hint string
		want float64
	}{{"", float64(defaultUser.ID)}, {"muzi", float64(muzi.ID)}} {
		r := get(t, e.authorizeURL("login_hint", tt.hint))
		code := queryOf(t, r.header.Get("Location")).Get("code")
		if code == "" {
			t.Fatalf("hint %q: %d, want a redirect with a code", tt.hint, r.status)
		}
		at := e.exchange(t, code)["access_token"].(string)
		if id := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at).json(t)["id"]; id != tt.want {
			t.Errorf("hint %q: user %v, want %v", tt.hint, id, tt.want)
		}
	}
	if r := get(t, e.authorizeURL("login_hint", "typo@example.com")); r.status != http.StatusOK {
		t.Errorf("unmatched hint: %d, want the picker", r.status)
	}
}

// Kakao's "인가 코드 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
// its redirect table: prompt=none cannot show a picker, so without a signed-in
// account it is login_required.
func TestUsers_PromptNoneWithoutASessionIsLoginRequired(t *testing.T) {
	e := newEnv(t, twoUsers())
	r := get(t, e.authorizeURL("prompt", "none", "state", "s"))
	q := queryOf(t, r.header.Get("Location"))
	if r.status != http.StatusFound || q.Get("error") != "login_required" || q.Get("state") != "s" {
		t.Errorf("prompt=none: %d %v, want login_required with state", r.status, q)
	}
}

// Logout and unlink act on the token's user only.
func TestUsers_UnlinkIsPerUser(t *testing.T) {
	e := newEnv(t, twoUsers())
	ryan := e.exchange(t, e.visit(t, &UserAgent{User: "ryan@example.com"}))
	peach := e.exchange(t, e.visit(t, &UserAgent{User: "apeach@example.com"}))
	r := e.bearer(t, http.MethodPost, "/v1/user/unlink", ryan["access_token"].(string))
	if diff := cmp.Diff(map[string]any{"id": float64(defaultUser.ID)}, r.json(t)); diff != "" {
		t.Errorf("unlink answer (-want +got):\n%s", diff)
	}
	assertKOE322(t, e, ryan["refresh_token"].(string))
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", peach["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("Apeach's token after Ryan's unlink: %d, want still valid", r.status)
	}
	if r := e.postToken(t, refreshForm(peach["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("Apeach's refresh after Ryan's unlink: %d %s", r.status, r.body)
	}
}

func TestUsers_UserAgentNamesAnAccountThatIsNotOffered(t *testing.T) {
	e := newEnv(t, twoUsers())
	_, err := (&UserAgent{User: "nobody@example.com"}).Visit(t.Context(), e.authorizeURL())
	if err == nil || !strings.Contains(err.Error(), "nobody@example.com") {
		t.Errorf("Visit = %v, want an error naming the missing account", err)
	}
}

// One user (the default): no picker, today's behaviour, and a User given to
// the UserAgent has nothing to pick.
func TestUsers_SingleUserShowsNoPicker(t *testing.T) {
	e := newEnv(t, Config{})
	if r := get(t, e.authorizeURL("login_hint", "someone@example.com")); r.status != http.StatusOK || strings.Contains(r.body, `name="user"`) {
		t.Errorf("single user: %d, want the consent page without a picker:\n%s", r.status, r.body)
	}
	at := e.exchange(t, e.visit(t, &UserAgent{User: "ryan@example.com"}))["access_token"].(string)
	if id := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at).json(t)["id"]; id != float64(defaultUser.ID) {
		t.Errorf("user %v, want the default user", id)
	}
}

func TestReadUsersFile(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		want    []User
		wantErr string
	}{
		{
			name: "two users",
			json: `[{"id": 1, "nickname": "Ryan", "email": "ryan@example.com", "picture": "https://example.com/r.jpg"},
			        {"id": 2, "nickname": "Muzi", "agreed": ["profile_nickname"]}]`,
			want: []User{{ID: 1, Nickname: "Ryan", Email: "ryan@example.com", ProfileImageURL: "https://example.com/r.jpg"},
				{ID: 2, Nickname: "Muzi", Agreed: []string{"profile_nickname"}}},
		},
		{name: "agreed to nothing", json: `[{"id": 1, "nickname": "A", "agreed": []}]`, want: []User{{ID: 1, Nickname: "A", Agreed: []string{}}}},
		{name: "not JSON", json: `[{"id": 1,`, wantErr: "users file"},
		{name: "an object, not a list", json: `{"id": 1}`, wantErr: "users file"},
		{name: "empty list", json: `[]`, wantErr: "no users"},
		{name: "unknown field", json: `[{"id": 1, "nickname": "A", "e-mail": "a@example.com"}]`, wantErr: `unknown field "e-mail"`},
		{name: "missing id", json: `[{"nickname": "A"}]`, wantErr: "user 1: id must be a positive number"},
		{name: "missing nickname", json: `[{"id": 1}]`, wantErr: "user 1: nickname is empty"},
		{name: "duplicate id", json: `[{"id": 1, "nickname": "A"}, {"id": 1, "nickname": "B"}]`, wantErr: "user 2: id 1 is taken by user 1"},
		{name: "duplicate email", json: `[{"id": 1, "nickname": "A", "email": "a@x.example"}, {"id": 2, "nickname": "B", "email": "A@x.example"}]`, wantErr: "user 2: email A@x.example is taken by user 1"},
		{name: "trailing data", json: `[{"id": 1, "nickname": "A"}] []`, wantErr: "users file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "users.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := ReadUsersFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadUsersFile() error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadUsersFile() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
