package emulator

import "net/http"

// handleAccountLogout serves GET /oauth/logout, Kakao Account logout (Kakao's
// "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount):
// the browser's Kakao Account session ends, so the next login asks who is
// signing in (and prompt=none answers login_required), and the browser goes
// back to logout_redirect_uri with state. Tokens are not touched: Kakao's doc
// does not say this call revokes any, and a client is to call /v1/user/logout
// for that. Like authorize's, its configuration errors are the emulator's own
// error page, never a redirect: an unknown client_id is KOE101, an unregistered
// logout_redirect_uri KOE007.
func (s *Server) handleAccountLogout(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	clientID, uri := q.Get("client_id"), q.Get("logout_redirect_uri")
	if !s.knownClient(w, clientID) {
		return
	}
	s.mu.Lock()
	knownURI := s.logoutURIs[uri]
	s.mu.Unlock()
	if !knownURI {
		writeErrorPage(w, errorPage{Code: "KOE007", Message: "logout_redirect_uri is not registered: " + uri,
			Hint: "Register it as a Logout Redirect URI under [카카오 로그인] > [고급], or use a registered value; it must match exactly."})
		return
	}
	setSessionCookie(w, signedOut)
	s.mu.Lock()
	s.stats.AccountLogouts++
	s.mu.Unlock()
	redirect(w, uri, "state", q.Get("state"))
}
