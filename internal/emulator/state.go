package emulator

import (
	"crypto/rand"
	"encoding/base64"
	"time"
)

// authRequest is a validated authorize request: first waiting on the consent
// page (keyed by tx), then, once agreed, the record behind a code.
type authRequest struct {
	clientID    string
	redirectURI string
	state       string
	nonce       string // OIDC nonce, copied into the ID token
	challenge   string // PKCE S256 challenge, "" when none was sent
	scopes      []string
	expires     time.Time
	idToken     bool      // openid was asked for: the code exchange returns an ID token
	authTime    time.Time // when the user agreed, the ID token's auth_time
	userID      int64     // the account that agreed; 0 while the consent page waits
	// On the consent page: the account to preselect (0: none) and a
	// login_hint that matched no account, to say so.
	preselect  int64
	missedHint string
}

// accessToken is what the emulator knows about an issued access token.
type accessToken struct {
	clientID string
	userID   int64
	scopes   []string
	expires  time.Time
	grant    string // the login it comes from (grantOf); "" when unknown
}

// refreshToken is what the emulator knows about an issued refresh token.
type refreshToken struct {
	clientID string
	userID   int64
	scopes   []string
	expires  time.Time
	grant    string // the login it comes from (grantOf); "" when unknown
	// idToken: the grant came with an ID token, so each refresh returns a new
	// one (Kakao's "토큰 갱신하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token),
	// with the grant's authTime.
	idToken  bool
	authTime time.Time
}

// linkKey names one user's link to one client.
type linkKey struct {
	userID   int64
	clientID string
}

// link is a user's consent to one client: Kakao's "connected" state, which
// lasts until unlink.
type link struct {
	scopes      []string
	connectedAt time.Time
}

// Prefixes make a leaked value recognisable in a bug report; the random part
// is what makes it unguessable.
const (
	prefixTx      = "emu_tx_"
	prefixCode    = "emu_code_"
	prefixAccess  = "emu_at_"
	prefixRefresh = "emu_rt_"
	prefixGrant   = "emu_grant_"
)

// newSecret returns prefix followed by 256 random bits, base64url (43 chars).
func newSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails; it crashes the program instead
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}

// expired reports whether something expiring at exp is dead at now.
func expired(exp, now time.Time) bool {
	return !now.Before(exp)
}

// secondsLeft is what Kakao reports as expires_in: whole seconds, rounded down.
func secondsLeft(exp, now time.Time) int64 {
	d := exp.Sub(now)
	if d < 0 {
		return 0
	}
	return int64(d / time.Second)
}

// issueTokensLocked issues an access token and, when withRefresh, a refresh
// token for user userID of clientID, both of the login grant (a code
// exchange starts a new one; its refreshes carry it on). A non-nil id asks
// for an ID token too: the response carries the request for handleToken to
// mint outside the lock, and a new refresh token remembers that its grant
// came with one. s.mu must be held.
func (s *Server) issueTokensLocked(clientID string, userID int64, scopes []string, grant string, now time.Time, withRefresh bool, id *idTokenRequest) *tokenResponse {
	at := newSecret(prefixAccess)
	s.access[at] = &accessToken{clientID: clientID, userID: userID, scopes: scopes, expires: now.Add(s.accessTTL), grant: grant}
	s.changedLocked(kindAccess, at)
	resp := &tokenResponse{
		TokenType:   "bearer",
		AccessToken: at,
		ExpiresIn:   secondsLeft(now.Add(s.accessTTL), now),
		Scope:       joinScopes(scopes),
		idReq:       id,
	}
	if withRefresh {
		rt := newSecret(prefixRefresh)
		r := &refreshToken{clientID: clientID, userID: userID, scopes: scopes, expires: now.Add(s.refreshTTL), grant: grant}
		if id != nil {
			r.idToken, r.authTime = true, id.authTime
		}
		s.refresh[rt] = r
		s.changedLocked(kindRefresh, rt)
		resp.RefreshToken = rt
		resp.RefreshTokenExpiresIn = secondsLeft(now.Add(s.refreshTTL), now)
	}
	return resp
}

// logoutLocked revokes the access token at and the refresh token of its login:
// Kakao's logout with a Bearer token expires "only that access token", and the
// refresh token with it (Kakao's "로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout; the
// emulator's reading of an UNCONFIRMED point). The user's other logins to the
// app, and other access tokens of this one, stay. A token restored from a state
// file written before logins were told apart knows no login: then the access
// token alone dies. s.mu must be held.
func (s *Server) logoutLocked(at *apiToken) {
	forgetLocked(s, kindAccess, s.access, at.key)
	if at.grant == "" {
		return
	}
	for k, t := range s.refresh {
		if t.grant == at.grant {
			forgetLocked(s, kindRefresh, s.refresh, k)
		}
	}
}

// revokeTokensLocked drops every access and refresh token of the user's
// link to clientID: "the user's tokens for the app". s.mu must be held.
func (s *Server) revokeTokensLocked(userID int64, clientID string) {
	for k, t := range s.access {
		if t.clientID == clientID && t.userID == userID {
			forgetLocked(s, kindAccess, s.access, k)
		}
	}
	for k, t := range s.refresh {
		if t.clientID == clientID && t.userID == userID {
			forgetLocked(s, kindRefresh, s.refresh, k)
		}
	}
}

// unlinkLocked revokes the user's tokens for clientID, forgets the user's
// consent to it and drops the user's outstanding codes for it, which were
// granted under the consent being withdrawn. Consent pages still waiting
// for a person to decide are dropped too: they belong to no user yet, and
// the page may be the very one that consent would have skipped. s.mu must
// be held.
func (s *Server) unlinkLocked(userID int64, clientID string) {
	s.revokeTokensLocked(userID, clientID)
	if _, ok := s.links[linkKey{userID, clientID}]; ok {
		delete(s.links, linkKey{userID, clientID})
		s.linkChangedLocked(linkKey{userID, clientID})
	}
	for k, c := range s.codes {
		if c.clientID == clientID && c.userID == userID {
			forgetLocked(s, kindCode, s.codes, k)
		}
	}
	for k, p := range s.pending {
		if p.clientID == clientID {
			forgetLocked(s, kindConsentPage, s.pending, k)
		}
	}
}

// sweepEvery spaces sweeps out so a burst of grants stays linear.
const sweepEvery = time.Minute

// sweepLocked forgets expired codes, consent pages and tokens, so that a
// long-running `kakao-auth emulator` does not grow without bound. s.mu must
// be held.
func (s *Server) sweepLocked(now time.Time) {
	if now.Sub(s.lastSweep) < sweepEvery {
		return
	}
	s.lastSweep = now
	for k, v := range s.pending {
		if expired(v.expires, now) {
			forgetLocked(s, kindConsentPage, s.pending, k)
		}
	}
	for k, v := range s.codes {
		if expired(v.expires, now) {
			forgetLocked(s, kindCode, s.codes, k)
		}
	}
	for k, v := range s.access {
		if expired(v.expires, now) {
			forgetLocked(s, kindAccess, s.access, k)
		}
	}
	for k, v := range s.refresh {
		if expired(v.expires, now) {
			forgetLocked(s, kindRefresh, s.refresh, k)
		}
	}
}
