package emulator

import "net/http"

// Answers chosen by a test. Kakao's error texts are outside text to a
// client: it must show them safely whatever they hold (escape sequences,
// line breaks). These hooks make the emulator send such texts through the
// real endpoints, in Kakao's shapes, so the client is tested end to end.

// AuthorizeErrorAnswer is an error redirect from /oauth/authorize:
// error=…&error_description=…&state=… to the request's redirect URI.
type AuthorizeErrorAnswer struct {
	Error       string
	Description string
}

// TokenErrorAnswer is an error answer of /oauth/token in Kakao's shape,
// {"error","error_description","error_code"}.
type TokenErrorAnswer struct {
	Status      int // HTTP status; 0 means 400
	Error       string
	Description string
	Code        string // error_code, such as KOE320; "" leaves it out
}

// APIErrorAnswer is an error answer of the kapi endpoints in Kakao's
// shape, {"msg","code"}, with required_scopes when RequiredScopes is set
// (a -402's shape).
type APIErrorAnswer struct {
	Status         int // HTTP status; 0 means 400
	Code           int
	Msg            string
	RequiredScopes []string // sent as they are, whatever they hold
}

// AnswerAuthorizeWith makes every authorize request that passes the
// configuration checks (client, redirect URI, response type, scope, PKCE)
// redirect back with a instead of asking for consent; nil restores normal
// behaviour.
func (s *Server) AnswerAuthorizeWith(a *AuthorizeErrorAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers.authorize = a
}

// AnswerTokenWith makes every /oauth/token request answer a, before any
// check (as a Fault does, so nothing is consumed); nil restores normal
// behaviour.
func (s *Server) AnswerTokenWith(a *TokenErrorAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers.token = a
}

// AnswerAPIWith makes every kapi request (/v1/user/…, /v2/user/…,
// /v2/api/talk/…, /v1/oidc/userinfo) answer a, before the token is
// checked; nil restores normal behaviour. It takes any code Kakao may
// send, such as -501 (not a KakaoTalk user) or -532 (daily send quota)
// for the "send to me" endpoint.
func (s *Server) AnswerAPIWith(a *APIErrorAnswer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers.api = a
}

// answers holds the answers set by the Answer… methods; guarded by
// Server.mu.
type answers struct {
	authorize *AuthorizeErrorAnswer
	token     *TokenErrorAnswer
	api       *APIErrorAnswer
}

// answerAuthorize redirects req with the chosen error and reports whether
// it did.
func (s *Server) answerAuthorize(w http.ResponseWriter, req *authRequest) bool {
	s.mu.Lock()
	a := s.answers.authorize
	s.mu.Unlock()
	if a == nil {
		return false
	}
	redirect(w, req.redirectURI, "error", a.Error, "error_description", a.Description, "state", req.state)
	return true
}

// answerToken writes the chosen token error and reports whether it did.
// It counts as a TokenError.
func (s *Server) answerToken(w http.ResponseWriter) bool {
	s.mu.Lock()
	a := s.answers.token
	if a != nil {
		s.stats.TokenErrors++
	}
	s.mu.Unlock()
	if a == nil {
		return false
	}
	writeTokenJSON(w, statusOr400(a.Status), &tokenError{Err: a.Error, Description: a.Description, Code: a.Code})
	return true
}

// answerAPI writes the chosen kapi error and reports whether it did.
func (s *Server) answerAPI(w http.ResponseWriter) bool {
	s.mu.Lock()
	a := s.answers.api
	s.mu.Unlock()
	if a == nil {
		return false
	}
	if a.RequiredScopes != nil {
		writeJSON(w, statusOr400(a.Status), insufficientScope{Msg: a.Msg, Code: a.Code, RequiredScopes: a.RequiredScopes, AllowedScopes: []string{}})
		return true
	}
	writeAPIError(w, &apiError{status: statusOr400(a.Status), Msg: a.Msg, Code: a.Code})
	return true
}

func statusOr400(status int) int {
	if status == 0 {
		return http.StatusBadRequest
	}
	return status
}
