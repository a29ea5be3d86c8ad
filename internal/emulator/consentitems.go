package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// consentItem is one entry of /v2/user/scopes (Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent).
// The emulator has no delegated items, so "delegated" never appears.
type consentItem struct {
	ID          string `json:"id"`
	DisplayName string `json:"display_name"`
	Type        string `json:"type"` // PRIVACY or SERVICE
	Using       bool   `json:"using"`
	Agreed      bool   `json:"agreed"`
	// Revocable is present only when Agreed (Kakao's "동의 내역 확인하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent).
	Revocable *bool `json:"revocable,omitempty"`
}

// consentItems is the answer of GET /v2/user/scopes and of a revocation.
type consentItems struct {
	ID     int64         `json:"id"`
	Scopes []consentItem `json:"scopes"`
}

// itemInfo is how Kakao names and sorts a consent item. Kakao's guide gives the
// answer's shape only; the names are those of Kakao's console and docs.
type itemInfo struct {
	name string
	typ  string
}

var knownItems = map[string]itemInfo{
	"profile":          {"프로필 정보(닉네임/프로필 사진)", "PRIVACY"},
	"profile_nickname": {"닉네임", "PRIVACY"},
	"profile_image":    {"프로필 사진", "PRIVACY"},
	"account_email":    {"카카오계정(이메일)", "PRIVACY"},
	"name":             {"이름", "PRIVACY"},
	"gender":           {"성별", "PRIVACY"},
	"age_range":        {"연령대", "PRIVACY"},
	"birthday":         {"생일", "PRIVACY"},
	"birthyear":        {"출생 연도", "PRIVACY"},
	"phone_number":     {"카카오계정(전화번호)", "PRIVACY"},
	"friends":          {"카카오 서비스 내 친구목록(프로필사진, 닉네임, 즐겨찾기 포함)", "PRIVACY"},
	"talk_message":     {"카카오톡 메시지 전송", "SERVICE"},
	"talk_chats":       {"카카오톡 채팅방 읽기", "SERVICE"},
	"talk_calendar":    {"톡캘린더 일정 읽기/쓰기", "SERVICE"},
	"plusfriends":      {"카카오톡 채널 추가 상태 및 내역", "SERVICE"},
}

// defaultAppItems are the app's consent items while Config.ScopesEnabled
// is empty (every item accepted): those kakao-auth's users ask for.
var defaultAppItems = []string{"profile_nickname", "profile_image", "account_email", "talk_message"}

// defaultRequired are the items set as required when Config.ScopesRequired is
// nil: the profile basics, as in the "[profile] is not revocable" example of
// Kakao's "동의 철회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#revoke-consent.
var defaultRequired = []string{"profile_nickname", "profile"}

// appItems are the consent items the app uses, in console order.
// openid is no consent item: it stands for OpenID Connect being on.
func (s *Server) appItems() []string {
	if len(s.scopesEnabled) == 0 {
		return defaultAppItems
	}
	return slices.DeleteFunc(slices.Clone(s.scopesEnabled), func(id string) bool { return id == "openid" })
}

// splitProfile reports whether the app asks for the profile as two
// consent items, profile_nickname and profile_image (the default app
// does), rather than the single profile item.
func (s *Server) splitProfile() bool {
	items := s.appItems()
	return !slices.Contains(items, "profile") || slices.Contains(items, "profile_nickname") || slices.Contains(items, "profile_image")
}

// consentItemsLocked lists the app's items with the user's consent to each,
// then the items the user agreed to that the app does not list: with every
// item accepted they are in use, otherwise no longer (using:false).
// s.mu must be held.
func (s *Server) consentItemsLocked(userID int64, clientID string) []consentItem {
	var agreed []string
	if l := s.links[linkKey{userID, clientID}]; l != nil {
		agreed = l.scopes
	}
	item := func(id string, using bool) consentItem {
		info, ok := knownItems[id]
		if !ok {
			info = itemInfo{name: id, typ: "PRIVACY"}
		}
		c := consentItem{ID: id, DisplayName: info.name, Type: info.typ, Using: using, Agreed: slices.Contains(agreed, id)}
		if c.Agreed {
			revocable := !slices.Contains(s.scopesRequired, id)
			c.Revocable = &revocable
		}
		return c
	}
	app := s.appItems()
	out := make([]consentItem, 0, len(app))
	for _, id := range app {
		out = append(out, item(id, true))
	}
	for _, id := range agreed { // sorted (unionScopes)
		if id != "openid" && !slices.Contains(app, id) {
			out = append(out, item(id, len(s.scopesEnabled) == 0))
		}
	}
	return out
}

// parseItemIDs reads a scopes parameter of Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent:
// a JSON array of IDs, as the doc's example sends, or IDs separated by commas,
// as its table says; both are accepted. ok is false for a malformed JSON array.
func parseItemIDs(raw string) (ids []string, ok bool) {
	raw = strings.TrimSpace(raw)
	if !strings.HasPrefix(raw, "[") {
		return parseScopes(raw), true
	}
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, false
	}
	return parseScopes(strings.Join(ids, ",")), true
}

// errScopesParam is -2 for a scopes parameter that is no list of IDs.
var errScopesParam = &apiError{status: http.StatusBadRequest, Code: -2,
	Msg: `scopes must be a JSON array of consent item IDs, such as ["account_email"]`}

// handleScopes serves GET /v2/user/scopes (Kakao's "동의 내역 확인하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent):
// the user's consent to each of the app's items; with scopes, to those only.
func (s *Server) handleScopes(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodGet)
	if at == nil {
		return
	}
	filter, ok := parseItemIDs(r.URL.Query().Get("scopes"))
	if !ok {
		writeAPIError(w, errScopesParam)
		return
	}
	s.mu.Lock()
	items := s.consentItemsLocked(at.userID, at.clientID)
	s.mu.Unlock()
	if len(filter) > 0 {
		items = slices.DeleteFunc(items, func(c consentItem) bool { return !slices.Contains(filter, c.ID) })
	}
	writeJSON(w, http.StatusOK, consentItems{ID: at.userID, Scopes: items})
}

// handleRevokeScopes serves POST /v2/user/revoke/scopes (Kakao's "동의 철회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#revoke-consent):
// the user withdraws consent to the items named in scopes, all or none. An item
// the user has not agreed to (or no item at all, such as openid) is -2, a
// required one -3, each with Kakao's wording. Tokens stay valid but grant the
// withdrawn items no more, at once (liveScopesLocked), and a later login asking
// for one shows the consent page again.
func (s *Server) handleRevokeScopes(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodPost)
	if at == nil {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2, Msg: "malformed form body"})
		return
	}
	ids, ok := parseItemIDs(r.Form.Get("scopes"))
	if !ok || len(ids) == 0 {
		writeAPIError(w, errScopesParam)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	items := s.consentItemsLocked(at.userID, at.clientID)
	var unknown, required []string
	for _, id := range ids {
		i := slices.IndexFunc(items, func(c consentItem) bool { return c.ID == id })
		switch {
		case i < 0 || !items[i].Agreed:
			unknown = append(unknown, id)
		case !*items[i].Revocable:
			required = append(required, id)
		}
	}
	if len(unknown) > 0 {
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2,
			Msg: fmt.Sprintf("There is no scopes to revoke. check out if given scope id([%s]) is correct again.", strings.Join(unknown, ", "))})
		return
	}
	if len(required) > 0 {
		writeAPIError(w, &apiError{status: http.StatusForbidden, Code: -3,
			Msg: fmt.Sprintf("[%s] is not revocable. check out if it's set as required on developers.kakao.com", strings.Join(required, ", "))})
		return
	}
	key := linkKey{at.userID, at.clientID}
	l := s.links[key]
	// A new slice: tokens and codes share the old one.
	l.scopes = slices.DeleteFunc(slices.Clone(l.scopes), func(sc string) bool { return slices.Contains(ids, sc) })
	s.linkChangedLocked(key)
	writeJSON(w, http.StatusOK, consentItems{ID: at.userID, Scopes: s.consentItemsLocked(at.userID, at.clientID)})
}

// liveScopesLocked is what a token issued with scopes grants now: those
// the user has not withdrawn since (handleRevokeScopes). Kakao's guide does not
// say how Kakao treats live tokens after a revocation; the emulator takes
// the narrow reading both ways: a withdrawn item is gone at once, and an
// item agreed to later needs a new token. A token whose link is gone (a
// state file from elsewhere) keeps its scopes. s.mu must be held.
func (s *Server) liveScopesLocked(userID int64, clientID string, scopes []string) []string {
	l := s.links[linkKey{userID, clientID}]
	if l == nil {
		return scopes
	}
	var out []string
	for _, sc := range scopes {
		if slices.Contains(l.scopes, sc) {
			out = append(out, sc)
		}
	}
	return out
}
