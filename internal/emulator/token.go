package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
)

// tokenResponse is the token endpoint's success answer (Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
// refresh_token and refresh_token_expires_in are absent on a refresh that did
// not rotate; scope is absent on every refresh, and when nothing was granted.
type tokenResponse struct {
	TokenType             string `json:"token_type"`
	AccessToken           string `json:"access_token"`
	ExpiresIn             int64  `json:"expires_in"`
	RefreshToken          string `json:"refresh_token,omitempty"`
	RefreshTokenExpiresIn int64  `json:"refresh_token_expires_in,omitempty"`
	Scope                 string `json:"scope,omitempty"`
	IDToken               string `json:"id_token,omitempty"`

	idReq *idTokenRequest // the ID token to mint into IDToken; nil for none
}

// handleToken serves /oauth/token. The parameters come from a POST's form body
// or query string, or a GET's query string (tokenParams), and every check below
// applies to them alike. The client authenticates with client_secret_post only
// (token_endpoint_auth_methods_supported in Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration): an Authorization
// header is ignored, so a secret sent by HTTP Basic counts as missing (KOE010).
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if !s.delay.wait(r) {
		return
	}
	if s.serveFault(w, r) || s.answerToken(w) {
		return
	}
	form, perr := tokenParams(w, r)
	if perr != nil {
		s.tokenFail(w, perr)
		return
	}
	// Kakao authenticates the client before it looks at the grant
	// (a JSON body of an app with a secret is KOE010, as reported by its
	// users), so a failure here leaves a code alone.
	clientID := form.Get("client_id")
	isJSON := clientID == "" && jsonBody(r)
	if isJSON {
		clientID = jsonClientID(r)
	}
	s.mu.Lock()
	terr := s.authenticateLocked(clientID, form)
	s.mu.Unlock()
	if terr != nil {
		s.tokenFail(w, terr)
		return
	}
	var resp *tokenResponse
	switch form.Get("grant_type") {
	case "authorization_code":
		resp, terr = s.exchangeCode(form)
	case "refresh_token":
		resp, terr = s.refreshGrant(form)
	case "":
		terr = errNoGrantType
		if isJSON {
			terr = errJSONBody
		}
	default:
		terr = errUnsupportedGrant
	}
	if terr != nil {
		s.tokenFail(w, terr)
		return
	}
	if resp.idReq != nil {
		resp.idReq.issuer = s.issuerFor(r)
		resp.IDToken = s.mintIDToken(resp.idReq)
	}
	writeTokenJSON(w, http.StatusOK, resp)
}

// tokenFail answers a token request with e and counts it.
func (s *Server) tokenFail(w http.ResponseWriter, e *tokenError) {
	s.mu.Lock()
	s.stats.TokenErrors++
	s.mu.Unlock()
	writeTokenJSON(w, e.status, e)
}

// exchangeCode serves grant_type=authorization_code for a client
// handleToken has authenticated. Once looked up, the code is consumed
// whatever the later checks say (KOE320 on reuse).
func (s *Server) exchangeCode(form url.Values) (*tokenResponse, *tokenError) {
	clientID := form.Get("client_id")
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	code := form.Get("code")
	g := s.codes[code]
	forgetLocked(s, kindCode, s.codes, code)
	// A code of another client is "not found" for this one.
	if g == nil || expired(g.expires, now) || g.clientID != clientID {
		return nil, errCodeNotFound
	}
	if form.Get("redirect_uri") != g.redirectURI {
		return nil, errRedirectMismatch
	}
	if e := verifyPKCE(g.challenge, form); e != nil {
		return nil, e
	}
	s.sweepLocked(now)
	s.stats.CodeExchanges++
	var id *idTokenRequest
	if g.idToken {
		id = &idTokenRequest{clientID: clientID, userID: g.userID, scopes: g.scopes, authTime: g.authTime, nonce: g.nonce, now: now}
	}
	return s.issueTokensLocked(clientID, g.userID, g.scopes, newSecret(prefixGrant), now, true, id), nil
}

// refreshGrant serves grant_type=refresh_token, for a client handleToken has
// authenticated, with Kakao's rotation rule (Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token):
// a new refresh token only when the old one has less than RotationWindow left,
// and then the old one dies at once. Access tokens issued earlier stay valid
// until they expire.
func (s *Server) refreshGrant(form url.Values) (*tokenResponse, *tokenError) {
	clientID := form.Get("client_id")
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	rt := form.Get("refresh_token")
	if rt == "" {
		return nil, errNoRefreshToken
	}
	old := s.refresh[rt]
	if old == nil || old.clientID != clientID {
		return nil, errBadRefreshToken
	}
	if expired(old.expires, now) {
		forgetLocked(s, kindRefresh, s.refresh, rt)
		return nil, errBadRefreshToken
	}
	rotate := old.expires.Sub(now) < RotationWindow
	if rotate {
		forgetLocked(s, kindRefresh, s.refresh, rt)
	}
	s.sweepLocked(now)
	s.stats.Refreshes++
	// Items the user withdrew since are not granted again.
	scopes := s.liveScopesLocked(old.userID, clientID, old.scopes)
	// Kakao's "토큰 갱신하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token:
	// an ID token on refresh only if the grant had one; fresh iat and exp, the
	// grant's auth_time, and no nonce.
	var id *idTokenRequest
	if old.idToken {
		id = &idTokenRequest{clientID: clientID, userID: old.userID, scopes: scopes, authTime: old.authTime, now: now}
	}
	resp := s.issueTokensLocked(clientID, old.userID, scopes, old.grant, now, rotate, id)
	// Kakao's refresh answers carry no scope (the refresh response table of
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token,
	// and the sample in
	// https://devtalk.kakao.com/t/koe322-expired-or-invalid-refresh-token/126899):
	// the new access token holds the items still agreed to, and a client keeps
	// the scopes it had.
	resp.Scope = ""
	return resp, nil
}

// authenticateLocked checks client_id and, when the emulator has a secret,
// client_secret. s.mu must be held.
func (s *Server) authenticateLocked(clientID string, form url.Values) *tokenError {
	if !s.clients[clientID] {
		return errUnknownClient
	}
	if s.secret != "" && subtle.ConstantTimeCompare([]byte(form.Get("client_secret")), []byte(s.secret)) != 1 {
		return errBadSecret
	}
	return nil
}

// verifyPKCE checks code_verifier against the challenge sent at authorize:
// base64url(SHA-256(verifier)) without padding must equal it (RFC 7636 §4.6).
// A verifier for a code issued without a challenge is refused too (strict
// reading; Kakao's behaviour there is UNCONFIRMED), so a client that lost its
// challenge on the way to the browser is caught.
func verifyPKCE(challenge string, form url.Values) *tokenError {
	verifier := form.Get("code_verifier")
	switch {
	case challenge == "" && verifier == "":
		return nil
	case challenge == "":
		return errVerifierUnexpected
	case verifier == "":
		return errVerifierMissing
	}
	sum := sha256.Sum256([]byte(verifier))
	if subtle.ConstantTimeCompare([]byte(base64.RawURLEncoding.EncodeToString(sum[:])), []byte(challenge)) != 1 {
		return errVerifierMismatch
	}
	return nil
}
