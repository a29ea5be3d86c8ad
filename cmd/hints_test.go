package cmd

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// hintCommand matches the command a hint tells the reader to run.
var hintCommand = regexp.MustCompile(`(?m)^kakao-auth: hint: .*?"kakao-auth ([^"]+)"`)

// unavailableKeyring is a keyring nobody can reach: every call fails as a
// locked or missing Secret Service does.
type unavailableKeyring struct{}

func (unavailableKeyring) Name() string { return tokenstore.BackendKeyring }
func (unavailableKeyring) Load(context.Context, string) (*tokenstore.Record, error) {
	return nil, &tokenstore.UnavailableError{Backend: tokenstore.BackendKeyring, Op: "load", Err: context.DeadlineExceeded}
}
func (unavailableKeyring) Save(context.Context, string, *tokenstore.Record) error {
	return &tokenstore.UnavailableError{Backend: tokenstore.BackendKeyring, Op: "save", Err: context.DeadlineExceeded}
}
func (unavailableKeyring) Delete(context.Context, string) error {
	return &tokenstore.UnavailableError{Backend: tokenstore.BackendKeyring, Op: "delete", Err: context.DeadlineExceeded}
}

// Every command a hint names works as printed in the situation that
// printed it: taken from the hint and run in the same environment, it is
// not a usage error, and here (a browser that agrees, an emulator that
// answers) it succeeds. The environment is empty unless the case says why
// not: a profile that was logged in remembers its app (client id, servers,
// redirect URI, store), so the login a hint names needs nothing more.
func TestHints_TheCommandAHintNamesWorksAsPrinted(t *testing.T) {
	tests := []struct {
		name    string
		env     func(base, redirect string) map[string]string // nil: an empty environment
		keyring bool                                          // the profile's keyring can no longer be reached
		// keyringBack: the hint says to bring the keyring back first, then
		// run its command; the command runs with the keyring reachable.
		keyringBack bool
		setup       func(t *testing.T, base, root, redirect string)
		args        []string
		want        string // the hint's command
	}{
		{
			name: "no client id",
			// Only so that the emulator's login stays off port 8765.
			env:  func(_, redirect string) map[string]string { return map[string]string{envRedirectURI: redirect} },
			args: []string{"login"},
			want: "login --emulator",
		},
		{
			// Logged in to the real (private) keyring, which then becomes
			// unreachable: the record, and the app in it, cannot be read.
			name:    "keyring unavailable",
			keyring: true,
			setup: func(t *testing.T, base, root, redirect string) {
				keyringtest.Require(t)
				loginForHint(t, base, root, redirect, "--profile", hintKeyringProfile, "--store", tokenstore.BackendKeyring)
				t.Cleanup(func() {
					k, err := tokenstore.Open(tokenstore.BackendKeyring, tokenstore.Paths{Root: root})
					if err == nil {
						err = k.Delete(context.Background(), hintKeyringProfile)
					}
					if err != nil {
						t.Errorf("remove the test's keyring item: %v", err)
					}
				})
			},
			args: []string{"token", "--profile", hintKeyringProfile},
			want: "login --profile " + hintKeyringProfile + " --store file",
		},
		{
			// Logout cannot remove a login from a keyring it cannot
			// reach, and it takes no --store: its hint says to bring the
			// keyring back, then log out again.
			name:        "logout, keyring unavailable",
			keyring:     true,
			keyringBack: true,
			setup: func(t *testing.T, base, root, redirect string) {
				keyringtest.Require(t)
				loginForHint(t, base, root, redirect, "--profile", hintLogoutProfile, "--store", tokenstore.BackendKeyring)
				t.Cleanup(func() {
					k, err := tokenstore.Open(tokenstore.BackendKeyring, tokenstore.Paths{Root: root})
					if err == nil {
						err = k.Delete(context.Background(), hintLogoutProfile)
					}
					if err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
						t.Errorf("remove the test's keyring item: %v", err)
					}
				})
			},
			args: []string{"logout", "--profile", hintLogoutProfile},
			want: "logout --profile " + hintLogoutProfile,
		},
		{
			// A mistyped path is the API server's 404: the hint names the
			// path, no command, and no flag api does not have.
			name: "api path not found",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "work", "--store", tokenstore.BackendFile)
			},
			args: []string{"api", "--profile", "work", "/v2/nonexistent"},
			want: "",
		},
		{
			name: "scopes revoke, no such item",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "js", "--store", tokenstore.BackendFile)
			},
			args: []string{"scopes", "--profile", "js", "revoke", "--yes", "no_such_item"},
			want: "scopes --profile js",
		},
		{
			name: "scopes revoke, no items named",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "js", "--store", tokenstore.BackendFile)
			},
			args: []string{"scopes", "--profile", "js", "revoke"},
			want: "scopes --profile js",
		},
		{
			// The record does not decode, so neither does the app in it.
			name: "record unreadable",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--store", tokenstore.BackendFile)
				if err := os.WriteFile(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), DefaultProfile+".json"), []byte(`{"v":1,`), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"token"},
			want: "login",
		},
		{
			name: "refresh token expired",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "work", "--store", tokenstore.BackendFile)
				f := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
				rec, err := f.Load(t.Context(), "work")
				if err != nil {
					t.Fatal(err)
				}
				rec.Expiry = time.Now().Add(-time.Minute)
				rec.RefreshExpiry = time.Now().Add(-time.Hour)
				if err := f.Save(t.Context(), "work", rec); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"token", "--profile", "work"},
			want: "login --profile work",
		},
		{
			name: "app unlinked",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "work", "--store", tokenstore.BackendFile)
				rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "work")
				if err != nil {
					t.Fatal(err)
				}
				if err := (&kakao.API{BaseURL: base, Tokens: kakao.StaticToken(rec.AccessToken)}).Unlink(t.Context()); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"status", "--profile", "work"},
			want: "login --profile work",
		},
		{
			name: "missing scope",
			setup: func(t *testing.T, base, root, redirect string) {
				loginForHint(t, base, root, redirect, "--profile", "work", "--store", tokenstore.BackendFile, "--scope", "profile_nickname")
			},
			args: []string{"userinfo", "--profile", "work"},
			want: "login --profile work --scope openid",
		},
		{
			name: "profile not found",
			// A profile never logged in remembers nothing: its app comes
			// from the environment (without a client id there the hint
			// asks for --client-id YOUR-REST-API-KEY).
			env: func(base, redirect string) map[string]string {
				return map[string]string{envClientID: emulator.DefaultClientID, envAuthURL: base, envAPIURL: base,
					envRedirectURI: redirect, envStore: tokenstore.BackendFile}
			},
			args: []string{"status", "--profile", "nosuch"},
			want: "login --profile nosuch",
		},
		{
			name: "emulator gone",
			// Only so that the emulator's logins stay off port 8765.
			env: func(_, redirect string) map[string]string { return map[string]string{envRedirectURI: redirect} },
			setup: func(t *testing.T, base, root, redirect string) {
				d, _, stderr := storeDeps(root, map[string]string{envRedirectURI: redirect}, "")
				d.OpenBrowser = agreeingBrowser
				if code := Main(t.Context(), []string{"login", "--emulator", "--redirect-uri", freeRedirect(t)}, d); code != ExitOK {
					t.Fatalf("login --emulator: exit %d\n%s", code, stderr)
				}
			},
			args: []string{"token", "--profile", "emulator", "--force-refresh"},
			want: "login --emulator",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The logins run for real: on a free port, not 8765, which
			// the emulator registers.
			redirect := freeRedirect(t)
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{emulator.DefaultRedirectURI, redirect}})
			root := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, emuURL, root, redirect)
			}
			var env map[string]string
			if tt.env != nil {
				env = tt.env(emuURL, redirect)
			}
			deps := func(keyringDown bool) (*Deps, *bytes.Buffer) {
				d, _, stderr := storeDeps(root, env, "")
				d.OpenBrowser = agreeingBrowser
				if keyringDown {
					d.OpenStore = func(name string, p tokenstore.Paths) (tokenstore.Store, error) {
						if name == tokenstore.BackendKeyring {
							return unavailableKeyring{}, nil
						}
						return tokenstore.Open(name, p)
					}
				}
				return d, stderr
			}

			d, stderr := deps(tt.keyring)
			if code := Main(t.Context(), tt.args, d); code == ExitOK {
				t.Fatalf("%v succeeded; want the situation's error", tt.args)
			}
			if tt.want == "" {
				hintNamesOnlyFlagsOf(t, stderr.String(), tt.args)
				return
			}
			m := hintCommand.FindStringSubmatch(stderr.String())
			if m == nil {
				t.Fatalf("no command in the hint:\n%s", stderr)
			}
			if m[1] != tt.want {
				t.Errorf("the hint names %q, want %q\n%s", m[1], tt.want, stderr)
			}
			d, stderr = deps(tt.keyring && !tt.keyringBack)
			words := shellWords(t, "kakao-auth "+m[1])
			if code := Main(t.Context(), words, d); code != ExitOK {
				t.Errorf("kakao-auth %s, as the hint says: exit %d\n%s", m[1], code, stderr)
			}
		})
	}
}

// hintNamesOnlyFlagsOf fails the test if the hint in stderr, which names
// no command, names a flag the command of args does not take.
func hintNamesOnlyFlagsOf(t *testing.T, stderr string, args []string) {
	t.Helper()
	hint := hintLine(t, stderr)
	if m := hintCommand.FindStringSubmatch(stderr); m != nil {
		t.Errorf("the hint names %q, want no command\n%s", m[1], stderr)
	}
	c, _, err := NewRootCmd(&Deps{}).Find(args)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range regexp.MustCompile(`--([a-z][a-z-]*)`).FindAllStringSubmatch(hint, -1) {
		if c.Flags().Lookup(f[1]) == nil && c.InheritedFlags().Lookup(f[1]) == nil {
			t.Errorf("the hint names --%s, which %q does not take\n%s", f[1], c.CommandPath(), stderr)
		}
	}
}

// shellWords are the words of the command line that line names, as sh
// reads them (quotes and all), without the command's name; where there is
// no sh, the line split at spaces.
func shellWords(t *testing.T, line string) []string {
	t.Helper()
	if sh, err := exec.LookPath("sh"); err == nil {
		return runInShell(t, sh, line)
	}
	return strings.Fields(line)[1:]
}

// hintLogoutProfile is the keyring profile of the logout case of
// TestHints_TheCommandAHintNamesWorksAsPrinted.
const hintLogoutProfile = "hint-keyring-logout"

// hintKeyringProfile is the profile TestHints_TheCommandAHintNamesWorksAsPrinted
// keeps in the private keyring, which every test of this binary shares.
const hintKeyringProfile = "hint-keyring-unavailable"

// loginForHint logs a profile in for real, as a person would before the
// situation of a hint: the app's client id and servers come from the
// environment of that login alone, the redirect URI from its flag.
func loginForHint(t *testing.T, base, root, redirect string, args ...string) {
	t.Helper()
	env := map[string]string{envClientID: emulator.DefaultClientID, envAuthURL: base, envAPIURL: base}
	d, _, stderr := storeDeps(root, env, "")
	d.OpenBrowser = agreeingBrowser
	args = append([]string{"login", "--redirect-uri", redirect}, args...)
	if code := Main(t.Context(), args, d); code != ExitOK {
		t.Fatalf("%v: exit %d\n%s", args, code, stderr)
	}
}
