package emulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// memoryDoc is the state s holds in memory, as a stateDoc.
func memoryDoc(s *Server) stateDoc {
	doc := stateDoc{Version: stateVersion, ConsentPages: map[string]stateGrant{}, Codes: map[string]stateGrant{},
		AccessTokens: map[string]stateToken{}, RefreshTokens: map[string]stateToken{}}
	s.keys.mu.Lock()
	for _, k := range s.keys.keys {
		doc.SigningKeys = append(doc.SigningKeys, keyDoc(k))
	}
	s.keys.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		doc.Clients = append(doc.Clients, c)
	}
	for u := range s.redirectURIs {
		doc.RedirectURIs = append(doc.RedirectURIs, u)
	}
	for u := range s.logoutURIs {
		doc.LogoutURIs = append(doc.LogoutURIs, u)
	}
	for k, l := range s.links {
		doc.Consents = append(doc.Consents, stateConsent{UserID: k.userID, ClientID: k.clientID, Scopes: l.scopes, ConnectedAt: l.connectedAt})
	}
	for k, g := range s.pending {
		doc.ConsentPages[k] = grantDoc(g)
	}
	for k, g := range s.codes {
		doc.Codes[k] = grantDoc(g)
	}
	for k, t := range s.access {
		doc.AccessTokens[k] = accessDoc(t)
	}
	for k, t := range s.refresh {
		doc.RefreshTokens[k] = refreshDoc(t)
	}
	return doc
}

var sortedDoc = cmp.Options{
	cmpopts.SortSlices(func(a, b string) bool { return a < b }),
	cmpopts.SortSlices(func(a, b stateConsent) bool {
		return a.UserID < b.UserID || a.UserID == b.UserID && a.ClientID < b.ClientID
	}),
	cmpopts.EquateEmpty(),
}

// After every kind of request that changes the state, the file holds
// exactly what the emulator holds in memory: nothing a handler changes is
// left out of the next commit.
func TestStateFile_StoreMirrorsMemory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{Users: []User{defaultUser, apeach}, RefreshTTL: 24 * time.Hour}
	e := newStateEnv(t, cfg, path)
	check := func(step string) {
		t.Helper()
		if diff := cmp.Diff(memoryDoc(e.cur), storeDoc(t, e.cur), sortedDoc); diff != "" {
			t.Fatalf("after %s, the file differs from memory (-memory +file):\n%s", step, diff)
		}
	}
	check("Open")
	ryan := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "ryan@example.com", "scope", "openid profile_nickname account_email"))
	check("a login with an ID token")
	peach := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "apeach@example.com", "scope", "profile_nickname"))
	check("another user's login")
	e.visit(t, &UserAgent{Client: browser()}, "login_hint", "ryan@example.com")
	check("a code left unused")
	if r := get(t, e.authorizeURL("prompt", "select_account")); r.status != http.StatusOK {
		t.Fatalf("consent page: %d", r.status)
	}
	check("a consent page left waiting")
	next := e.postToken(t, refreshForm(ryan["refresh_token"].(string))).json(t)
	check("a refresh that rotates")
	if r := e.postForm(t, "/v2/user/revoke/scopes", next["access_token"].(string), url.Values{"scopes": {`["account_email"]`}}); r.status != http.StatusOK {
		t.Fatalf("revoke scopes: %d %s", r.status, r.body)
	}
	check("revoking a consent item")
	e.cur.RotateKey()
	e.jwks(t)
	check("a key rotation")
	e.cur.RegisterClient("registered-later")
	e.cur.RegisterRedirectURI("http://localhost:9/later")
	get(t, e.url+"/.well-known/jwks.json") // any request but a read commits
	check("registering a client and a redirect URI")
	if r := e.bearer(t, http.MethodPost, "/v1/user/logout", ryan["access_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("logout: %d", r.status)
	}
	check("logout")
	if r := e.sendForm(t, http.MethodPost, "/_emulator/expire-access-tokens", url.Values{"user_id": {"4000000001"}}); r.status != http.StatusOK {
		t.Fatalf("expire-access-tokens: %d", r.status)
	}
	check("expire-access-tokens")
	if r := e.bearer(t, http.MethodPost, "/v1/user/unlink", peach["access_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("unlink: %d", r.status)
	}
	check("unlink")
	e.clock.Advance(DefaultCodeTTL + sweepEvery)
	e.tokens(t, "login_hint", "apeach@example.com")
	check("a sweep of expired codes and consent pages")
}

// A JSON state file written by the emulator before the bbolt store is
// carried over: its tokens, consent and signing key work after the move,
// what had expired is left behind, the JSON is kept as PATH.v1.bak, and
// the file at PATH is the database from then on.
func TestStateFile_CarriesOverAVersion1File(t *testing.T) {
	v1, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	data, err := os.ReadFile(filepath.Join("testdata", "state-v1.tokens.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &tok); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, v1, 0o600); err != nil {
		t.Fatal(err)
	}
	// The file was written on 2026-12-07 with 10-year tokens; its unused
	// code expired ten minutes later.
	e := newStateEnv(t, Config{}, path)
	e.clock.Advance(time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC).Sub(e.clock.Now()))

	if r := e.bearer(t, http.MethodGet, "/v2/user/me", tok.AccessToken); r.status != http.StatusOK {
		t.Errorf("access token of the JSON file: %d %s", r.status, r.body)
	}
	if err := verifyRS256(parseJWT(t, tok.IDToken), e.jwks(t)); err != nil {
		t.Errorf("ID token signed before the move: %v", err)
	}
	if r := e.postToken(t, refreshForm(tok.RefreshToken)); r.status != http.StatusOK {
		t.Errorf("refresh token of the JSON file: %d %s", r.status, r.body)
	}
	if q := queryOf(t, get(t, e.authorizeURL("prompt", "none", "scope", "profile_nickname")).header.Get("Location")); q.Get("code") == "" {
		t.Errorf("prompt=none after the move: %v, want a code (consent carried over)", q)
	}
	if doc := storeDoc(t, e.cur); len(doc.Codes) != 1 {
		t.Errorf("%d codes in the file, want only the one just issued (the JSON's had expired)", len(doc.Codes))
	}
	if got, _ := os.ReadFile(path + backupSuffix); !bytes.Equal(got, v1) {
		t.Errorf("%s does not hold the JSON as it was", path+backupSuffix)
	}
	if fi, err := os.Stat(path + backupSuffix); err == nil && fi.Mode().Perm() != 0o600 {
		t.Errorf("backup mode %o, want 600", fi.Mode().Perm())
	}
	// A second start opens the database; the backup is not touched again.
	e.restart(t, Config{})
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", tok.AccessToken); r.status != http.StatusOK {
		t.Errorf("access token after a second start: %d %s", r.status, r.body)
	}
	if data, _ := os.ReadFile(path); bytes.HasPrefix(data, []byte("{")) {
		t.Error("the state file is still JSON after the move")
	}
}

// The state is bounded by what is still alive: expired codes, consent
// pages and tokens leave the file while the emulator runs (swept as
// requests come) and when it starts.
func TestStateFile_ExpiredEntriesLeaveTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{AccessTTL: time.Hour, RefreshTTL: 2 * time.Hour}
	e := newStateEnv(t, cfg, path)
	count := func() int {
		d := storeDoc(t, e.cur)
		return len(d.Codes) + len(d.ConsentPages) + len(d.AccessTokens) + len(d.RefreshTokens)
	}
	for round := range 5 {
		for range 20 {
			e.tokens(t)
		}
		get(t, e.authorizeURL("prompt", "login")) // a consent page left waiting
		e.login(t)                                // a code left unused
		// Everything but the last 20 logins (40 tokens), the page and the
		// code has expired and been swept.
		if n := count(); n > 42 {
			t.Fatalf("round %d: %d entries in the file, want at most 42", round, n)
		}
		e.clock.Advance(2*time.Hour + sweepEvery)
	}
	e.tokens(t)
	e.clock.Advance(2*time.Hour + sweepEvery)
	// The expired ones go at the next start, with no request.
	e.restart(t, cfg)
	if n := count(); n != 0 {
		t.Errorf("%d entries in the file after a start with everything expired, want 0", n)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	// bbolt reuses freed pages: the file stays at a few pages.
	if fi.Size() > 1<<20 {
		t.Errorf("state file is %d bytes after 101 logins that all expired, want under 1 MiB", fi.Size())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); slices.ContainsFunc(entries, func(d os.DirEntry) bool {
		return strings.Contains(d.Name(), ".tmp") || strings.HasSuffix(d.Name(), newSuffix)
	}) {
		t.Errorf("temporary files left beside the state file: %v", entries)
	}
}

// The paths whose answers are not held back for the disk (readPaths)
// change nothing the file keeps, for a live token, an unknown one or none.
func TestStateFile_ReadsChangeNothing(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	tok := e.tokens(t, "scope", "openid profile_nickname")
	at := tok["access_token"].(string)
	e.cur.mu.Lock()
	before := e.cur.changes
	e.cur.mu.Unlock()
	for p := range readPaths {
		for _, token := range []string{at, "emu_at_unknown", ""} {
			r := e.bearer(t, http.MethodGet, p, token)
			if r.status >= 500 {
				t.Errorf("GET %s: %d", p, r.status)
			}
		}
	}
	e.cur.mu.Lock()
	after := e.cur.changes
	e.cur.mu.Unlock()
	if after != before {
		t.Errorf("GET on readPaths made %d changes, want none", after-before)
	}
}
