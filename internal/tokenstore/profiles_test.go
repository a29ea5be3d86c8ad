package tokenstore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestProfiles_SetBackendThenBackendListRemove(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}

	if names, err := p.List(); err != nil || len(names) != 0 {
		t.Fatalf("List() before any SetBackend = %q, %v; want empty", names, err)
	}
	if _, err := p.Backend("default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Backend() of a new profile = %v, want ErrNotFound", err)
	}

	set := map[string]string{"default": BackendKeyring, "a.b": BackendFile, "a-b": BackendNone, "work": BackendFile}
	for profile, backend := range set {
		if err := p.SetBackend(profile, backend); err != nil {
			t.Fatalf("SetBackend(%q, %q) = %v", profile, backend, err)
		}
	}
	// Switching a profile to another backend overwrites its note.
	if err := p.SetBackend("work", BackendKeyring); err != nil {
		t.Fatal(err)
	}
	set["work"] = BackendKeyring
	for profile, want := range set {
		if got, err := p.Backend(profile); err != nil || got != want {
			t.Errorf("Backend(%q) = %q, %v; want %q", profile, got, err, want)
		}
	}

	names, err := p.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a-b", "a.b", "default", "work"}, names); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}

	if err := p.Remove("work"); err != nil {
		t.Fatalf("Remove() = %v", err)
	}
	if err := p.Remove("work"); err != nil {
		t.Errorf("Remove() of an absent profile = %v, want nil", err)
	}
	if _, err := p.Backend("work"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Backend() after Remove = %v, want ErrNotFound", err)
	}
}

func TestProfiles_NoteIsSmallPrivateJSON(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "profiles")
	p := Profiles{Dir: dir}
	if err := p.SetBackend("default", BackendKeyring); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "default.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), `{"v":1,"store":"keyring"}`; got != want {
		t.Errorf("note = %s, want %s", got, want)
	}
	if runtime.GOOS == "windows" {
		return
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("note mode = %#o, want 0600", fi.Mode().Perm())
	}
	if fi, _ := os.Stat(dir); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode = %#o, want 0700", fi.Mode().Perm())
	}
}

func TestProfiles_SetBackendUnchangedDoesNotRewrite(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(p.Dir, "default.json")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(path)
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(path)
	if !os.SameFile(before, after) || !after.ModTime().Equal(old) {
		t.Errorf("SetBackend() with the same backend rewrote the note")
	}
}

func TestProfiles_Refusals(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetBackend("default", "env"); err == nil {
		t.Errorf("SetBackend(unknown backend) = nil, want an error")
	}
	for _, name := range badProfileNames {
		if err := p.SetBackend(name, BackendFile); err == nil {
			t.Errorf("SetBackend(%q) = nil, want a refusal", name)
		}
		if _, err := p.Backend(name); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Backend(%q) = %v, want a refusal", name, err)
		}
		if err := p.Remove(name); err == nil {
			t.Errorf("Remove(%q) = nil, want a refusal", name)
		}
	}
}

func TestProfiles_CorruptNote(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	for _, content := range []string{`{"v":1,"store":`, `{"v":2,"store":"file"}`, `{"v":1,"store":"env"}`} {
		writeFileMode(t, filepath.Join(p.Dir, "default.json"), []byte(content), 0o600)
		if got, err := p.Backend("default"); !isCorrupt(err) {
			t.Errorf("Backend() of %s = %q, %v; want a *CorruptError", content, got, err)
		}
	}
	// A fresh SetBackend repairs it.
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Errorf("SetBackend() over a corrupt note = %v", err)
	}
}

func TestProfiles_ListSkipsWhatIsNotANote(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	for _, junk := range []string{".tmp-123", ".hidden.json", "notes.txt"} {
		writeFileMode(t, filepath.Join(p.Dir, junk), []byte("x"), 0o600)
	}
	if err := os.Mkdir(filepath.Join(p.Dir, "dir.json"), 0o700); err != nil {
		t.Fatal(err)
	}
	names, err := p.List()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"default"}, names); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
}
