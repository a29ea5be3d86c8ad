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
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
)

// stateVersion is the state file format this emulator reads and writes.
const stateVersion = 1

// maxStateFileBytes bounds what Open reads: far above what expiring tokens
// let a state file grow to, far below what would hurt.
const maxStateFileBytes = 64 << 20

// stateDoc is the state file: JSON, version first, one entry per line
// (stateStore.encode). Registered clients and
// redirect URIs, signing keys (private, PKCS #8), every user's consents,
// waiting consent pages, unused codes and live tokens. Not kept: Stats,
// faults and everything else that comes from Config.
type stateDoc struct {
	Version       int                   `json:"version"`
	Clients       []string              `json:"clients"`
	RedirectURIs  []string              `json:"redirect_uris"`
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
}

// stateStore is a Server's state file, locked for the Server's life.
type stateStore struct {
	path string
	lock *os.File // holds the lock on path + ".lock"

	mu     sync.Mutex        // serialises saves
	last   []byte            // what the file holds
	keyDER map[string]string // kid → encoded private key, encoded once
	lines  map[string]entryLine
	closed bool
}

// Open returns a Server like New whose state lives in the file at path, so
// that a restart keeps registered clients and redirect URIs, consents,
// codes, tokens and ID-token signing keys. Config still decides everything
// else (secret, lifetimes, users, faults); clients and redirect URIs in the
// file stay registered next to Config's, as they would in Kakao's console.
//
// A missing file is created (0600; a missing directory 0700). An existing
// one must be a regular file, not a symbolic link, readable and writable by
// its owner only, and a state file this emulator can read whole: anything
// else is an error and the file is left as it is, never reset. A file whose
// tokens or consents belong to a user not in Config is refused too. While
// the Server is open, path + ".lock" is locked (on Unix), so a second
// emulator on the same file is refused rather than let the two overwrite
// each other.
//
// Every request that changes the state is answered only once the file holds
// the change (written whole to a temporary file, synced, then renamed over
// it): a client never holds a token a restarted emulator would not know. If
// the file cannot be written, the request is answered 500 instead.
//
// Call Close to release the file.
func Open(cfg Config, path string) (*Server, error) {
	if path == "" {
		return nil, errors.New("state file: empty path")
	}
	st, data, err := openStateFile(path)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	s := New(cfg)
	if data != nil {
		if err := s.restore(data); err != nil {
			st.release()
			return nil, fmt.Errorf("state file %s: %w", path, err)
		}
		st.last = data
	}
	s.store = st
	// Write at once: a new file exists from the start, and the clients of
	// this Config are recorded before anything is issued to them.
	if err := s.saveState(); err != nil {
		st.release()
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return s, nil
}

// Close saves the state a last time and releases the state file of a
// Server made by Open; requests after Close are answered 500. For a Server
// made by New it does nothing. Calling it again returns nil.
func (s *Server) Close() error {
	if s.store == nil {
		return nil
	}
	s.store.mu.Lock()
	closed := s.store.closed
	s.store.mu.Unlock()
	if closed {
		return nil
	}
	err := s.saveState()
	s.store.mu.Lock()
	s.store.closed = true
	s.store.mu.Unlock()
	s.store.release()
	return err
}

func (st *stateStore) release() {
	if st.lock != nil {
		_ = st.lock.Close() // closing the descriptor drops the lock
	}
}

// openStateFile locks path and returns its contents, or nil data when it
// does not exist yet.
func openStateFile(path string) (*stateStore, []byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	lock, err := lockStateFile(path + ".lock")
	if err != nil {
		return nil, nil, err
	}
	st := &stateStore{path: path, lock: lock, keyDER: map[string]string{}, lines: map[string]entryLine{}}
	data, err := readStateFile(path)
	if err != nil {
		st.release()
		return nil, nil, err
	}
	return st, data, nil
}

func readStateFile(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return nil, errors.New("is a symbolic link; give the path of the file itself")
	case !fi.Mode().IsRegular():
		return nil, errors.New("is not a regular file")
	}
	if err := checkPrivate(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file opened must be the one checked, not one swapped in between.
	if fi2, err := f.Stat(); err != nil || !os.SameFile(fi, fi2) {
		return nil, errors.New("changed while being opened; try again")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStateFileBytes {
		return nil, fmt.Errorf("is larger than %d bytes", maxStateFileBytes)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// saveState writes the state to the file if it changed since the last
// write. Saves are serialised, and each takes its snapshot after the ones
// before it finished, so a request whose save returns is in the file, even
// when another request's save wrote it.
func (s *Server) saveState() error {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return errors.New("state file closed")
	}
	data, err := st.encode(s.snapshot(st))
	if err != nil {
		return err
	}
	if bytes.Equal(data, st.last) {
		return nil
	}
	if err := writeFileAtomic(st.path, data); err != nil {
		return err
	}
	st.last = data
	return nil
}

// stateSnap is the state at one moment: the small parts as they go into
// the file, and the maps of codes and tokens as they are, whose entries
// are never changed once stored (only added and removed), so they can be
// encoded outside s.mu.
type stateSnap struct {
	head    stateDoc // Version, Clients, RedirectURIs, SigningKeys, Consents
	pending map[string]*authRequest
	codes   map[string]*authRequest
	access  map[string]*accessToken
	refresh map[string]*refreshToken
}

// snapshot copies the state. st.mu must be held (for keyDER).
func (s *Server) snapshot(st *stateStore) *stateSnap {
	sn := &stateSnap{head: stateDoc{Version: stateVersion}}
	s.keys.mu.Lock()
	for _, k := range s.keys.keys {
		der, ok := st.keyDER[k.kid]
		if !ok {
			b, _ := x509.MarshalPKCS8PrivateKey(k.priv) // never fails for an RSA key
			der = base64.StdEncoding.EncodeToString(b)
			st.keyDER[k.kid] = der
		}
		sn.head.SigningKeys = append(sn.head.SigningKeys, stateKey{Kid: k.kid, Created: k.created, PrivateKey: der})
	}
	s.keys.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		sn.head.Clients = append(sn.head.Clients, c)
	}
	slices.Sort(sn.head.Clients)
	for u := range s.redirectURIs {
		sn.head.RedirectURIs = append(sn.head.RedirectURIs, u)
	}
	slices.Sort(sn.head.RedirectURIs)
	for k, l := range s.links {
		sn.head.Consents = append(sn.head.Consents, stateConsent{UserID: k.userID, ClientID: k.clientID, Scopes: l.scopes, ConnectedAt: l.connectedAt})
	}
	slices.SortFunc(sn.head.Consents, func(a, b stateConsent) int {
		if a.UserID != b.UserID {
			return int(min(max(a.UserID-b.UserID, -1), 1))
		}
		return strings.Compare(a.ClientID, b.ClientID)
	})
	sn.pending = maps.Clone(s.pending)
	sn.codes = maps.Clone(s.codes)
	sn.access = maps.Clone(s.access)
	sn.refresh = maps.Clone(s.refresh)
	return sn
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

// restore loads a state file's contents into s, which is not serving yet.
// It checks everything before changing anything. Errors never quote a
// token: the state file is private, error messages are not.
func (s *Server) restore(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var doc stateDoc
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("not a kakao-auth emulator state file: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("not a kakao-auth emulator state file: data after the state")
	}
	if doc.Version != stateVersion {
		return fmt.Errorf("version %d; this emulator reads version %d", doc.Version, stateVersion)
	}
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
		s.access[k] = &accessToken{clientID: t.ClientID, userID: t.UserID, scopes: t.Scopes, expires: t.Expires}
	}
	for k, t := range doc.RefreshTokens {
		s.refresh[k] = &refreshToken{clientID: t.ClientID, userID: t.UserID, scopes: t.Scopes, expires: t.Expires, idToken: t.IDToken, authTime: t.AuthTime}
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

// writeFileAtomic replaces path with data: a new 0600 file in the same
// directory, synced, then renamed over path, and the directory synced, so
// the file is always either the old state or the new one, whole.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// serveSaving serves r with the answer held back until the state file holds
// whatever r changed.
func (s *Server) serveSaving(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_emulator/stats" {
		s.mux.ServeHTTP(w, r) // reads counters only
		return
	}
	held := &heldResponse{w: w, header: http.Header{}}
	s.mux.ServeHTTP(held, r)
	if err := s.saveState(); err != nil {
		// The held answer may carry a token the file does not hold, which a
		// restarted emulator would disown: refuse it instead.
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "message": "emulator: save state: " + err.Error()})
		return
	}
	held.release()
}

// heldResponse collects an answer to send later. Unwrap lets
// http.ResponseController reach the real connection (FaultReset hijacks it).
type heldResponse struct {
	w      http.ResponseWriter
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

func (h *heldResponse) Unwrap() http.ResponseWriter { return h.w }

// release sends the held answer; nothing, when the handler wrote nothing
// (a hung or hijacked request).
func (h *heldResponse) release() {
	if h.status == 0 {
		return
	}
	dst := h.w.Header()
	for k, v := range h.header {
		dst[k] = v
	}
	h.w.WriteHeader(h.status)
	_, _ = h.w.Write(h.body.Bytes())
}
