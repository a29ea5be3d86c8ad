package session

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// maxFileSize bounds what Read will load; a session file is well under 1 KiB.
const maxFileSize = 64 << 10

// DefaultDir is where session files live: $XDG_RUNTIME_DIR/kakao-auth when
// the runtime dir exists (tmpfs, per user, cleared at logout), else
// kakao-auth/sessions under the user cache dir.
func DefaultDir(getenv func(string) string) (string, error) {
	if rt := getenv("XDG_RUNTIME_DIR"); rt != "" {
		if fi, err := os.Stat(rt); err == nil && fi.IsDir() {
			return filepath.Join(rt, "kakao-auth"), nil
		}
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("find a directory for session files: %w", err)
	}
	return filepath.Join(cache, "kakao-auth", "sessions"), nil
}

// Dir is a directory of session files.
type Dir struct {
	Path string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (d Dir) now() time.Time {
	if d.Now == nil {
		return time.Now()
	}
	return d.Now()
}

// ensure creates the directory with mode 0700 and checks that an existing
// one is private to this user.
func (d Dir) ensure() error {
	if err := privfile.EnsureDir(d.Path); err != nil {
		return fmt.Errorf("create session directory: %w", err)
	}
	return nil
}

// Create writes s to a new file of its own, atomically and with mode 0600,
// and returns its path. Version, CreatedAt and ExpiresAt are filled in.
func (d Dir) Create(s *Session) (string, error) {
	if err := d.ensure(); err != nil {
		return "", err
	}
	s.Version = Version
	s.CreatedAt = d.now().UTC().Truncate(time.Second)
	s.ExpiresAt = s.CreatedAt.Add(Lifetime)
	if err := s.validate(); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	path := filepath.Join(d.Path, fileName(s.State))
	if err := privfile.WriteAtomic(path, append(data, '\n')); err != nil {
		return "", fmt.Errorf("write session file: %w", err)
	}
	return path, nil
}

// PathFor is where the session for state lives (whether or not it exists).
func (d Dir) PathFor(state string) string {
	return filepath.Join(d.Path, fileName(state))
}

// Find loads the session for state. It returns ErrNotFound when there is
// none and ErrExpired when it is past its life.
func (d Dir) Find(state string) (*Session, error) {
	if state == "" {
		return nil, ErrNotFound
	}
	path := d.PathFor(state)
	s, err := Read(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	// The name is a hash of the state; a file whose content names another
	// state was renamed or planted.
	if s.State != state {
		return nil, &InsecureError{Path: path, Reason: "its state does not match its name"}
	}
	if !d.now().Before(s.ExpiresAt) {
		return nil, ErrExpired
	}
	return s, nil
}

// Read loads and checks one session file: a regular file (not a link),
// owned by this user, mode 0600, well-formed.
func Read(path string) (*Session, error) {
	data, err := privfile.Read(path, maxFileSize)
	if errors.Is(err, privfile.ErrTooLarge) {
		return nil, &CorruptError{Path: path, Err: errors.New("too large")}
	}
	if err != nil {
		return nil, err
	}
	return decode(path, data)
}

func decode(path string, data []byte) (*Session, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Session
	if err := dec.Decode(&s); err != nil {
		return nil, &CorruptError{Path: path, Err: errors.New("not valid session JSON")}
	}
	if err := s.validate(); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	return &s, nil
}

// Delete removes the session file for state; a missing file is not an error.
func (d Dir) Delete(state string) error {
	if err := privfile.Remove(d.PathFor(state)); err != nil {
		return fmt.Errorf("remove session file: %w", err)
	}
	return nil
}

// Sweep removes session files whose life is over or whose owner process is
// gone, and damaged, claimed or leftover temporary files older than
// Lifetime, so a crashed run (SIGKILL, power loss) leaves nothing behind for
// long. It checks the directory first (a real directory, private to this
// user: else a *privfile.InsecureError and nothing removed), then works only
// inside the directory it checked, never through a link, and leaves files
// it cannot judge alone. It returns how many files it removed.
func (d Dir) Sweep() (int, error) {
	// Removing through root cannot reach outside the directory checked,
	// even if a link took its place since.
	root, err := privfile.OpenDir(d.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("sweep session files: %w", err)
	}
	defer root.Close()
	dir, err := root.Open(".")
	if err != nil {
		return 0, fmt.Errorf("sweep session files: %w", err)
	}
	entries, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return 0, fmt.Errorf("sweep session files: %w", err)
	}
	now := d.now()
	removed := 0
	for _, e := range entries {
		name := e.Name()
		isSession := strings.HasSuffix(name, fileSuffix)
		if !isSession && !strings.HasPrefix(name, ".tmp-") && !strings.HasSuffix(name, fileSuffix+claimedSuffix) {
			continue
		}
		fi, err := root.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		stale := now.Sub(fi.ModTime()) > Lifetime
		if isSession {
			if s, err := Read(filepath.Join(d.Path, name)); err == nil {
				stale = !now.Before(s.ExpiresAt) || (s.OwnerPID != 0 && !processAlive(s.OwnerPID))
			}
		}
		if stale && root.Remove(name) == nil {
			removed++
		}
	}
	return removed, nil
}

// claimedSuffix marks a session taken by one resume; no other can find it.
const claimedSuffix = ".claimed"

// Claim takes the session for state for this process alone: the file is
// renamed atomically, so of two resumes of the same login only one gets it.
// Release removes it when done. An expired session is not claimed
// (ErrExpired), and a missing or already claimed one is ErrNotFound.
func (d Dir) Claim(state string) (*Session, error) {
	s, err := d.Find(state)
	if err != nil {
		return nil, err
	}
	path := d.PathFor(state)
	if err := os.Rename(path, path+claimedSuffix); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("claim session file: %w", err)
	}
	return s, nil
}

// Release removes a claimed session.
func (d Dir) Release(state string) error {
	if err := privfile.Remove(d.PathFor(state) + claimedSuffix); err != nil {
		return fmt.Errorf("remove session file: %w", err)
	}
	return nil
}
