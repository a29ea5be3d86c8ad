package emulator

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// Memo is a KakaoTalk "send to me" message the emulator received
// (POST /v2/api/talk/memo/default/send), kept for tests to read: Memos in
// the same process, GET /_emulator/memos from another. Memos are test
// observations, not state: a state file does not keep them.
type Memo struct {
	// UserID is the user the message went to: the token's.
	UserID int64 `json:"user_id"`
	// ClientID is the app that sent it.
	ClientID string `json:"client_id"`
	// ObjectType is the template's object_type, such as "text".
	ObjectType string `json:"object_type"`
	// Text is a text template's text; "" for the other types.
	Text string `json:"text,omitempty"`
	// TemplateObject is template_object as received: a JSON object.
	TemplateObject json.RawMessage `json:"template_object"`
	// ReceivedAt is when the emulator took it (by Config.Now).
	ReceivedAt time.Time `json:"received_at"`
}

// maxMemos bounds the memos kept; the oldest go first, so a long-running
// emulator does not grow without bound.
const maxMemos = 1000

// Memos returns the messages sent to users so far, oldest first (at most
// the last 1000).
func (s *Server) Memos() []Memo {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.memos)
}

// errMemoItemDisabled is Kakao's answer, word for word, to "send to me"
// from an app whose talk_message item is not enabled in the console.
var errMemoItemDisabled = &apiError{status: http.StatusForbidden, Code: -3,
	Msg: "App disabled [talk_message] scopes for [TALK_MEMO_DEFAULT_SEND] API on developers.kakao.com. Enable it first."}

// handleMemoSend serves POST /v2/api/talk/memo/default/send (Kakao's "나에게 보내기",
// https://developers.kakao.com/docs/latest/ko/kakaotalk-message/rest-api): the
// app must have the talk_message item enabled (else 403 -3, Kakao's answer to
// an app that never turned it on, as captured by its users;
// https://developers.kakao.com/docs/latest/ko/kakaotalk-message/rest-api), the
// token must grant it (else 403 -402, naming it), and template_object must be a
// default template (else -2); then the message is kept and the answer is
// {"result_code":0}.
func (s *Server) handleMemoSend(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodPost)
	if at == nil {
		return
	}
	if !s.itemEnabled("talk_message") {
		writeAPIError(w, errMemoItemDisabled)
		return
	}
	if !requireScope(w, at, "talk_message", "TALK_MEMO_DEFAULT_SEND", "insufficient scopes.") {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2, Msg: "malformed form body"})
		return
	}
	raw := r.Form.Get("template_object")
	if raw == "" {
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2, Msg: "template_object is required"})
		return
	}
	tpl, msg := parseTemplate(raw)
	if msg != "" {
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2, Msg: "template_object: " + msg})
		return
	}
	m := Memo{UserID: at.userID, ClientID: at.clientID, ObjectType: tpl.objectType, Text: tpl.text,
		TemplateObject: compactJSON(raw), ReceivedAt: s.now()}
	s.mu.Lock()
	if len(s.memos) >= maxMemos {
		s.memos = slices.Delete(s.memos, 0, len(s.memos)-maxMemos+1)
	}
	s.memos = append(s.memos, m)
	s.stats.MemosSent++
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]int{"result_code": 0})
}

// handleMemos serves GET /_emulator/memos, the emulator's own: Memos as a
// JSON list, only user user_id's with that parameter.
func (s *Server) handleMemos(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	memos := s.Memos()
	if q := r.URL.Query().Get("user_id"); q != "" {
		id, err := strconv.ParseInt(q, 10, 64)
		if err != nil {
			http.Error(w, "user_id must be a Kakao user ID (a number)", http.StatusBadRequest)
			return
		}
		memos = slices.DeleteFunc(memos, func(m Memo) bool { return m.UserID != id })
	}
	if memos == nil {
		memos = []Memo{}
	}
	writeJSON(w, http.StatusOK, memos)
}
