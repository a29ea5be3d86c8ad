package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A login whose keyring save fails leaves the profile's note as it found
// it. Only a note the login itself made is taken back; one that existed
// but could not be read (damaged, a newer kakao-auth's, refused) stays,
// byte for byte: it may be the only thing that says where a login lives.
func TestSaveLogin_FailedSaveLeavesAnUnreadableNoteAsItWas(t *testing.T) {
	tests := []struct {
		name string
		note string // "" for none
		mode os.FileMode
	}{
		{"no note", "", 0},
		{"a damaged note", `{"v":1,"store":`, 0o600},
		{"a newer kakao-auth's note", `{"v":2,"store":"keyring","app":{"client_id":"key"}}`, 0o600},
		{"a note of the file store", `{"v":1,"store":"file"}`, 0o600},
		{"a note others can read", `{"v":1,"store":"file"}`, 0o644},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			paths := tokenstore.Paths{Root: root}
			note := filepath.Join(paths.ProfilesDir(), "work.json")
			if tt.note != "" {
				if err := privfile.EnsureDir(paths.ProfilesDir()); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(note, []byte(tt.note), tt.mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(note, tt.mode); err != nil {
					t.Fatal(err)
				}
			}
			d, _, _ := storeDeps(root, nil, "")
			rec := &tokenstore.Record{ClientID: "key", AccessToken: "at", RefreshToken: "rt", TokenType: "bearer"}
			cfg, err := profiles(d)
			if err != nil {
				t.Fatal(err)
			}
			if err := cfg.In("work", profile.Local(unavailableKeyring{}, paths)).SaveLogin(t.Context(), rec); err == nil {
				t.Fatal("SaveLogin() to an unavailable keyring = nil, want an error")
			}
			got, err := os.ReadFile(note)
			if tt.note == "" {
				if !os.IsNotExist(err) {
					t.Errorf("the note the failed login made is still there: %q, %v", got, err)
				}
				return
			}
			if err != nil || !bytes.Equal(got, []byte(tt.note)) {
				t.Errorf("note after the failed save = %q, %v; want it as it was, %q", got, err, tt.note)
			}
			if fi, err := os.Stat(note); err == nil && fi.Mode().Perm() != tt.mode {
				t.Errorf("note mode = %#o, want %#o", fi.Mode().Perm(), tt.mode)
			}
		})
	}
}
