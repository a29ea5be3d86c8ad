package tokenstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// maxProfileFile bounds what Profiles reads; a note is about 25 bytes.
const maxProfileFile = 4 << 10

// profileNoteVersion is the format version of a Profiles note.
const profileNoteVersion = 1

// profileNote is what Profiles keeps per profile. It holds no secret; it
// is private anyway, like everything else under Paths.Root.
type profileNote struct {
	Version int    `json:"v"`
	Store   string `json:"store"`
}

// Profiles remembers which backend holds each profile, as a small JSON
// file per profile in Dir ({"v":1,"store":"keyring"}), so the token command
// looks in the right place without being told.
type Profiles struct {
	Dir string
}

// Backend returns the backend name noted for profile, or ErrNotFound when
// the profile was never stored.
func (p Profiles) Backend(profile string) (string, error) {
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return "", fmt.Errorf("profile note: %w", err)
	}
	data, err := privfile.Read(path, maxProfileFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", ErrNotFound
	case errors.Is(err, privfile.ErrTooLarge):
		return "", &CorruptError{Where: path, Err: err}
	case err != nil:
		return "", fmt.Errorf("read profile note: %w", err)
	}
	var n profileNote
	if err := json.Unmarshal(data, &n); err != nil {
		return "", &CorruptError{Where: path, Err: describeJSONError(err)}
	}
	if n.Version != profileNoteVersion {
		return "", &CorruptError{Where: path, Err: fmt.Errorf("unknown version %d", n.Version)}
	}
	if !isBackend(n.Store) {
		return "", &CorruptError{Where: path, Err: fmt.Errorf("unknown store %q", n.Store)}
	}
	return n.Store, nil
}

// SetBackend notes that backend holds profile. A note that already says so
// is not rewritten.
func (p Profiles) SetBackend(profile, backend string) error {
	if !isBackend(backend) {
		return fmt.Errorf("unknown store %q", backend)
	}
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("profile note: %w", err)
	}
	old, err := p.Backend(profile)
	var ie *privfile.InsecureError
	switch {
	case err == nil && old == backend:
		return nil
	case errors.As(err, &ie):
		// Not ours to overwrite; see File.Save.
		return err
	}
	data, err := json.Marshal(profileNote{Version: profileNoteVersion, Store: backend})
	if err != nil {
		return fmt.Errorf("encode profile note: %w", err)
	}
	if err := privfile.EnsureDir(p.Dir); err != nil {
		return fmt.Errorf("profile directory: %w", err)
	}
	if err := privfile.WriteAtomic(path, data); err != nil {
		return fmt.Errorf("write profile note: %w", err)
	}
	sweepTemps(p.Dir)
	return nil
}

// Remove forgets profile; an absent note is fine.
func (p Profiles) Remove(profile string) error {
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("profile note: %w", err)
	}
	if err := privfile.Remove(path); err != nil {
		return fmt.Errorf("remove profile note: %w", err)
	}
	sweepTemps(p.Dir)
	return nil
}

// List returns the names of the noted profiles, sorted; none (or no Dir
// yet) gives an empty list. Files that cannot be notes (temp files, other
// names) are skipped.
func (p Profiles) List() ([]string, error) {
	entries, err := os.ReadDir(p.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return []string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list profiles: %w", err)
	}
	names := []string{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() || strings.HasPrefix(name, ".") || CheckProfile(name) != nil {
			continue
		}
		names = append(names, name)
	}
	// Sorted by profile, not by file name: "a-b.json" sorts before "a.json".
	slices.Sort(names)
	return names, nil
}

// isBackend reports whether name is one of the Backend constants.
func isBackend(name string) bool {
	return name == BackendKeyring || name == BackendFile || name == BackendNone
}
