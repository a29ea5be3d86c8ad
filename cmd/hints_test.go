package cmd

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
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
// printed it: taken from the hint and run, it is not a usage error, and
// here (a browser that agrees, an emulator that answers) it succeeds.
func TestHints_TheCommandAHintNamesWorksAsPrinted(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string // besides the emulator's URLs
		keyring bool              // the profile lives in a keyring nobody can reach
		setup   func(t *testing.T, base, root string)
		args    []string
		want    string // the hint's command
	}{
		{
			name: "no client id",
			args: []string{"login"},
			want: "login --emulator",
		},
		{
			name:    "keyring unavailable",
			env:     map[string]string{envClientID: emulator.DefaultClientID},
			keyring: true,
			setup: func(t *testing.T, base, root string) {
				loggedInProfile(t, base, root, "work")
				if err := (tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}).SetBackend("work", tokenstore.BackendKeyring); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"token", "--profile", "work"},
			want: "login --profile work --store file",
		},
		{
			name: "refresh token expired",
			setup: func(t *testing.T, base, root string) {
				rec := loggedInProfile(t, base, root, "work")
				rec.RefreshExpiry = time.Now().Add(-time.Hour)
				if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "work", rec); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"token", "--profile", "work"},
			want: "login --profile work",
		},
		{
			name: "app unlinked",
			setup: func(t *testing.T, base, root string) {
				rec := loggedInProfile(t, base, root, "work")
				if err := (&kakao.API{BaseURL: base, Tokens: kakao.StaticToken(rec.AccessToken)}).Unlink(t.Context()); err != nil {
					t.Fatal(err)
				}
			},
			args: []string{"status", "--profile", "work"},
			want: "login --profile work",
		},
		{
			name:  "missing scope",
			setup: func(t *testing.T, base, root string) { loggedInWith(t, base, root, "work", "", "profile_nickname") },
			args:  []string{"userinfo", "--profile", "work"},
			want:  "login --profile work --scope openid",
		},
		{
			name: "profile not found",
			env:  map[string]string{envClientID: emulator.DefaultClientID},
			args: []string{"status", "--profile", "nosuch"},
			want: "login --profile nosuch",
		},
		{
			name: "emulator gone",
			setup: func(t *testing.T, base, root string) {
				d, _, stderr := storeDeps(root, nil, "")
				d.OpenBrowser = agreeingBrowser
				if code := Main(t.Context(), []string{"login", "--emulator"}, d); code != ExitOK {
					t.Fatalf("login --emulator: exit %d\n%s", code, stderr)
				}
			},
			args: []string{"token", "--profile", "emulator", "--force-refresh"},
			want: "login --emulator",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The hint's login runs for real: on a free port, not 8765.
			redirect := freeRedirect(t)
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{emulator.DefaultRedirectURI, redirect}})
			root := t.TempDir()
			if tt.setup != nil {
				tt.setup(t, emuURL, root)
			}
			// The file store: the private keyring is shared by every test of this binary.
			env := map[string]string{envAuthURL: emuURL, envAPIURL: emuURL, envStore: tokenstore.BackendFile, envRedirectURI: redirect}
			for k, v := range tt.env {
				env[k] = v
			}
			deps := func() (*Deps, *bytes.Buffer) {
				d, _, stderr := storeDeps(root, env, "")
				d.OpenBrowser = agreeingBrowser
				if tt.keyring {
					d.OpenStore = func(name string, p tokenstore.Paths) (tokenstore.Store, error) {
						if name == tokenstore.BackendKeyring {
							return unavailableKeyring{}, nil
						}
						return tokenstore.Open(name, p)
					}
				}
				return d, stderr
			}

			d, stderr := deps()
			if code := Main(t.Context(), tt.args, d); code == ExitOK {
				t.Fatalf("%v succeeded; want the situation's error", tt.args)
			}
			m := hintCommand.FindStringSubmatch(stderr.String())
			if m == nil {
				t.Fatalf("no command in the hint:\n%s", stderr)
			}
			if m[1] != tt.want {
				t.Errorf("the hint names %q, want %q\n%s", m[1], tt.want, stderr)
			}
			d, stderr = deps()
			if code := Main(t.Context(), strings.Fields(m[1]), d); code != ExitOK {
				t.Errorf("kakao-auth %s, as the hint says: exit %d\n%s", m[1], code, stderr)
			}
		})
	}
}
