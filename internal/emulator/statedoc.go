package emulator

import (
	"bytes"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// stateVersion is the version of the JSON state file that emulators
// before the bbolt store wrote; Open reads it once and carries it over.
const stateVersion = 1

// maxStateFileBytes bounds how much of a JSON state file Open reads.
const maxStateFileBytes = 256 << 20

// stateDoc is the whole state: the JSON state file of version 1 as it was
// written, and what Open reads back from the store. Registered clients,
// redirect URIs and logout redirect URIs, signing keys (private, PKCS #8),
// every user's consents (revocations show as items no longer there),
// waiting consent pages, unused codes and live tokens. Not kept: Stats,
// memos, faults and everything else that comes from Config. In the store,
// each entry is one key whose value is the JSON of its type below.
type stateDoc struct {
	Version      int      `json:"version"`
	Clients      []string `json:"clients"`
	RedirectURIs []string `json:"redirect_uris"`
	// LogoutURIs are the logout redirect URIs; files written before they
	// were kept have none.
	LogoutURIs    []string              `json:"logout_redirect_uris,omitempty"`
	SigningKeys   []stateKey            `json:"signing_keys"`
	Consents      []stateConsent        `json:"consents"`
	ConsentPages  map[string]stateGrant `json:"consent_pages"`
	Codes         map[string]stateGrant `json:"codes"`
	AccessTokens  map[string]stateToken `json:"access_tokens"`
	RefreshTokens map[string]stateToken `json:"refresh_tokens"`
}

type stateKey struct {
	Kid        string    `json:"kid"`
	Created    time.Time `json:"created"`
	PrivateKey string    `json:"private_key"` // base64 of PKCS #8 DER
}

type stateConsent struct {
	UserID      int64     `json:"user_id"`
	ClientID    string    `json:"client_id"`
	Scopes      []string  `json:"scopes"`
	ConnectedAt time.Time `json:"connected_at"`
}

// stateGrant is an authRequest: a waiting consent page or a code.
type stateGrant struct {
	ClientID    string    `json:"client_id"`
	RedirectURI string    `json:"redirect_uri"`
	State       string    `json:"state,omitempty"`
	Nonce       string    `json:"nonce,omitempty"`
	Challenge   string    `json:"code_challenge,omitempty"`
	Scopes      []string  `json:"scopes"`
	Expires     time.Time `json:"expires"`
	IDToken     bool      `json:"id_token,omitempty"`
	AuthTime    time.Time `json:"auth_time"`
	UserID      int64     `json:"user_id,omitempty"`
	Preselect   int64     `json:"preselect,omitempty"`
	MissedHint  string    `json:"missed_hint,omitempty"`
}

// stateToken is an access or refresh token.
type stateToken struct {
	ClientID string    `json:"client_id"`
	UserID   int64     `json:"user_id"`
	Scopes   []string  `json:"scopes"`
	Expires  time.Time `json:"expires"`
	IDToken  bool      `json:"id_token,omitempty"`
	AuthTime time.Time `json:"auth_time"`
	// Grant names the login the token comes from, so logout can pair an
	// access token with its refresh token. Files written before it was
	// kept have none, and still read.
	Grant string `json:"grant,omitempty"`
}

func grantDoc(g *authRequest) stateGrant {
	return stateGrant{
		ClientID: g.clientID, RedirectURI: g.redirectURI, State: g.state, Nonce: g.nonce, Challenge: g.challenge,
		Scopes: g.scopes, Expires: g.expires, IDToken: g.idToken, AuthTime: g.authTime, UserID: g.userID,
		Preselect: g.preselect, MissedHint: g.missedHint,
	}
}

func (g stateGrant) authRequest() *authRequest {
	return &authRequest{
		clientID: g.ClientID, redirectURI: g.RedirectURI, state: g.State, nonce: g.Nonce, challenge: g.Challenge,
		scopes: g.Scopes, expires: g.Expires, idToken: g.IDToken, authTime: g.AuthTime, userID: g.UserID,
		preselect: g.Preselect, missedHint: g.MissedHint,
	}
}

// decodeStateJSON reads a state file of version 1, the JSON that
// emulators before the bbolt store wrote, strictly.
func decodeStateJSON(data []byte) (stateDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc stateDoc
	if err := dec.Decode(&doc); err != nil {
		return doc, fmt.Errorf("not a kakao-auth emulator state file: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return doc, errors.New("not a kakao-auth emulator state file: data after the state")
	}
	if doc.Version != stateVersion {
		return doc, fmt.Errorf("version %d; this emulator reads version %d", doc.Version, stateVersion)
	}
	return doc, nil
}

// restore loads a state file's contents into s, which is not serving yet.
// It checks everything before changing anything. Errors never quote a
// token: the state file is private, error messages are not.
func (s *Server) restore(doc stateDoc) error {
	keys, err := restoreKeys(doc.SigningKeys)
	if err != nil {
		return err
	}
	if err := s.checkRefs(doc); err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range doc.Clients {
		s.clients[c] = true
	}
	for _, u := range doc.RedirectURIs {
		s.redirectURIs[u] = true
	}
	for _, u := range doc.LogoutURIs {
		s.logoutURIs[u] = true
	}
	for _, c := range doc.Consents {
		s.links[linkKey{c.UserID, c.ClientID}] = &link{scopes: c.Scopes, connectedAt: c.ConnectedAt}
	}
	for k, g := range doc.ConsentPages {
		s.pending[k] = g.authRequest()
	}
	for k, g := range doc.Codes {
		s.codes[k] = g.authRequest()
	}
	for k, t := range doc.AccessTokens {
		s.access[k] = &accessToken{clientID: t.ClientID, userID: t.UserID, scopes: t.Scopes, expires: t.Expires, grant: t.Grant}
	}
	for k, t := range doc.RefreshTokens {
		s.refresh[k] = &refreshToken{clientID: t.ClientID, userID: t.UserID, scopes: t.Scopes, expires: t.Expires, idToken: t.IDToken, authTime: t.AuthTime, grant: t.Grant}
	}
	if len(keys) > 0 {
		s.keys.mu.Lock()
		s.keys.keys = keys
		s.keys.mu.Unlock()
	}
	return nil
}

// restoreKeys decodes the signing keys, oldest first, checking each kid
// against its key so a damaged key is not served under a stale kid.
func restoreKeys(in []stateKey) ([]*signingKey, error) {
	if len(in) > 2 {
		return nil, fmt.Errorf("%d signing keys; the emulator keeps at most 2", len(in))
	}
	var out []*signingKey
	for i, k := range in {
		der, err := base64.StdEncoding.DecodeString(k.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("signing key %d: %w", i+1, err)
		}
		parsed, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			return nil, fmt.Errorf("signing key %d: %w", i+1, err)
		}
		priv, ok := parsed.(*rsa.PrivateKey)
		if !ok || priv.N.BitLen() != signingKeyBits {
			return nil, fmt.Errorf("signing key %d: not an RSA %d key", i+1, signingKeyBits)
		}
		if keyID(&priv.PublicKey) != k.Kid {
			return nil, fmt.Errorf("signing key %d: kid does not match the key", i+1)
		}
		out = append(out, &signingKey{kid: k.Kid, priv: priv, created: k.Created})
	}
	return out, nil
}

// checkRefs checks that every entry has its prefix and a client, and that
// every user it names is one of s's users: the file may come from a run
// with another --users file, and a token for nobody would answer
// /v2/user/me with an empty user.
func (s *Server) checkRefs(doc stateDoc) error {
	user := func(what string, id int64, optional bool) error {
		if id == 0 && optional {
			return nil
		}
		if _, ok := s.userByID(id); !ok {
			return fmt.Errorf("it has %s of user %d, who is not among the emulator's users", what, id)
		}
		return nil
	}
	for _, c := range doc.Clients {
		if c == "" {
			return errors.New("an empty client id")
		}
	}
	for _, c := range doc.Consents {
		if c.ClientID == "" {
			return errors.New("a consent without a client id")
		}
		if err := user("the consent", c.UserID, false); err != nil {
			return err
		}
	}
	grants := func(what, prefix string, m map[string]stateGrant, optionalUser bool) error {
		for k, g := range m {
			if !strings.HasPrefix(k, prefix) || g.ClientID == "" {
				return fmt.Errorf("a malformed %s entry", what)
			}
			if err := user(what+"s", g.UserID, optionalUser); err != nil {
				return err
			}
		}
		return nil
	}
	tokens := func(what, prefix string, m map[string]stateToken) error {
		for k, t := range m {
			if !strings.HasPrefix(k, prefix) || t.ClientID == "" {
				return fmt.Errorf("a malformed %s entry", what)
			}
			if err := user(what+"s", t.UserID, false); err != nil {
				return err
			}
		}
		return nil
	}
	return errors.Join(
		grants("consent page", prefixTx, doc.ConsentPages, true),
		grants("code", prefixCode, doc.Codes, false),
		tokens("access token", prefixAccess, doc.AccessTokens),
		tokens("refresh token", prefixRefresh, doc.RefreshTokens),
	)
}
