package tokenstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badProfileNames are names that would reach outside their directory, or
// that CheckProfile refuses for other reasons.
var badProfileNames = []string{"", ".", "..", "../evil", "a/b", `a\b`, "a/../../evil", "..hidden", "x..y", "nul\x00", ".hidden", "with space", "é", "65" + strings.Repeat("x", 63)}

func TestDefaultPaths(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "xdg")
	home := t.TempDir()
	// os.UserConfigDir reads the real environment, not getenv.
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", "")
	t.Setenv("AppData", filepath.Join(home, "AppData"))
	userConfig, err := os.UserConfigDir()
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		env     map[string]string
		want    Paths
		wantErr bool
	}{
		{"XDG_CONFIG_HOME wins", map[string]string{"XDG_CONFIG_HOME": abs}, Paths{Root: filepath.Join(abs, "kakao-auth")}, false},
		{"else the user config dir", nil, Paths{Root: filepath.Join(userConfig, "kakao-auth")}, false},
		{"relative XDG_CONFIG_HOME refused", map[string]string{"XDG_CONFIG_HOME": "rel/dir"}, Paths{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := DefaultPaths(func(k string) string { return tt.env[k] })
			if (err != nil) != tt.wantErr {
				t.Fatalf("DefaultPaths() error = %v, wantErr %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("DefaultPaths() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPaths_Dirs(t *testing.T) {
	p := Paths{Root: filepath.FromSlash("/cfg/kakao-auth")}
	got := []string{p.TokensDir(), p.ProfilesDir(), p.LocksDir()}
	want := []string{
		filepath.FromSlash("/cfg/kakao-auth/tokens"),
		filepath.FromSlash("/cfg/kakao-auth/profiles"),
		filepath.FromSlash("/cfg/kakao-auth/locks"),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dirs mismatch (-want +got):\n%s", diff)
	}
}

func TestCheckProfile(t *testing.T) {
	for _, name := range badProfileNames {
		if err := CheckProfile(name); err == nil {
			t.Errorf("CheckProfile(%q) = nil, want an error", name)
		}
	}
	for _, name := range []string{"default", "work-2", "a_b", "v1.2", "ALL", "a.b.c", strings.Repeat("x", MaxProfileLen)} {
		if err := CheckProfile(name); err != nil {
			t.Errorf("CheckProfile(%q) = %v, want nil", name, err)
		}
	}
}
