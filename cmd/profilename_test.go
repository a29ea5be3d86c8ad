package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A profile name the store would refuse is refused on the command line,
// before a browser opens or a code is exchanged: a login is never lost to
// its name.
func TestProfileName_RefusedBeforeAnythingStarts(t *testing.T) {
	names := []string{"a..b", "x..", "..", ".hidden", "a/b", `a\b`, "with space", "tab\tname", strings.Repeat("p", 65), "é"}
	commands := [][]string{
		{"login", "--emulator", "--timeout", "10s"},
		{"login", "--no-wait", "--client-id", "k", "--redirect-uri", "http://localhost:8765/callback"},
		{"token"}, {"refresh"}, {"status"}, {"logout"}, {"userinfo"},
	}
	for _, name := range names {
		for _, args := range commands {
			for _, how := range []string{"flag", "env"} {
				if how == "env" && args[len(args)-1] == "10s" {
					continue // login --emulator keeps to its own profile unless --profile is given
				}
				t.Run(strings.Join(args, " ")+" "+how+" "+name, func(t *testing.T) {
					root := t.TempDir()
					env := map[string]string{}
					argv := append([]string(nil), args...)
					if how == "flag" {
						argv = append(argv, "--profile", name)
					} else {
						env[envProfile] = name
					}
					d, stdout, stderr := storeDeps(root, env, "")
					opened := false
					d.OpenBrowser = func(ctx context.Context, command, url string) error {
						opened = true
						return agreeingBrowser(ctx, command, url)
					}
					code := Main(t.Context(), argv, d)
					if code != ExitUsage {
						t.Errorf("exit %d, want %d (usage)\n%s", code, ExitUsage, stderr)
					}
					if !strings.Contains(stderr.String(), "invalid profile name") || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
						t.Errorf("stderr does not name the problem and the fix:\n%s", stderr)
					}
					if opened || stdout.Len() != 0 {
						t.Errorf("browser opened %v, stdout %q: the command started", opened, stdout)
					}
					if entries, _ := os.ReadDir(filepath.Join(root, "sessions")); len(entries) != 0 {
						t.Errorf("session files were written: %v", entries)
					}
				})
			}
		}
	}
	// The export command takes the profile as its flag too.
	d, _, stderr := storeDeps(t.TempDir(), nil, "")
	if code := Main(t.Context(), []string{"export", "--profile", "a..b"}, d); code != ExitUsage {
		t.Errorf("export --profile a..b: exit %d, want %d\n%s", code, ExitUsage, stderr)
	}
}

// The names every command accepts are the ones the store keeps.
func TestProfileName_AcceptsWhatTheStoreKeeps(t *testing.T) {
	for _, name := range []string{"default", "work-2", "a_b", "v1.2", "ALL", "a.b.c", strings.Repeat("p", 64)} {
		if err := validateProfile(name); err != nil {
			t.Errorf("validateProfile(%q) = %v, want nil", name, err)
		}
	}
}
