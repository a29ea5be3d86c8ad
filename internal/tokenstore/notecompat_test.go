package tokenstore

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A newer kakao-auth may add fields to a v1 note; rewriting the note (a
// move to another store, a new login of the same app) keeps them, at the
// top and inside the app. A login of another app drops the old app's.
func TestProfiles_RewriteKeepsFieldsOfANewerKakaoAuth(t *testing.T) {
	const note = `{"v":1,"store":"keyring","app":{"client_id":"key","tenant":{"id":7}},"pinned":true,"labels":["x"]}`
	tests := []struct {
		name  string
		write func(p Profiles) error
		want  map[string]any
	}{
		{"SetBackend", func(p Profiles) error { return p.SetBackend("default", BackendFile) },
			map[string]any{"v": 1.0, "store": "file", "app": map[string]any{"client_id": "key", "tenant": map[string]any{"id": 7.0}},
				"pinned": true, "labels": []any{"x"}}},
		{"SetLogin of the same app", func(p Profiles) error {
			return p.SetLogin("default", BackendKeyring, App{ClientID: "key", Scopes: []string{"openid"}})
		},
			map[string]any{"v": 1.0, "store": "keyring", "app": map[string]any{"client_id": "key", "scopes": []any{"openid"}, "tenant": map[string]any{"id": 7.0}},
				"pinned": true, "labels": []any{"x"}}},
		{"SetLogin of another app", func(p Profiles) error { return p.SetLogin("default", BackendKeyring, App{ClientID: "other"}) },
			map[string]any{"v": 1.0, "store": "keyring", "app": map[string]any{"client_id": "other"}, "pinned": true, "labels": []any{"x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
			if err := p.SetBackend("default", BackendFile); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(p.Dir, "default.json")
			writeFileMode(t, path, []byte(note), 0o600)
			if err := tt.write(p); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(data, &got); err != nil {
				t.Fatalf("note %s: %v", data, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("note mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// The previous release reads notes of up to 4 KiB and takes a larger one
// for corrupt, so no note is written larger: the app is left out of one
// that would be.
func TestProfiles_NoteFitsThePreviousReleasesLimit(t *testing.T) {
	const limit = 4 << 10
	base := App{ClientID: "key", AuthURL: "https://kauth.kakao.com/"}
	probe, err := json.Marshal(profileNote{Version: profileNoteVersion, Store: BackendKeyring, App: &base})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		size    int
		wantApp bool
	}{{limit, true}, {limit + 1, false}} {
		app := base
		app.AuthURL += strings.Repeat("x", tt.size-len(probe))
		p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
		if err := p.SetLogin("default", BackendKeyring, app); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(p.Dir, "default.json"))
		if err != nil {
			t.Fatal(err)
		}
		if len(data) > limit {
			t.Errorf("a note of an app that encodes to %d bytes is %d bytes, over %d", tt.size, len(data), limit)
		}
		got, err := p.App("default")
		if err != nil {
			t.Fatal(err)
		}
		if (got != nil) != tt.wantApp {
			t.Errorf("a note that would be %d bytes: app kept = %v, want %v", tt.size, got != nil, tt.wantApp)
		}
	}
}
