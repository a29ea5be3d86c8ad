package emulator

import (
	"fmt"
	"net/http"
	"strconv"
)

// ExpireAccessTokens ends the access tokens issued to clientID for userID
// at once, as if their lifetime had run out; "" and 0 match every client
// and every user. Refresh tokens stay, so a client's refresh path is what
// brings it back. It returns how many it ended.
func (s *Server) ExpireAccessTokens(clientID string, userID int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, t := range s.access {
		if (clientID == "" || t.clientID == clientID) && (userID == 0 || t.userID == userID) {
			forgetLocked(s, kindAccess, s.access, k)
			n++
		}
	}
	return n
}

// handleExpireAccessTokens serves POST /_emulator/expire-access-tokens, the
// emulator's own: ExpireAccessTokens for the optional form fields client_id
// and user_id, answering {"expired": n}. An app under test can then check
// that a -401 makes it refresh and retry, without waiting out --access-ttl.
func (s *Server) handleExpireAccessTokens(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, "cannot read the form: "+err.Error(), http.StatusBadRequest)
		return
	}
	for k := range r.Form {
		if k != "client_id" && k != "user_id" {
			http.Error(w, fmt.Sprintf("unknown field %q: only client_id and user_id narrow what expires", k), http.StatusBadRequest)
			return
		}
	}
	var userID int64
	if v := r.Form.Get("user_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			http.Error(w, "user_id must be a Kakao user ID (a number)", http.StatusBadRequest)
			return
		}
		userID = id
	}
	writeJSON(w, http.StatusOK, map[string]int{"expired": s.ExpireAccessTokens(r.Form.Get("client_id"), userID)})
}
