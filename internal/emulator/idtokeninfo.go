package emulator

import (
	"encoding/json"
	"net/http"
)

// errIDTokenMethod answers a /oauth/tokeninfo request that is not a POST.
var errIDTokenMethod = &tokenError{status: http.StatusMethodNotAllowed, Err: "invalid_request",
	Description: "method not allowed; use POST"}

// invalidIDToken is tokeninfo's refusal, KOE400 (Kakao's "ID 토큰 정보 보기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-get-id-token-info),
// with the emulator's own description of what was wrong.
func invalidIDToken(description string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, Err: "invalid_token", Description: description, Code: "KOE400"}
}

// handleIDTokenInfo serves POST /oauth/tokeninfo, form id_token: the decoded
// payload of an ID token the emulator signed with a key it still publishes
// (Kakao's "ID 토큰 정보 보기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-get-id-token-info).
// Anything else is 400 invalid_token KOE400, including an expired token:
// Kakao's answer there is not documented, and "invalid" is the reading that
// keeps a client from trusting a dead token. Claims other than exp (iss, aud,
// nonce) are not checked: tokeninfo knows no client.
func (s *Server) handleIDTokenInfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		writeTokenJSON(w, errIDTokenMethod.status, errIDTokenMethod)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeTokenJSON(w, errMalformedBody.status, errMalformedBody)
		return
	}
	tok := r.PostForm.Get("id_token")
	if tok == "" {
		e := invalidIDToken("id_token missing")
		writeTokenJSON(w, e.status, e)
		return
	}
	payload, problem := s.verifyIDToken(tok, s.now())
	if problem != "" {
		e := invalidIDToken(problem)
		writeTokenJSON(w, e.status, e)
		return
	}
	writeTokenJSON(w, http.StatusOK, json.RawMessage(payload))
}
