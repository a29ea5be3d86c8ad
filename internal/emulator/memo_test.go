package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const memoPath = "/v2/api/talk/memo/default/send"

// A text template as the "send to me" scripts send it (such as
// https://velog.io/@foxiq/KAKAOtalk-API-나에게-메세지-보내기).
const textTemplate = `{"object_type": "text", "text": "빌드 끝", "link": {"web_url": "https://example.com", "mobile_web_url": "https://example.com"}, "button_title": "보기"}`

// Kakao's "나에게 보내기",
// https://developers.kakao.com/docs/latest/ko/kakaotalk-message/rest-api: with
// talk_message, the message is taken ({"result_code":0}) and kept for tests, in
// this process and at /_emulator/memos.
func TestMemo_SendKeepsTheMessage(t *testing.T) {
	e := newEnv(t, Config{Users: []User{defaultUser, apeach}})
	ryan := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "ryan@example.com", "scope", "talk_message"))
	peach := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "apeach@example.com", "scope", "talk_message"))
	sent := e.clock.Now()

	r := e.postForm(t, memoPath, ryan["access_token"].(string), url.Values{"template_object": {textTemplate}})
	if diff := cmp.Diff(map[string]any{"result_code": float64(0)}, r.json(t)); diff != "" || r.status != http.StatusOK {
		t.Fatalf("send: status %d (-want +got):\n%s", r.status, diff)
	}
	e.clock.Advance(time.Minute)
	r = e.postForm(t, memoPath, peach["access_token"].(string), url.Values{"template_object": {`{"object_type":"feed","content":{"title":"t","link":{}}}`}})
	if r.status != http.StatusOK {
		t.Fatalf("Apeach's send: %d %s", r.status, r.body)
	}

	want := []Memo{
		{UserID: defaultUser.ID, ClientID: DefaultClientID, ObjectType: "text", Text: "빌드 끝", ReceivedAt: sent,
			TemplateObject: json.RawMessage(`{"object_type":"text","text":"빌드 끝","link":{"web_url":"https://example.com","mobile_web_url":"https://example.com"},"button_title":"보기"}`)},
		{UserID: apeach.ID, ClientID: DefaultClientID, ObjectType: "feed", ReceivedAt: sent.Add(time.Minute),
			TemplateObject: json.RawMessage(`{"object_type":"feed","content":{"title":"t","link":{}}}`)},
	}
	if diff := cmp.Diff(want, e.s.Memos()); diff != "" {
		t.Errorf("Memos() mismatch (-want +got):\n%s", diff)
	}
	for _, tt := range []struct {
		query string
		want  []Memo
	}{{"", want}, {"?user_id=5000000002", want[1:]}, {"?user_id=42", []Memo{}}} {
		r := get(t, e.url+"/_emulator/memos"+tt.query)
		var got []Memo
		if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != http.StatusOK {
			t.Fatalf("GET /_emulator/memos%s: %d %s %v", tt.query, r.status, r.body, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("GET /_emulator/memos%s mismatch (-want +got):\n%s", tt.query, diff)
		}
	}
	if got := e.s.Stats().MemosSent; got != 2 {
		t.Errorf("MemosSent = %d, want 2", got)
	}
	if r := do(t, http.MethodPost, e.url+"/_emulator/memos", nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /_emulator/memos: %d, want 405", r.status)
	}
	if r := get(t, e.url+"/_emulator/memos?user_id=ryan"); r.status != http.StatusBadRequest {
		t.Errorf("user_id=ryan: %d, want 400", r.status)
	}
}

// Kakao's "나에게 보내기",
// https://developers.kakao.com/docs/latest/ko/kakaotalk-message/rest-api, and
// Kakao's REST API reference, "응답 코드",
// https://developers.kakao.com/docs/latest/ko/rest-api/reference: without
// talk_message consent, 403 -402 naming the item, the API and what the token
// does allow; so after the user withdraws it, with the same token. Nothing is
// kept.
func TestMemo_WithoutTalkMessageIsMinus402(t *testing.T) {
	e := newEnv(t, Config{})
	without := e.tokens(t, "scope", "profile_nickname")["access_token"].(string)
	with := e.tokens(t, "scope", "talk_message")["access_token"].(string)
	if r := e.postForm(t, "/v2/user/revoke/scopes", with, url.Values{"scopes": {`["talk_message"]`}}); r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.body)
	}
	for name, at := range map[string]string{"never agreed": without, "withdrawn": with} {
		r := e.postForm(t, memoPath, at, url.Values{"template_object": {textTemplate}})
		want := map[string]any{"msg": "insufficient scopes.", "code": float64(-402), "api_type": "TALK_MEMO_DEFAULT_SEND",
			"required_scopes": []any{"talk_message"}, "allowed_scopes": []any{"profile_nickname"}}
		if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403 (-want +got):\n%s", name, r.status, diff)
		}
	}
	if m := e.s.Memos(); len(m) != 0 {
		t.Errorf("Memos() = %v, want none", m)
	}
}

// Kakao's "나에게 보내기",
// https://developers.kakao.com/docs/latest/ko/kakaotalk-message/rest-api, and
// Kakao's default templates,
// https://developers.kakao.com/docs/latest/ko/message-template/default:
// object_type and each type's required fields; text at most 200 characters
// (counted as characters, not bytes). Anything else is -2 and nothing is kept.
func TestMemo_TemplateObjectIsChecked(t *testing.T) {
	link := `{"web_url":"https://example.com"}`
	content := `{"title":"t","image_url":"https://example.com/a.png","link":` + link + `}`
	button := `{"title":"b","link":` + link + `}`
	tests := []struct {
		name    string
		tpl     string // "" leaves template_object out
		wantMsg string // "" for a valid template
	}{
		{"text", textTemplate, ""},
		{"text of 200 characters", `{"object_type":"text","text":"` + strings.Repeat("가", 200) + `","link":{}}`, ""},
		{"text with two buttons", `{"object_type":"text","text":"x","link":{},"buttons":[` + button + `,` + button + `]}`, ""},
		{"feed", `{"object_type":"feed","content":` + content + `,"buttons":[` + button + `]}`, ""},
		{"list", `{"object_type":"list","header_title":"h","header_link":` + link + `,"contents":[` + content + `,` + content + `]}`, ""},
		{"location", `{"object_type":"location","address":"경기 성남시 분당구 판교역로 235","content":` + content + `}`, ""},
		{"commerce", `{"object_type":"commerce","content":` + content + `,"commerce":{"regular_price":208800}}`, ""},
		{"calendar", `{"object_type":"calendar","id":"abc","id_type":"event","content":` + content + `}`, ""},
		{"unknown fields pass", `{"object_type":"text","text":"x","link":{},"new_field":1}`, ""},

		{"no template_object", "", "template_object is required"},
		{"not JSON", `hello`, "template_object: not a JSON object"},
		{"a list", `[]`, "template_object: not a JSON object"},
		{"data after the object", `{"object_type":"text","text":"x","link":{}} {}`, "template_object: not a JSON object: data after it"},
		{"no object_type", `{"text":"x","link":{}}`, "template_object: object_type is required"},
		{"unknown object_type", `{"object_type":"video"}`, `template_object: object_type "video" is not a default template`},
		{"text without text", `{"object_type":"text","link":{}}`, "template_object: text is required"},
		{"empty text", `{"object_type":"text","text":"","link":{}}`, "template_object: text is required"},
		{"text of 201 characters", `{"object_type":"text","text":"` + strings.Repeat("가", 201) + `","link":{}}`, "template_object: text is 201 characters long; the limit is 200"},
		{"text without link", `{"object_type":"text","text":"x"}`, "template_object: link is required"},
		{"link URL not a string", `{"object_type":"text","text":"x","link":{"web_url":1}}`, "template_object: link.web_url must be a string"},
		{"three buttons", `{"object_type":"text","text":"x","link":{},"buttons":[` + button + `,` + button + `,` + button + `]}`, "template_object: buttons has 3 items; this template takes at most 2"},
		{"button without title", `{"object_type":"text","text":"x","link":{},"buttons":[{"link":{}}]}`, "template_object: buttons[0].title is required"},
		{"button_title not a string", `{"object_type":"text","text":"x","link":{},"button_title":true}`, "template_object: button_title must be a string"},
		{"feed without content", `{"object_type":"feed"}`, "template_object: content is required"},
		{"feed content without link", `{"object_type":"feed","content":{"title":"t"}}`, "template_object: content.link is required"},
		{"list of one", `{"object_type":"list","header_title":"h","header_link":{},"contents":[` + content + `]}`, "template_object: contents has 1 items; it takes 2 to 3"},
		{"list item without link", `{"object_type":"list","header_title":"h","header_link":{},"contents":[` + content + `,{"title":"t"}]}`, "template_object: contents[1].link is required"},
		{"location without address", `{"object_type":"location","content":` + content + `}`, "template_object: address is required"},
		{"price as a string", `{"object_type":"commerce","content":` + content + `,"commerce":{"regular_price":"1000"}}`, "template_object: commerce.regular_price must be a whole number"},
		{"fractional price", `{"object_type":"commerce","content":` + content + `,"commerce":{"regular_price":10.5}}`, "template_object: commerce.regular_price must be a whole number"},
		{"calendar id_type", `{"object_type":"calendar","id":"abc","id_type":"party","content":` + content + `}`, "template_object: id_type must be event or calendar"},
	}
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "talk_message")["access_token"].(string)
	kept := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			if tt.tpl != "" {
				form.Set("template_object", tt.tpl)
			}
			r := e.postForm(t, memoPath, at, form)
			if tt.wantMsg == "" {
				if r.status != http.StatusOK {
					t.Fatalf("status %d, want 200: %s", r.status, r.body)
				}
				kept++
				return
			}
			got := r.json(t)
			msg, _ := got["msg"].(string)
			if r.status != http.StatusBadRequest || got["code"] != float64(-2) || !strings.HasPrefix(msg, tt.wantMsg) {
				t.Errorf("status %d, answer %s; want 400, -2 and a msg starting %q", r.status, r.body, tt.wantMsg)
			}
		})
	}
	if got := len(e.s.Memos()); got != kept {
		t.Errorf("%d memos kept, want %d: refused ones are not kept", got, kept)
	}
}

// Memos are test observations, not state: the state file holds none.
func TestMemo_NotInTheStateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	at := e.tokens(t, "scope", "talk_message")["access_token"].(string)
	if r := e.postForm(t, memoPath, at, url.Values{"template_object": {textTemplate}}); r.status != http.StatusOK {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	if data, err := os.ReadFile(path); err != nil || strings.Contains(string(data), "빌드") {
		t.Errorf("state file (%v) holds the memo:\n%s", err, data)
	}
	e.restart(t, Config{})
	if m := e.cur.Memos(); len(m) != 0 {
		t.Errorf("Memos() after a restart = %v, want none", m)
	}
}

// As its users captured it: "send to me" from an app that never enabled the
// talk_message item answers 403 -3 in Kakao's words, whatever the token
// holds; -402 is for an enabled item the user has not agreed to.
func TestMemo_ItemNotEnabledIsMinus3(t *testing.T) {
	e := newEnv(t, Config{ScopesEnabled: []string{"profile_nickname"}})
	at := e.tokens(t)["access_token"].(string)
	r := e.postForm(t, memoPath, at, url.Values{"template_object": {textTemplate}})
	want := map[string]any{"code": float64(-3),
		"msg": "App disabled [talk_message] scopes for [TALK_MEMO_DEFAULT_SEND] API on developers.kakao.com. Enable it first."}
	if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != http.StatusForbidden {
		t.Errorf("status %d, want 403 (-want +got):\n%s", r.status, diff)
	}
	if m := e.s.Memos(); len(m) != 0 {
		t.Errorf("Memos() = %v, want none", m)
	}
}
