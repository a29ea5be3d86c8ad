package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync"
)

// ErrStateFileInUse is Open's error for a state file that another
// emulator holds (on systems with file locks).
var ErrStateFileInUse = errors.New("it is in use by another emulator")

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

// serveSaving serves r with the answer held back until the state file holds
// whatever r changed.
func (s *Server) serveSaving(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == "/_emulator/stats" || r.URL.Path == "/_emulator/memos" {
		s.mux.ServeHTTP(w, r) // reads observations only
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
