package emulator

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	bolt "go.etcd.io/bbolt"
)

// stateEnv is an env whose emulator can be stopped and started again on
// the same URL and state file, as `kakao-auth emulator --state-file` is.
type stateEnv struct {
	*env
	path string

	mu  sync.Mutex
	cur *Server
}

func newStateEnv(t *testing.T, cfg Config, path string) *stateEnv {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "app callback") }))
	t.Cleanup(app.Close)
	se := &stateEnv{env: &env{callback: app.URL + "/callback", clock: newClock()}, path: path}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		se.mu.Lock()
		s := se.cur
		se.mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	se.url = srv.URL
	se.start(t, cfg)
	t.Cleanup(func() { se.cur.Close() })
	return se
}

// start opens the state file with cfg (plus the callback and the clock)
// and serves the new Server.
func (se *stateEnv) start(t *testing.T, cfg Config) {
	t.Helper()
	cfg.RedirectURIs = append(cfg.RedirectURIs, se.callback)
	cfg.Now = se.clock.Now
	s, err := Open(cfg, se.path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	se.mu.Lock()
	se.cur, se.s = s, s
	se.mu.Unlock()
}

// restart closes the Server and opens the state file again with cfg.
func (se *stateEnv) restart(t *testing.T, cfg Config) {
	t.Helper()
	if err := se.cur.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	se.start(t, cfg)
}

func TestStateFile_RestartKeepsTokensConsentKeysAndClients(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{ClientIDs: []string{DefaultClientID, "second-key"}}
	e := newStateEnv(t, cfg, path)
	tok, idt := e.idToken(t, "scope", "openid profile_nickname", "nonce", "n1")
	unused := e.login(t)
	keysBefore := e.jwks(t)

	// The second start registers only the default client: the state file
	// keeps the one registered before, as Kakao's console would.
	e.restart(t, Config{})

	if r := e.postToken(t, refreshForm(tok["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("refresh after restart: %d %s", r.status, r.body)
	}
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", tok["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("access token after restart: %d %s", r.status, r.body)
	}
	if r := e.postToken(t, e.codeForm(unused)); r.status != http.StatusOK {
		t.Errorf("code issued before the restart: %d %s", r.status, r.body)
	}
	if err := verifyRS256(idt, e.jwks(t)); err != nil {
		t.Errorf("ID token from before the restart: %v", err)
	}
	if diff := cmp.Diff(len(keysBefore), len(e.jwks(t))); diff != "" {
		t.Errorf("JWKS size (-before +after):\n%s", diff)
	}
	if q := queryOf(t, get(t, e.authorizeURL("prompt", "none", "scope", "profile_nickname")).header.Get("Location")); q.Get("code") == "" {
		t.Errorf("prompt=none after restart: %v, want a code (consent kept)", q)
	}
	if r := get(t, e.authorizeURL("client_id", "second-key")); r.status != http.StatusOK {
		t.Errorf("client registered before the restart: authorize %d, want the consent page", r.status)
	}
}

// The rotated refresh token is on disk before the client sees it: after a
// restart the new one works and the old one stays dead.
func TestStateFile_RotationSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	cfg := Config{RefreshTTL: 24 * time.Hour}
	e := newStateEnv(t, cfg, path)
	rt := e.tokens(t)["refresh_token"].(string)
	next, _ := e.postToken(t, refreshForm(rt)).json(t)["refresh_token"].(string)
	if next == "" {
		t.Fatal("no rotation")
	}
	e.restart(t, cfg)
	assertKOE322(t, e.env, rt)
	if r := e.postToken(t, refreshForm(next)); r.status != http.StatusOK {
		t.Errorf("rotated refresh token after restart: %d %s", r.status, r.body)
	}
}

// Which login a token comes from is kept too: after a restart, logout
// with one login's access token still ends that login's refresh token and
// leaves the other login alone.
func TestStateFile_LogoutAfterARestartEndsThatLoginOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	first, second := e.tokens(t), e.tokens(t)
	e.restart(t, Config{})
	if r := e.bearer(t, http.MethodPost, "/v1/user/logout", first["access_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("logout: %d %s", r.status, r.body)
	}
	assertKOE322(t, e.env, first["refresh_token"].(string))
	if r := e.postToken(t, refreshForm(second["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("the other login's refresh token: %d %s, want still valid", r.status, r.body)
	}
}

// Each answer that hands out a token comes after the state file holds it:
// a crash right after the answer loses nothing the client was given.
func TestStateFile_TokensAreOnDiskBeforeTheAnswer(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{AutoApprove: true}, path)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			code := queryOf(t, get(t, e.authorizeURL()).header.Get("Location")).Get("code")
			r, err := e.sendToken(t.Context(), e.codeForm(code))
			if err != nil {
				errs <- err
				return
			}
			var tok struct {
				AccessToken  string `json:"access_token"`
				RefreshToken string `json:"refresh_token"`
			}
			if err := jsonUnmarshal(r.body, &tok); err != nil {
				errs <- err
				return
			}
			data, err := os.ReadFile(path)
			if err != nil {
				errs <- err
				return
			}
			if !bytes.Contains(data, []byte(tok.AccessToken)) || !bytes.Contains(data, []byte(tok.RefreshToken)) {
				errs <- fmt.Errorf("tokens of a finished exchange are not in the state file yet")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func TestStateFile_IsPrivateAndWrittenWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "dir")
	path := filepath.Join(dir, "state.json")
	e := newStateEnv(t, Config{}, path)
	e.tokens(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("state file after start and a login: %v", err)
	}
	if runtime.GOOS != "windows" {
		if got := fi.Mode().Perm(); got != 0o600 {
			t.Errorf("state file mode %o, want 600", got)
		}
		if di, _ := os.Stat(dir); di.Mode().Perm() != 0o700 {
			t.Errorf("created directory mode %o, want 700", di.Mode().Perm())
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, en := range entries {
		names = append(names, en.Name())
	}
	if diff := cmp.Diff([]string{"state.json", "state.json.lock"}, names); diff != "" {
		t.Errorf("files beside the state file (-want +got):\n%s", diff)
	}
	if data, _ := os.ReadFile(path); len(data) < 20 || binary.LittleEndian.Uint32(data[16:]) != boltMagic {
		t.Errorf("state file starts %.40q, want a bbolt database", data)
	}
}

// A state file that cannot be read is never replaced: Open fails, names
// the problem and leaves the bytes as they were. The JSON cases are files
// of version 1 (testdata/state-v1.json was written by the emulator before
// the bbolt store), which Open would otherwise carry over.
func TestStateFile_CorruptFileIsRefusedAndKept(t *testing.T) {
	good, err := os.ReadFile(filepath.Join("testdata", "state-v1.json"))
	if err != nil {
		t.Fatal(err)
	}
	store := func(t *testing.T) []byte {
		path := filepath.Join(t.TempDir(), "state.json")
		e := newStateEnv(t, Config{}, path)
		e.tokens(t, "scope", "openid")
		e.cur.Close()
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return data
	}(t)
	other := func(t *testing.T) []byte {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := bolt.Open(path, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Update(func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("widgets")); return err }); err != nil {
			t.Fatal(err)
		}
		db.Close()
		data, _ := os.ReadFile(path)
		return data
	}(t)
	tests := []struct {
		name    string
		data    []byte
		cfg     Config
		wantErr string
	}{
		{name: "empty", data: nil, wantErr: "not a kakao-auth emulator state file"},
		{name: "not JSON", data: []byte("hello"), wantErr: "not a kakao-auth emulator state file"},
		{name: "JSON cut short", data: good[:len(good)/2], wantErr: "not a kakao-auth emulator state file"},
		{name: "newer version", data: bytes.Replace(good, []byte(`"version": 1`), []byte(`"version": 2`), 1), wantErr: "version 2"},
		{name: "no version", data: bytes.Replace(good, []byte(`"version": 1,`), nil, 1), wantErr: "version 0"},
		{name: "unknown field", data: bytes.Replace(good, []byte(`"version": 1,`), []byte(`"version": 1, "extra": true,`), 1), wantErr: `unknown field "extra"`},
		{name: "signing key damaged", data: bytes.Replace(good, []byte(`"private_key":"MII`), []byte(`"private_key":"XII`), 1), wantErr: "signing key"},
		{name: "user not configured", data: good, cfg: Config{Users: []User{apeach}}, wantErr: "user 4000000001"},
		{name: "database cut short", data: store[:3*4096], wantErr: "damaged"},
		{name: "database of something else", data: other, wantErr: "not a kakao-auth emulator state file"},
		{name: "database damaged", data: append(slices.Clone(store[:2*4096]), bytes.Repeat([]byte{0xA5}, len(store)-2*4096)...), wantErr: "damaged"},
		{name: "database of another user set", data: store, cfg: Config{Users: []User{apeach}}, wantErr: "user 4000000001"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, tt.data, 0o600); err != nil {
				t.Fatal(err)
			}
			s, err := Open(tt.cfg, path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Errorf("Open error = %v, want it to name %s and say %q", err, path, tt.wantErr)
			}
			if strings.Contains(err.Error(), "emu_at_") || strings.Contains(err.Error(), "emu_rt_") {
				t.Errorf("Open error leaks a token: %v", err)
			}
			if got, _ := os.ReadFile(path); !bytes.Equal(got, tt.data) {
				t.Errorf("state file changed after a refused Open")
			}
			if _, err := os.Stat(path + backupSuffix); err == nil {
				t.Errorf("a refused Open left %s", path+backupSuffix)
			}
		})
	}
}

func TestStateFile_RefusesUnsafeFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix permissions and symlinks")
	}
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	s, err := Open(Config{}, real)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	open := filepath.Join(dir, "open.json")
	if err := os.WriteFile(open, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(open, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path, wantErr string }{
		{"symlink", link, "symbolic link"},
		{"readable by others", open, "chmod 600"},
		{"directory", dir, "not a regular file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(Config{}, tt.path)
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Open error = %v, want one saying %q", err, tt.wantErr)
			}
		})
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("the symlink was replaced")
	}
}

// Two emulators on one state file would overwrite each other's tokens.
func TestStateFile_InUseByAnotherServerIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	first, err := Open(Config{}, path)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(Config{}, path); err == nil {
		s.Close()
		t.Fatal("second Open succeeded, want an error")
	} else if !strings.Contains(err.Error(), "in use") {
		t.Errorf("second Open error = %v, want it to say the file is in use", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := Open(Config{}, path)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	again.Close()
}

// When the state cannot be saved, the answer that would hand out unsaved
// tokens is a 500 instead.
func TestStateFile_SaveFailureIsA500(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{AutoApprove: true}, path)
	code := queryOf(t, get(t, e.authorizeURL()).header.Get("Location")).Get("code")
	// The database closed under the Server: every commit fails from here.
	if err := e.cur.store.db.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.postToken(t, e.codeForm(code))
	if r.status != http.StatusInternalServerError || strings.Contains(r.body, "emu_at_") || !strings.Contains(r.body, "save state") {
		t.Errorf("exchange with an unwritable state file: %d %s, want a 500 about saving state and no token", r.status, r.body)
	}
}

func jsonUnmarshal(s string, v any) error {
	return json.Unmarshal([]byte(s), v)
}

// storeDoc reads what the state file of s holds, expired entries too.
func storeDoc(t *testing.T, s *Server) stateDoc {
	t.Helper()
	var doc stateDoc
	if err := s.store.db.View(func(tx *bolt.Tx) error {
		var err error
		doc, _, err = readStore(tx, time.Time{})
		return err
	}); err != nil {
		t.Fatalf("read the store: %v", err)
	}
	return doc
}

// Entries come and go with the state: logout drops that login's tokens
// from the file too, unlink all of them.
func TestStateFile_EntriesFollowTheState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	first := e.tokens(t, "scope", "openid")
	second := e.tokens(t)
	doc := storeDoc(t, e.cur)
	if len(doc.AccessTokens) != 2 || len(doc.RefreshTokens) != 2 || len(doc.SigningKeys) != 1 || len(doc.Consents) != 1 {
		t.Fatalf("state after two logins: %d access, %d refresh, %d keys, %d consents; want 2, 2, 1, 1",
			len(doc.AccessTokens), len(doc.RefreshTokens), len(doc.SigningKeys), len(doc.Consents))
	}
	rt := doc.RefreshTokens[first["refresh_token"].(string)]
	if !rt.IDToken || rt.UserID != defaultUser.ID || rt.ClientID != DefaultClientID {
		t.Errorf("first refresh token in the file = %+v, want the default user's, with an ID token", rt)
	}
	if r := e.bearer(t, http.MethodPost, "/v1/user/logout", second["access_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("logout: %d", r.status)
	}
	doc = storeDoc(t, e.cur)
	at, rt := doc.AccessTokens[first["access_token"].(string)], doc.RefreshTokens[first["refresh_token"].(string)]
	if len(doc.AccessTokens) != 1 || len(doc.RefreshTokens) != 1 || len(doc.Consents) != 1 || at.Grant == "" || at.Grant != rt.Grant {
		t.Errorf("state after logout: %d access, %d refresh, %d consents, grants %q and %q; want the first login's two tokens, of one grant, and the consent",
			len(doc.AccessTokens), len(doc.RefreshTokens), len(doc.Consents), at.Grant, rt.Grant)
	}
	if r := e.bearer(t, http.MethodPost, "/v1/user/unlink", first["access_token"].(string)); r.status != http.StatusOK {
		t.Fatalf("unlink: %d", r.status)
	}
	if doc := storeDoc(t, e.cur); len(doc.AccessTokens) != 0 || len(doc.RefreshTokens) != 0 || len(doc.Consents) != 0 {
		t.Errorf("state after unlink: %d access, %d refresh, %d consents; want none", len(doc.AccessTokens), len(doc.RefreshTokens), len(doc.Consents))
	}
}
