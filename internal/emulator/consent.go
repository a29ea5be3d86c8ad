package emulator

import (
	"net/http"
	"slices"
)

// handleConsent serves the consent form's POST: the person's Agree or Cancel.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		writeErrorPage(w, errorPage{Message: "Malformed consent form."})
		return
	}
	action := r.PostForm.Get("action")
	if action != "agree" && action != "cancel" {
		writeErrorPage(w, errorPage{Message: "Unknown consent action."})
		return
	}
	tx := r.PostForm.Get("tx")
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	req := s.pending[tx]
	delete(s.pending, tx) // single use, whatever happens next
	if req == nil || expired(req.expires, now) {
		writeErrorPage(w, errorPage{Message: "This consent page has expired or was already used.",
			Hint: "Start the login again."})
		return
	}
	if action == "cancel" {
		// Whether Kakao echoes state on error redirects is UNCONFIRMED; echoing
		// it is what lets a client match the error to its request.
		redirect(w, req.redirectURI, "error", "access_denied", "error_description", "User denied access", "state", req.state)
		return
	}
	s.agreeLocked(w, req)
}

// agreeLocked records the demo user's consent to req, issues a code and
// redirects to the app with it. s.mu must be held.
func (s *Server) agreeLocked(w http.ResponseWriter, req *authRequest) {
	now := s.now()
	l := s.links[req.clientID]
	if l == nil {
		l = &link{connectedAt: now}
		s.links[req.clientID] = l
	}
	// Kakao's scope lists every item the user has agreed to, not only the
	// ones asked for this time.
	l.scopes = unionScopes(l.scopes, req.scopes)

	grant := *req
	grant.scopes = l.scopes
	grant.expires = now.Add(s.codeTTL)
	// Only openid asked for this time brings an ID token (KAKAO.md §1 scope),
	// not openid agreed to at some earlier login.
	grant.idToken = slices.Contains(req.scopes, "openid")
	grant.authTime = now
	code := newSecret(prefixCode)
	s.codes[code] = &grant
	redirect(w, req.redirectURI, "code", code, "state", req.state)
}
