package tokenstore

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
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

func TestProfiles_SetLoginNotesTheAppAndAMoveKeepsIt(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	app := App{ClientID: "key", RedirectURI: "http://127.0.0.1:9/callback", AuthURL: "http://127.0.0.1:9", APIURL: "http://127.0.0.1:9",
		Scopes: []string{"openid", "talk_message"}, AllowInsecureHTTP: true}
	if err := p.SetLogin("work", BackendKeyring, app); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Backend("work"); err != nil || got != BackendKeyring {
		t.Errorf("Backend() = %q, %v; want %q", got, err, BackendKeyring)
	}
	got, err := p.App("work")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&app, got); diff != "" {
		t.Errorf("App() mismatch (-want +got):\n%s", diff)
	}
	// A login moving to another store notes the store first; the app stays.
	if err := p.SetBackend("work", BackendFile); err != nil {
		t.Fatal(err)
	}
	got, err = p.App("work")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&app, got); diff != "" {
		t.Errorf("App() after SetBackend mismatch (-want +got):\n%s", diff)
	}
	// The next login's app replaces it.
	next := App{ClientID: "other"}
	if err := p.SetLogin("work", BackendFile, next); err != nil {
		t.Fatal(err)
	}
	if got, err := p.App("work"); err != nil || !cmp.Equal(&next, got) {
		t.Errorf("App() after a new login = %+v, %v; want %+v", got, err, next)
	}
	if err := p.SetLogin("work", BackendFile, App{}); err == nil {
		t.Errorf("SetLogin() of an app without a client id = nil, want an error")
	}
}

func TestProfiles_NoteOfALoginHoldsNoSecret(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	rec := &Record{ClientID: "key", RedirectURI: "http://localhost:8765/callback", AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com",
		Scopes: []string{"openid"}, TokenType: "bearer", AccessToken: "access-secret", RefreshToken: "refresh-secret", Expiry: time.Now(),
		UserID: 42, ClientSecret: "client-secret", IDToken: "idtoken-secret", Nonce: "nonce-secret"}
	if err := p.SetLogin("default", BackendKeyring, rec.App()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(p.Dir, "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"v":1,"store":"keyring","app":{"client_id":"key","redirect_uri":"http://localhost:8765/callback","auth_url":"https://kauth.kakao.com","api_url":"https://kapi.kakao.com","scopes":["openid"],"confidential":true}}`
	if got := string(data); got != want {
		t.Errorf("note = %s\nwant %s", got, want)
	}
	for _, secret := range []string{rec.AccessToken, rec.RefreshToken, rec.ClientSecret, rec.IDToken, rec.Nonce, "secret", "token"} {
		if strings.Contains(string(data), secret) {
			t.Errorf("the note holds %q:\n%s", secret, data)
		}
	}
}

// Notes are read by older and newer kakao-auths alike: a note written
// before the app was kept reads as a backend without an app, and fields a
// newer kakao-auth adds are ignored.
func TestProfiles_OldAndNewerNotesRead(t *testing.T) {
	tests := []struct {
		name    string
		note    string
		wantApp *App
	}{
		{"before the app was kept", `{"v":1,"store":"keyring"}`, nil},
		{"with the app", `{"v":1,"store":"keyring","app":{"client_id":"key","auth_url":"https://kauth.kakao.com"}}`,
			&App{ClientID: "key", AuthURL: "https://kauth.kakao.com"}},
		{"with fields of a newer kakao-auth", `{"v":1,"store":"keyring","app":{"client_id":"key","tenant":{"id":7}},"pinned":true,"labels":["x"]}`,
			&App{ClientID: "key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
			if err := p.SetBackend("default", BackendFile); err != nil {
				t.Fatal(err)
			}
			writeFileMode(t, filepath.Join(p.Dir, "default.json"), []byte(tt.note), 0o600)
			if got, err := p.Backend("default"); err != nil || got != BackendKeyring {
				t.Errorf("Backend() = %q, %v; want %q", got, err, BackendKeyring)
			}
			got, err := p.App("default")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantApp, got); diff != "" {
				t.Errorf("App() mismatch (-want +got):\n%s", diff)
			}
			// A move keeps what this kakao-auth knows of the app.
			if err := p.SetBackend("default", BackendFile); err != nil {
				t.Fatal(err)
			}
			if got, err := p.App("default"); err != nil || !cmp.Equal(tt.wantApp, got) {
				t.Errorf("App() after SetBackend = %+v, %v; want %+v", got, err, tt.wantApp)
			}
		})
	}
}

func TestProfiles_AppWithoutClientIDIsCorruptButTheBackendReads(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	writeFileMode(t, filepath.Join(p.Dir, "default.json"), []byte(`{"v":1,"store":"file","app":{"auth_url":"https://kauth.kakao.com"}}`), 0o600)
	if got, err := p.Backend("default"); err != nil || got != BackendFile {
		t.Errorf("Backend() = %q, %v; want %q", got, err, BackendFile)
	}
	if got, err := p.App("default"); !isCorrupt(err) {
		t.Errorf("App() = %+v, %v; want a *CorruptError", got, err)
	}
}

func TestProfiles_SetLoginUnchangedDoesNotRewrite(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	app := App{ClientID: "key", Scopes: []string{"openid"}}
	if err := p.SetLogin("default", BackendFile, app); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(p.Dir, "default.json")
	old := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := p.SetLogin("default", BackendFile, App{ClientID: "key", Scopes: []string{"openid"}}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); !fi.ModTime().Equal(old) {
		t.Errorf("SetLogin() with the same backend and app rewrote the note")
	}
	if err := p.SetLogin("default", BackendFile, App{ClientID: "key"}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.ModTime().Equal(old) {
		t.Errorf("SetLogin() with other scopes did not rewrite the note")
	}
}

func TestProfiles_AppTooLargeForANoteIsLeftOut(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	huge := App{ClientID: "key", AuthURL: "https://kauth.kakao.com/" + strings.Repeat("x", maxProfileFile)}
	if err := p.SetLogin("default", BackendKeyring, huge); err != nil {
		t.Fatal(err)
	}
	if got, err := p.Backend("default"); err != nil || got != BackendKeyring {
		t.Errorf("Backend() = %q, %v; want %q", got, err, BackendKeyring)
	}
	if got, err := p.App("default"); err != nil || got != nil {
		t.Errorf("App() = %+v, %v; want none", got, err)
	}
}

// Forgetting a profile whose notes directory a link replaced removes
// nothing where the link points.
func TestProfiles_RemoveThroughALinkedDirectoryTouchesNothingThere(t *testing.T) {
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := (Profiles{Dir: target}).SetBackend("default", BackendFile); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "profiles")
	if err := os.Symlink(target, dir); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := (Profiles{Dir: dir}).Remove("default"); !isInsecure(err) {
		t.Errorf("Remove() = %v, want a refusal of the linked directory", err)
	}
	if _, err := os.Lstat(filepath.Join(target, "default.json")); err != nil {
		t.Errorf("Remove() removed the note where the link points: %v", err)
	}
}
