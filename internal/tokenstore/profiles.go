package tokenstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// maxProfileFile bounds what Profiles reads; a note with its app is a few
// hundred bytes.
const maxProfileFile = 16 << 10

// maxNoteWrite bounds what Profiles writes: the previous release reads
// notes of up to 4 KiB and takes a larger one for corrupt.
const maxNoteWrite = 4 << 10

// profileNoteVersion is the format version of a Profiles note. The app was
// added to version 1 compatibly: a reader that does not know it ignores
// it, and a note without it is still whole. Bump the version only for a
// change an older reader would misread.
const profileNoteVersion = 1

// profileNote is what Profiles keeps per profile. It holds no secret; it
// is private anyway, like everything else under Paths.Root.
type profileNote struct {
	Version int    `json:"v"`
	Store   string `json:"store"`
	// App is the app of the profile's last stored login: nil in a note
	// written before kakao-auth kept it, or by one that predates it.
	App *App `json:"app,omitempty"`

	// extra and appExtra are the fields of the note, and of its app, that
	// this kakao-auth does not know (a newer one's): a rewrite keeps them.
	extra, appExtra map[string]json.RawMessage
}

// noteKeys and appKeys are the JSON fields this kakao-auth knows of a
// note and of its app.
var (
	noteKeys = jsonKeys(reflect.TypeFor[profileNote]())
	appKeys  = jsonKeys(reflect.TypeFor[App]())
)

// jsonKeys returns the JSON names of the exported fields of struct t.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" {
			name = f.Name
		}
		keys = append(keys, name)
	}
	return keys
}

// encode returns the note as JSON: the fields this kakao-auth knows, in
// order, then the others it read, sorted.
func (n profileNote) encode() ([]byte, error) {
	var app json.RawMessage
	if n.App != nil {
		b, err := json.Marshal(n.App)
		if err != nil {
			return nil, err
		}
		if app, err = withFields(b, n.appExtra); err != nil {
			return nil, err
		}
	}
	b, err := json.Marshal(struct {
		Version int             `json:"v"`
		Store   string          `json:"store"`
		App     json.RawMessage `json:"app,omitempty"`
	}{n.Version, n.Store, app})
	if err != nil {
		return nil, err
	}
	return withFields(b, n.extra)
}

// withFields appends the fields extra to the JSON object obj.
func withFields(obj []byte, extra map[string]json.RawMessage) ([]byte, error) {
	if len(extra) == 0 {
		return obj, nil
	}
	var buf bytes.Buffer
	buf.Write(obj[:len(obj)-1])
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		if buf.Bytes()[buf.Len()-1] != '{' {
			buf.WriteByte(',')
		}
		key, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		buf.Write(key)
		buf.WriteByte(':')
		if err := json.Compact(&buf, extra[k]); err != nil {
			return nil, err
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unknownFields returns the fields of the JSON object data not in known;
// nil when there are none, or data is no object.
func unknownFields(data []byte, known []string) map[string]json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	for _, k := range known {
		delete(m, k)
	}
	if len(m) == 0 {
		return nil
	}
	return m
}

// Profiles remembers, per profile, which backend holds its login and the
// app that login is of, as a small JSON file in Dir
// ({"v":1,"store":"keyring","app":{"client_id":…}}): every command that
// reads a login looks in the right place without being told, and a login knows the
// profile's app even when the record itself cannot be read (a locked
// keyring). The record is the login's truth; the note's app is a copy,
// written with each login, for when the record is out of reach.
type Profiles struct {
	Dir string
}

// Backend returns the backend name noted for profile, or ErrNotFound when
// the profile was never stored.
func (p Profiles) Backend(profile string) (string, error) {
	n, _, err := p.read(profile)
	return n.Store, err
}

// App returns the app noted for profile: nil (and no error) when the note
// has none (a note older than the app's place in it), ErrNotFound when the
// profile was never stored.
func (p Profiles) App(profile string) (*App, error) {
	n, path, err := p.read(profile)
	switch {
	case err != nil:
		return nil, err
	case n.App == nil:
		return nil, nil
	case n.App.ClientID == "":
		return nil, &CorruptError{Where: path, Err: errors.New("its app has no client_id")}
	}
	return n.App, nil
}

// read reads profile's note and checks what every reader needs: the
// version and the store. Fields it does not know (a newer kakao-auth's)
// are kept aside for a rewrite.
func (p Profiles) read(profile string) (profileNote, string, error) {
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return profileNote{}, "", fmt.Errorf("profile note: %w", err)
	}
	data, err := privfile.Read(path, maxProfileFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return profileNote{}, path, ErrNotFound
	case errors.Is(err, privfile.ErrTooLarge):
		return profileNote{}, path, &CorruptError{Where: path, Err: err}
	case err != nil:
		return profileNote{}, path, fmt.Errorf("read profile note: %w", err)
	}
	var n profileNote
	if err := json.Unmarshal(data, &n); err != nil {
		return profileNote{}, path, &CorruptError{Where: path, Err: describeJSONError(err)}
	}
	if n.Version != profileNoteVersion {
		return profileNote{}, path, &CorruptError{Where: path, Err: fmt.Errorf("unknown version %d", n.Version)}
	}
	if !isBackend(n.Store) {
		return profileNote{}, path, &CorruptError{Where: path, Err: fmt.Errorf("unknown store %q", n.Store)}
	}
	n.extra = unknownFields(data, noteKeys)
	var top struct {
		App json.RawMessage `json:"app"`
	}
	if json.Unmarshal(data, &top) == nil && len(top.App) > 0 {
		n.appExtra = unknownFields(top.App, appKeys)
	}
	return n, path, nil
}

// SetBackend notes that backend holds profile, keeping the app the note
// names. A note that already says so is not rewritten.
func (p Profiles) SetBackend(profile, backend string) error {
	return p.write(profile, backend, nil)
}

// SetLogin notes that backend holds profile's login, of app: a login
// notes both once its record is stored. A note that already says so is
// not rewritten. An app too large for a note (over maxNoteWrite, which the
// previous release would read back as corrupt) is left out: the note then
// names the backend alone, as an older one does.
func (p Profiles) SetLogin(profile, backend string, app App) error {
	if app.ClientID == "" {
		return errors.New("profile note: the app has no client id")
	}
	return p.write(profile, backend, &app)
}

// write notes backend and app (nil: the note's current app) for profile.
// Fields of the note it does not know are kept, and so are those of the
// app when the app stays the same one (the same client id).
func (p Profiles) write(profile, backend string, app *App) error {
	if !isBackend(backend) {
		return fmt.Errorf("unknown store %q", backend)
	}
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("profile note: %w", err)
	}
	old, _, err := p.read(profile)
	var ie *privfile.InsecureError
	if errors.As(err, &ie) {
		// Not ours to overwrite; see File.Save.
		return err
	}
	n := profileNote{Version: profileNoteVersion, Store: backend, App: app}
	if err == nil {
		n.extra = old.extra
		switch {
		case app == nil:
			n.App, n.appExtra = old.App, old.appExtra
		case old.App != nil && old.App.ClientID == app.ClientID:
			n.appExtra = old.appExtra
		}
		if old.Store == n.Store && sameApp(old.App, n.App) {
			return nil
		}
	}
	data, err := n.encode()
	if err == nil && len(data) > maxNoteWrite {
		n.App, n.appExtra = nil, nil
		data, err = n.encode()
	}
	if err == nil && len(data) > maxNoteWrite {
		// Only a newer kakao-auth's fields can take that much room.
		n.extra = nil
		data, err = n.encode()
	}
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

// sameApp reports whether two noted apps (nil: none) are the same. It
// compares the whole structs, so a field added to App counts without a
// change here; no scopes and an empty list of them are the same.
func sameApp(a, b *App) bool {
	if a == nil || b == nil {
		return a == b
	}
	x, y := *a, *b
	if len(x.Scopes) == 0 {
		x.Scopes = nil
	}
	if len(y.Scopes) == 0 {
		y.Scopes = nil
	}
	return reflect.DeepEqual(x, y)
}

// Remove forgets profile; an absent note is fine. A Dir that is a link,
// or not private, is refused (a *privfile.InsecureError) and nothing is
// removed.
func (p Profiles) Remove(profile string) error {
	path, err := profileFile(p.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("profile note: %w", err)
	}
	if err := privfile.RemoveIn(p.Dir, filepath.Base(path)); err != nil {
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
