package emulator

import (
	"encoding/json"
	"net/http"
)

// tokenError is a kauth error answer:
// {"error","error_description","error_code"} (Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
// Code is omitted where Kakao's KOE code is unknown.
type tokenError struct {
	status      int
	Err         string `json:"error"`
	Description string `json:"error_description"`
	Code        string `json:"error_code,omitempty"`
}

// The KOE meanings follow Kakao's token errors (Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting); the
// descriptions are Kakao's where public sources quote them, the emulator's own
// wording elsewhere.
var (
	errUnknownClient = &tokenError{status: http.StatusUnauthorized, Err: "invalid_client",
		Description: "unknown client_id", Code: "KOE101"}
	errBadSecret = &tokenError{status: http.StatusUnauthorized, Err: "invalid_client",
		Description: "Bad client credentials", Code: "KOE010"}
	// Kakao's text echoes the code ("…for code=XYZ"); the emulator redacts it
	// so a code never lands in a client's logs through an error message.
	errCodeNotFound = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "authorization code not found for code=[redacted]", Code: "KOE320"}
	errRedirectMismatch = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "Redirect URI mismatch.", Code: "KOE303"}
	// Kakao's KOE code for PKCE failures is unknown, so these carry none.
	errVerifierMissing = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "code_verifier missing"}
	errVerifierMismatch = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "code_verifier mismatch"}
	errVerifierUnexpected = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "code_verifier sent but no code_challenge was given at authorize"}
	errNoRefreshToken = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "refresh_token missing", Code: "KOE319"}
	errBadRefreshToken = &tokenError{status: http.StatusBadRequest, Err: "invalid_grant",
		Description: "expired_or_invalid_refresh_token", Code: "KOE322"}
	errNoGrantType = &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
		Description: "grant_type missing"}
	errUnsupportedGrant = &tokenError{status: http.StatusBadRequest, Err: "unsupported_grant_type",
		Description: "unsupported grant_type"}
	errMalformedBody = &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
		Description: "malformed form body"}
	errTokenMethod = &tokenError{status: http.StatusMethodNotAllowed, Err: "invalid_request",
		Description: "method not allowed; use POST (or GET)"}
	// KOE237's HTTP status and text are UNCONFIRMED (Kakao's "문제 해결",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting
	// names KOE237 without them): the fixtures say 400, and Kakao Login never
	// answers 429 (Kakao's REST API reference, "응답 코드",
	// https://developers.kakao.com/docs/latest/ko/rest-api/reference); clients
	// should key on error_code anyway.
	errRateLimit = &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
		Description: "token request rate limit exceeded", Code: "KOE237"}
)

// writeTokenJSON writes a kauth JSON answer with Kakao's content type and
// RFC 6749 §5.1's no-store.
func writeTokenJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	writeJSON(w, status, v)
}

// writeJSON writes v with Kakao's JSON content type.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, "emulator: encode json: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
