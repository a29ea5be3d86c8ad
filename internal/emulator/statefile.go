package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrStateFileInUse is Open's error for a state file that another
// emulator holds (on systems with file locks).
var ErrStateFileInUse = errors.New("it is in use by another emulator")

// ErrLockFileForeign is Open's error for a lock file (path + ".lock") that
// belongs to another user; the error names the file and its owner.
var ErrLockFileForeign = errors.New("its lock file is another user's")

// stateStore is a Server's state file, a bbolt database locked for the
// Server's life.
type stateStore struct {
	path string
	lock *os.File // holds the lock on path + ".lock"
	db   *bolt.DB

	// mu lets one commit run at a time. Requests that changed the state
	// while one runs wait here, and the next commit writes all their
	// changes in one transaction, with one sync.
	mu      sync.Mutex
	closed  bool
	keyDocs map[string]stateKey // kid → encoded key, encoded once

	durable atomic.Uint64 // the Server.changes the file holds
	kids    []string      // the signing keys the file holds; under Server.keys.mu
}

// Open returns a Server like New whose state lives in the file at path, so
// that a restart keeps registered clients and redirect URIs, consents,
// codes, tokens and ID-token signing keys. Config still decides everything
// else (secret, lifetimes, users, faults); clients and redirect URIs in the
// file stay registered next to Config's, as they would in Kakao's console.
//
// The file is a bbolt database (go.etcd.io/bbolt), one key per entry, so a
// change costs the same however much the state holds. A missing file is
// created (0600; a missing directory 0700). A JSON state file written by
// an emulator before this store is read once and carried over: the JSON
// is kept beside it as path + ".v1.bak", and path becomes the database.
// An existing file must be a regular file, not a symbolic link, readable
// and writable by its owner only, and a state file this emulator can read
// whole: anything else is an error and the file is left as it is, never
// reset. A file whose tokens or consents belong to a user not in Config is
// refused too. What had expired is left out, and dropped from the file.
// While the Server is open, path + ".lock" is locked (on Unix), so a
// second emulator on the same file is refused rather than let the two
// overwrite each other.
//
// Every request that changes the state is answered only once the file holds
// the change (a committed, synced transaction): a client never holds a
// token a restarted emulator would not know. If the file cannot be written,
// the request is answered 500 instead.
//
// Call Close to release the file.
func Open(cfg Config, path string) (*Server, error) {
	if path == "" {
		return nil, errors.New("state file: empty path")
	}
	s, err := open(cfg, path)
	if err != nil {
		return nil, fmt.Errorf("state file %s: %w", path, err)
	}
	return s, nil
}

func open(cfg Config, path string) (*Server, error) {
	if err := mkdirPrivate(path); err != nil {
		return nil, err
	}
	lock, err := lockStateFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	st := &stateStore{path: path, lock: lock, keyDocs: map[string]stateKey{}}
	s, err := st.load(cfg)
	if err != nil {
		st.release()
		return nil, err
	}
	return s, nil
}

// load opens, migrates or creates the file, and returns the Server that
// holds its state. The lock is held.
func (st *stateStore) load(cfg Config) (*Server, error) {
	// A temporary database left by a run that was killed while creating one.
	if err := os.Remove(st.path + newSuffix); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	kind, err := sniffStateFile(st.path)
	if err != nil {
		return nil, err
	}
	switch kind {
	case fileMissing:
		if err := createStore(st.path, New(cfg)); err != nil {
			return nil, err
		}
	case fileJSON:
		if err := migrateJSON(st.path, cfg); err != nil {
			return nil, err
		}
	}
	db, err := openStore(st.path)
	if err != nil {
		return nil, err
	}
	st.db = db
	s, err := st.restore(cfg)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

// restore reads the database into a new Server and attaches st to it.
func (st *stateStore) restore(cfg Config) (*Server, error) {
	s := New(cfg)
	doc, purge, err := readAll(st.db, s.now())
	if err != nil {
		return nil, err
	}
	if err := s.restore(doc); err != nil {
		return nil, err
	}
	if len(purge) > 0 {
		if err := st.db.Update(func(tx *bolt.Tx) error { return writeEntries(tx, purge, nil) }); err != nil {
			return nil, err
		}
	}
	for _, k := range doc.SigningKeys {
		st.kids = append(st.kids, k.Kid)
		st.keyDocs[k.Kid] = k
	}
	s.store = st
	s.mu.Lock()
	s.dirty = map[entryRef]struct{}{}
	// Config's clients and redirect URIs join the file's, as registered.
	for c := range s.clients {
		s.changedLocked(kindClient, c)
	}
	for u := range s.redirectURIs {
		s.changedLocked(kindRedirectURI, u)
	}
	for u := range s.logoutURIs {
		s.changedLocked(kindLogoutURI, u)
	}
	s.mu.Unlock()
	if err := s.persist(); err != nil {
		return nil, err
	}
	return s, nil
}

// readAll reads the whole database. A damaged file makes bbolt panic, or
// fault on its memory map (a file cut short): both become an error.
func readAll(db *bolt.DB, now time.Time) (doc stateDoc, purge []entryWrite, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("damaged: %v", r)
		}
	}()
	err = db.View(func(tx *bolt.Tx) error {
		if fi, err := os.Stat(db.Path()); err == nil && fi.Size() < tx.Size() {
			return fmt.Errorf("damaged: cut short (%d bytes, %d written)", fi.Size(), tx.Size())
		}
		var err error
		doc, purge, err = readStore(tx, now)
		return err
	})
	return doc, purge, err
}

// Close writes what is left to write and releases the state file of a
// Server made by Open; requests after Close are answered 500. For a Server
// made by New it does nothing. Calling it again returns nil.
func (s *Server) Close() error {
	st := s.store
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return nil
	}
	err := s.commitLocked()
	st.closed = true
	err = errors.Join(err, st.db.Close())
	st.release()
	return err
}

func (st *stateStore) release() {
	if st.lock != nil {
		_ = st.lock.Close() // closing the descriptor drops the lock
	}
}

// persist returns once the file holds every change made so far: at once
// when it already does (a request that only read), else after a commit,
// its own or one that another request ran meanwhile.
func (s *Server) persist() error {
	st := s.store
	s.mu.Lock()
	want := s.changes
	s.mu.Unlock()
	if want <= st.durable.Load() && !s.keysChanged() {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.closed {
		return errors.New("state file closed")
	}
	if want <= st.durable.Load() && !s.keysChanged() {
		return nil // a commit that ran while this one waited took it
	}
	return s.commitLocked()
}

// commitLocked writes every change not yet in the file in one transaction.
// On failure the changes stay recorded, for the next commit to try again.
// st.mu must be held.
func (s *Server) commitLocked() error {
	st := s.store
	s.mu.Lock()
	refs := s.dirty
	upto := s.changes
	writes, err := s.encodeLocked(refs)
	if err == nil {
		s.dirty = make(map[entryRef]struct{}, len(refs))
	}
	s.mu.Unlock()
	if err != nil {
		return err
	}
	keys := s.keysToWrite()
	if len(writes) > 0 || keys != nil {
		err = st.db.Update(func(tx *bolt.Tx) error { return writeEntries(tx, writes, keys) })
	}
	if err != nil {
		s.mu.Lock()
		for r := range refs {
			s.dirty[r] = struct{}{}
		}
		s.mu.Unlock()
		return err
	}
	if keys != nil {
		s.keys.mu.Lock()
		st.kids = st.kids[:0]
		for _, k := range keys {
			st.kids = append(st.kids, k.Kid)
		}
		s.keys.mu.Unlock()
	}
	st.durable.Store(upto)
	return nil
}

// keysChanged reports whether the signing keys differ from the file's.
func (s *Server) keysChanged() bool {
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	return !slices.EqualFunc(s.keys.keys, s.store.kids, func(k *signingKey, kid string) bool { return k.kid == kid })
}

// keysToWrite returns the signing keys when they differ from the file's,
// else nil. st.mu must be held (for keyDocs).
func (s *Server) keysToWrite() []stateKey {
	st := s.store
	s.keys.mu.Lock()
	defer s.keys.mu.Unlock()
	if slices.EqualFunc(s.keys.keys, st.kids, func(k *signingKey, kid string) bool { return k.kid == kid }) {
		return nil
	}
	out := []stateKey{}
	for _, k := range s.keys.keys {
		d, ok := st.keyDocs[k.kid]
		if !ok {
			d = keyDoc(k)
			st.keyDocs[k.kid] = d
		}
		out = append(out, d)
	}
	return out
}

// readPaths answer GET with what a token grants and change nothing a
// restart needs: the only change they make is dropping an expired access
// token, which a crash may undo harmlessly. Their answers are not held
// back, so a test suite's /v2/user/me after each login costs no wait for
// the disk. TestStateFile_ReadsChangeNothing holds them to it.
var readPaths = map[string]bool{
	"/v2/user/me":                       true,
	"/v1/user/access_token_info":        true,
	"/v1/oidc/userinfo":                 true,
	"/v2/user/scopes":                   true,
	"/.well-known/openid-configuration": true,
	"/_emulator/stats":                  true, // observations only
	"/_emulator/memos":                  true,
}

// serveSaving serves r with the answer held back until the state file holds
// whatever r changed, and what it saw others change.
func (s *Server) serveSaving(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && readPaths[r.URL.Path] {
		s.mux.ServeHTTP(w, r)
		return
	}
	held := &heldResponse{w: w, header: http.Header{}}
	s.mux.ServeHTTP(held, r)
	if err := s.persist(); err != nil {
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
