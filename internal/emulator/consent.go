package emulator

import (
	"net/http"
	"slices"
	"time"
)

// handleConsent serves the consent form's POST: the person's Agree or
// Cancel, and, with several users, the account picked.
func (s *Server) handleConsent(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
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
	if req == nil || expired(req.expires, now) {
		forgetLocked(s, kindConsentPage, s.pending, tx)
		writeErrorPage(w, errorPage{Message: "This consent page has expired or was already used.",
			Hint: "Start the login again."})
		return
	}
	if action == "cancel" {
		forgetLocked(s, kindConsentPage, s.pending, tx)
		// Whether Kakao echoes state on error redirects is UNCONFIRMED; echoing
		// it is what lets a client match the error to its request.
		redirect(w, req.redirectURI, "error", "access_denied", "error_description", "User denied access", "state", req.state)
		return
	}
	u, ok := s.chosenUser(r.PostForm.Get("user"))
	if !ok {
		// No account (or one that does not exist) picked: the same page
		// again, on the same request, as a login form keeps its input.
		writePage(w, http.StatusOK, consentTmpl(), s.consentPage(req, tx, "Choose an account to continue."))
		return
	}
	forgetLocked(s, kindConsentPage, s.pending, tx) // single use from here on
	s.agreeLocked(w, req, u)
}

// showConsentLocked keeps req waiting under a new tx and shows its consent
// page, with the picker starting on preselect (nil: on nothing). s.mu must
// be held.
func (s *Server) showConsentLocked(w http.ResponseWriter, req *authRequest, preselect *User, missedHint string, now time.Time) {
	tx := newSecret(prefixTx)
	req.expires = now.Add(s.codeTTL)
	if preselect != nil {
		req.preselect = preselect.ID
	}
	req.missedHint = missedHint
	s.pending[tx] = req
	s.changedLocked(kindConsentPage, tx)
	note := ""
	if missedHint != "" {
		note = "login_hint " + missedHint + " matches no account here: choose one."
	}
	writeConsentPage(w, s.consentPage(req, tx, note))
}

// consentPage is the page data for req under tx, with note above the picker.
func (s *Server) consentPage(req *authRequest, tx, note string) consentPage {
	p := consentPage{AppName: s.appName, ClientID: req.clientID, Scopes: req.scopes, Tx: tx, Note: note}
	if !s.multiUser() {
		p.Nickname = s.users[0].Nickname
		return p
	}
	for _, u := range s.users {
		c := pickerAccount{ID: u.ID, Nickname: u.Nickname, Email: u.Email, Checked: u.ID == req.preselect}
		if u.Agreed != nil {
			c.Agrees = "agrees to: " + joinScopes(u.Agreed)
			if len(u.Agreed) == 0 {
				c.Agrees = "agrees to no optional items"
			}
		}
		p.Accounts = append(p.Accounts, c)
	}
	return p
}

// agreeLocked records u's consent to req, issues a code for u and redirects
// to the app with it; with several users, the browser is signed in as u
// from now on. s.mu must be held.
func (s *Server) agreeLocked(w http.ResponseWriter, req *authRequest, u User) {
	now := s.now()
	key := linkKey{u.ID, req.clientID}
	l := s.links[key]
	if l == nil {
		l = &link{connectedAt: now}
		s.links[key] = l
	}
	// Kakao's scope lists every item the user has agreed to, not only the
	// ones asked for this time; a user grants only the items they agree to.
	l.scopes = unionScopes(l.scopes, grantable(u, req.scopes))
	s.linkChangedLocked(key)

	grant := *req
	grant.scopes = l.scopes
	grant.expires = now.Add(s.codeTTL)
	// Only openid asked for this time brings an ID token (Kakao's "추가 항목 동의
	// 받기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent),
	// not openid agreed to at some earlier login.
	grant.idToken = slices.Contains(req.scopes, "openid")
	grant.authTime = now
	grant.userID = u.ID
	grant.preselect, grant.missedHint = 0, ""
	code := newSecret(prefixCode)
	s.codes[code] = &grant
	s.changedLocked(kindCode, code)
	s.setAccountCookie(w, u)
	redirect(w, req.redirectURI, "code", code, "state", req.state)
}
