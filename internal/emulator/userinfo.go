package emulator

import (
	"net/http"
	"slices"
	"strconv"
)

// insufficientScope is kapi's -402 answer (Kakao's REST API reference, "응답 코드",
// https://developers.kakao.com/docs/latest/ko/rest-api/reference: 403, with
// required_scopes, allowed_scopes and api_type in the body).
type insufficientScope struct {
	Msg            string   `json:"msg"`
	Code           int      `json:"code"`
	APIType        string   `json:"api_type"`
	RequiredScopes []string `json:"required_scopes"`
	AllowedScopes  []string `json:"allowed_scopes"`
}

// requireScope answers a token that lacks scope with kapi's -402 for
// apiType, and reports whether the call may go on.
func requireScope(w http.ResponseWriter, at *apiToken, scope, apiType, msg string) bool {
	if slices.Contains(at.scopes, scope) {
		return true
	}
	writeJSON(w, http.StatusForbidden, insufficientScope{
		Msg:            msg,
		Code:           -402,
		APIType:        apiType,
		RequiredScopes: []string{scope},
		AllowedScopes:  append([]string{}, at.scopes...),
	})
	return false
}

// userInfo is the answer of /v1/oidc/userinfo: the standard claims Kakao lists
// (Kakao's "OpenID Connect 사용자 정보 가져오기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-user-info)
// that the token's user has, each only with the consent it needs.
type userInfo struct {
	Sub           string `json:"sub"`
	Nickname      string `json:"nickname,omitempty"`
	Picture       string `json:"picture,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
}

// handleUserInfo serves GET /v1/oidc/userinfo, with kapi's Bearer checks and
// errors. The claims follow the ID token's (profileClaims). A token without
// openid among its scopes is refused with -402: Kakao's guide does not say what
// Kakao answers there; this is the emulator's reading, kapi's
// insufficient-scope shape with api_type OIDC_USER_INFO.
func (s *Server) handleUserInfo(w http.ResponseWriter, r *http.Request) {
	at := s.authorizeAPI(w, r, http.MethodGet)
	if at == nil {
		return
	}
	if !requireScope(w, at, "openid", "OIDC_USER_INFO", "insufficient scopes: openid is required") {
		return
	}
	u, _ := s.userByID(at.userID)
	p := userClaims(u, at.scopes)
	info := userInfo{Sub: strconv.FormatInt(at.userID, 10), Nickname: p.Nickname, Picture: p.Picture, Email: p.Email}
	if p.Email != "" {
		verified := true // an emulated user's address counts as valid and verified
		info.EmailVerified = &verified
	}
	writeJSON(w, http.StatusOK, info)
}
