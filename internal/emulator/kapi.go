package emulator

import (
	"hash/fnv"
	"net/http"
	"slices"
	"strings"
	"time"
)

// apiError is kapi's error answer: {"msg","code"} (Kakao's REST API reference,
// "응답 코드", https://developers.kakao.com/docs/latest/ko/rest-api/reference).
type apiError struct {
	status int
	Msg    string `json:"msg"`
	Code   int    `json:"code"`
}

var (
	// errInvalidToken is Kakao's answer to an unknown, expired or revoked
	// token, quoted in Kakao's REST API reference, "응답 코드",
	// https://developers.kakao.com/docs/latest/ko/rest-api/reference.
	errInvalidToken = &apiError{status: http.StatusUnauthorized, Msg: "this access token does not exist", Code: -401}
	// errNoAuthKey is Kakao's answer to a request without an Authorization
	// header, as captured in https://devtalk.kakao.com/t/topic/134883.
	errNoAuthKey     = &apiError{status: http.StatusUnauthorized, Msg: "no authentication key!", Code: -401}
	errBadAuthHeader = &apiError{status: http.StatusBadRequest, Msg: "authorization header is malformed; expected \"Bearer {ACCESS_TOKEN}\"", Code: -2}
	// Kakao's answer to a wrong method is UNCONFIRMED: the emulator uses
	// HTTP's 405 with kapi's "illegal params" code, -2.
	errAPIMethod = &apiError{status: http.StatusMethodNotAllowed, Msg: "method not allowed", Code: -2}
	// errAPIQuota is Kakao's quota error, quoted in Kakao's REST API reference,
	// "응답 코드", https://developers.kakao.com/docs/latest/ko/rest-api/reference:
	// HTTP 400, never 429.
	errAPIQuota = &apiError{status: http.StatusBadRequest, Msg: "API limit has been exceeded.", Code: -10}
)

func writeAPIError(w http.ResponseWriter, e *apiError) {
	switch {
	case e == errNoAuthKey:
		// RFC 6750 §3.1: no error code when no credentials came.
		w.Header().Set("WWW-Authenticate", "Bearer")
	case e.Code == -401:
		w.Header().Set("WWW-Authenticate", "Bearer error=invalid_token")
	}
	writeJSON(w, e.status, e)
}

// apiToken is the Bearer token of a kapi request and a copy of its record.
type apiToken struct {
	key string
	accessToken
}

// authorizeAPI checks the method and the Bearer token of a kapi request and
// returns the token, or answers the error itself and returns nil.
func (s *Server) authorizeAPI(w http.ResponseWriter, r *http.Request, methods ...string) *apiToken {
	if !s.apiDelay.wait(r) {
		return nil
	}
	if !slices.Contains(methods, r.Method) {
		w.Header().Set("Allow", strings.Join(methods, ", "))
		writeAPIError(w, errAPIMethod)
		return nil
	}
	if s.answerAPI(w) {
		return nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		writeAPIError(w, errNoAuthKey)
		return nil
	}
	scheme, tok, ok := strings.Cut(h, " ")
	// KakaoAK (admin key) auth is refused as malformed: a CLI must never hold
	// an admin key (Kakao's "로그아웃",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout).
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.ContainsAny(tok, " \t") {
		writeAPIError(w, errBadAuthHeader)
		return nil
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.access[tok]
	if at == nil || expired(at.expires, now) {
		forgetLocked(s, kindAccess, s.access, tok)
		writeAPIError(w, errInvalidToken)
		return nil
	}
	live := *at
	live.scopes = s.liveScopesLocked(at.userID, at.clientID, at.scopes)
	return &apiToken{key: tok, accessToken: live}
}

// handleTokenInfo serves GET /v1/user/access_token_info.
func (s *Server) handleTokenInfo(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodGet)
	if at == nil {
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id":         at.userID,
		"expires_in": secondsLeft(at.expires, s.now()),
		"app_id":     appID(at.clientID),
	})
}

// appID derives a stable, app-ID-looking number from a client ID, so the same
// key gets the same app_id in every emulator run.
func appID(clientID string) int64 {
	h := fnv.New32a()
	_, _ = h.Write([]byte(clientID))
	return int64(h.Sum32()%900000) + 100000
}

// handleMe serves GET and POST /v2/user/me. Each part of kakao_account is
// filled only when the token's scopes include its consent item; otherwise the
// matching *_needs_agreement is true, as Kakao does for items not agreed to.
// property_keys and secure_resource are accepted and ignored.
func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodGet, http.MethodPost)
	if at == nil {
		return
	}
	u, _ := s.userByID(at.userID)
	account := map[string]any{}
	me := map[string]any{"id": at.userID, "kakao_account": account}

	s.mu.Lock()
	if l := s.links[linkKey{at.userID, at.clientID}]; l != nil {
		me["connected_at"] = l.connectedAt.UTC().Truncate(time.Second).Format(time.RFC3339)
	}
	s.mu.Unlock()

	// The profile is one consent item (profile: 프로필 정보) or two
	// (profile_nickname: 닉네임, profile_image: 프로필 사진), as the app is
	// set up; each part comes with its own consent, and the answer says
	// which parts still need it in the app's terms.
	nickname := hasAnyScope(at.scopes, "profile_nickname", "profile")
	image := hasAnyScope(at.scopes, "profile_image", "profile")
	if s.splitProfile() {
		account["profile_nickname_needs_agreement"] = !nickname
		account["profile_image_needs_agreement"] = !image
	} else {
		// A login from before the split names profile_nickname alone.
		image = image || nickname
		account["profile_needs_agreement"] = !nickname && !image
	}
	profile, properties := map[string]any{}, map[string]any{}
	if nickname {
		profile["nickname"] = u.Nickname
		profile["is_default_nickname"] = false
		properties["nickname"] = u.Nickname
	}
	if image {
		profile["thumbnail_image_url"] = thumbnailURL(u.ProfileImageURL)
		profile["profile_image_url"] = u.ProfileImageURL
		profile["is_default_image"] = u.ProfileImageURL == ""
		properties["profile_image"] = u.ProfileImageURL
		properties["thumbnail_image"] = thumbnailURL(u.ProfileImageURL)
	}
	if len(profile) > 0 {
		account["profile"] = profile
		me["properties"] = properties
	}
	if hasAnyScope(at.scopes, "account_email") {
		account["email_needs_agreement"] = false
		if u.Email != "" { // a Config.User may have no email at all
			account["email"] = u.Email
			account["is_email_valid"] = true
			account["is_email_verified"] = true
		}
	} else {
		account["email_needs_agreement"] = true
	}
	writeJSON(w, http.StatusOK, me)
}

// handleLogout serves POST /v1/user/logout: the access token and the refresh
// token of its login stop working (logoutLocked); consent, and the browser's
// Kakao Account session, stay (Kakao's "로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodPost)
	if at == nil {
		return
	}
	s.mu.Lock()
	s.logoutLocked(at)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": at.userID})
}

// handleUnlink serves POST /v1/user/unlink: like logout, and the consent is
// forgotten too, so the next login shows the consent page again (Kakao's "인가 코드
// 받기" (its behaviour),
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code;
// Kakao's "연결 끊기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#unlink).
func (s *Server) handleUnlink(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodPost)
	if at == nil {
		return
	}
	s.mu.Lock()
	s.unlinkLocked(at.userID, at.clientID)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": at.userID})
}
