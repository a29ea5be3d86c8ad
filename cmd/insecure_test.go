package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A token file may hold the only copy of a rotated refresh token: a refused
// one is never the user's to delete by hand. The hint points at logout (which
// removes it deliberately) or at fixing the mode, and logout can remove it.
func TestToken_RefusedTokenFileHintsAtLogoutNotAtRemovingIt(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes")
	}
	tests := []struct {
		name   string
		tamper func(t *testing.T, path string)
		fix    string // a hint that repairs it in place, if any
	}{
		{"mode 0644", func(t *testing.T, path string) {
			if err := os.Chmod(path, 0o644); err != nil {
				t.Fatal(err)
			}
		}, `chmod 600 `},
		{"a link", func(t *testing.T, path string) {
			target := filepath.Join(t.TempDir(), "elsewhere.json")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(target, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}, ""},
	}
	for _, tt := range tests {
		for _, which := range []string{"record", "profile note"} {
			t.Run(tt.name+" "+which, func(t *testing.T) {
				_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
				// A space in the path: a hint's command must still work as printed.
				root := filepath.Join(t.TempDir(), "kakao auth")
				loggedInProfile(t, emuURL, root, "work")
				paths := tokenstore.Paths{Root: root}
				path := filepath.Join(paths.TokensDir(), "work.json")
				if which == "profile note" {
					path = filepath.Join(paths.ProfilesDir(), "work.json")
				}
				tt.tamper(t, path)

				d, stdout, stderr := storeDeps(root, nil, "")
				if code := Main(t.Context(), []string{"token", "--profile", "work"}, d); code != ExitFailure || stdout.Len() != 0 {
					t.Fatalf("token: exit %d, stdout %q; want exit 1 and nothing printed\n%s", code, stdout, stderr)
				}
				msg := stderr.String()
				if regexp.MustCompile(`(?i)\b(remove|delete|rm)\b`).MatchString(msg) {
					t.Errorf("the message tells the user to delete a file that may hold the only refresh token:\n%s", msg)
				}
				if !strings.Contains(msg, `kakao-auth: hint: `) || !strings.Contains(msg, `"kakao-auth logout --profile work"`) {
					t.Errorf("the hint does not point at logout:\n%s", msg)
				}
				if tt.fix != "" {
					m := regexp.MustCompile(`run ("` + tt.fix + `[^"]*")`).FindStringSubmatch(msg)
					if m == nil {
						t.Fatalf("the hint does not say to run %q:\n%s", tt.fix+"…", msg)
					}
					fix, err := strconv.Unquote(m[1])
					if err != nil {
						t.Fatal(err)
					}
					if out, err := exec.Command("/bin/sh", "-c", fix).CombinedOutput(); err != nil {
						t.Fatalf("%s, as the hint says: %v\n%s", fix, err, out)
					}
					d, stdout, stderr := storeDeps(root, nil, "")
					if code := Main(t.Context(), []string{"token", "--profile", "work"}, d); code != ExitOK || stdout.Len() == 0 {
						t.Fatalf("token after %s: exit %d\n%s", fix, code, stderr)
					}
					tt.tamper(t, path) // refused again, for logout below
				}
				if _, err := os.Lstat(path); err != nil {
					t.Errorf("the refused file is gone: %v", err)
				}

				// What the hint says works.
				d, _, stderr = storeDeps(root, nil, "")
				if code := Main(t.Context(), []string{"logout", "--profile", "work"}, d); code != ExitOK {
					t.Fatalf("logout: exit %d\n%s", code, stderr)
				}
				for _, p := range []string{filepath.Join(paths.TokensDir(), "work.json"), filepath.Join(paths.ProfilesDir(), "work.json")} {
					if _, err := os.Lstat(p); !os.IsNotExist(err) {
						t.Errorf("after logout, %s: %v; want it gone", p, err)
					}
				}
			})
		}
	}
}
