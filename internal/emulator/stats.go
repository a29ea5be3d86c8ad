package emulator

import "net/http"

// Stats counts what the emulator has served, so tests can assert, for
// example, that a cached token caused no refresh. Its JSON form is what
// GET /_emulator/stats answers; decode it back into a Stats.
type Stats struct {
	// AuthorizeRequests counts requests to /oauth/authorize, valid or not.
	AuthorizeRequests int `json:"authorize_requests"`
	// CodeExchanges counts successful authorization_code grants.
	CodeExchanges int `json:"code_exchanges"`
	// Refreshes counts successful refresh_token grants.
	Refreshes int `json:"refreshes"`
	// TokenErrors counts /oauth/token requests answered with an error,
	// faults included.
	TokenErrors int `json:"token_errors"`
	// IDTokensIssued counts ID tokens put in token responses, on code
	// exchange and refresh, faulted ones included (IDTokenOmitted puts none).
	IDTokensIssued int `json:"id_tokens_issued"`
	// JWKSRequests counts requests to /.well-known/jwks.json.
	JWKSRequests int `json:"jwks_requests"`
	// AccountLogouts counts Kakao Account logouts: GET /oauth/logout
	// requests that ended the browser's session and redirected back.
	AccountLogouts int `json:"account_logouts"`
	// MemosSent counts messages taken by the "send to me" endpoint
	// (Memos), refused ones not.
	MemosSent int `json:"memos_sent"`
	// SinkRequests counts requests to /_emulator/sink, where the redirect
	// faults point by default: a client that never follows a redirect
	// leaves it at zero.
	SinkRequests int `json:"sink_requests"`
}

// Stats returns the counters so far.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stats
}

// handleStats serves GET /_emulator/stats, which is the emulator's own and
// not part of Kakao's API: Stats as JSON, for tests that run the emulator in
// another process (`kakao-auth emulator`).
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	writeJSON(w, http.StatusOK, s.Stats())
}
