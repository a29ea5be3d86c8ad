package cmd

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Logging out a profile that holds no login is done already: exit 0, and
// it says there was nothing to log out rather than to log in.
func TestLogout_NothingStoredIsNothingToLogOut(t *testing.T) {
	for _, args := range [][]string{
		{"logout", "--profile", "nosuch"},
		{"logout"},
		{"logout", "--profile", "nosuch", "--revoke"},
		{"logout", "--profile", "nosuch", "--unlink", "--yes"},
		{"logout", "--profile", "nosuch", "--unlink"}, // on a terminal: nothing to ask about either
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
			d.StdinIsTerminal = true
			if code := Main(t.Context(), args, d); code != ExitOK {
				t.Errorf("exit %d, want %d", code, ExitOK)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.Contains(stderr.String(), "Nothing to log out") || strings.Contains(stderr.String(), "kakao-auth login") || strings.Contains(stderr.String(), "error") || strings.Contains(stderr.String(), "Continue?") {
				t.Errorf("stderr = %q, want it to say there is nothing to log out", stderr)
			}
		})
	}
}

// With no note and no file record, logout looks in the keyring just in
// case. A keyring that cannot be asked then is no reason to warn: a login
// notes its profile before anything goes to the keyring, so a profile
// without a note (a typo, say) has nothing there. A note that cannot be
// read is a reason: the profile was stored somewhere, so logout says the
// keyring was not checked.
func TestLogout_NoKeyringWarnsOnlyWhenTheProfileWasStored(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		// An unreachable D-Bus makes the keyring one that cannot be asked
		// only where the keyring is the Secret Service; macOS's Keychain
		// and Windows' Credential Manager would answer.
		t.Skipf("the keyring on %s is not reached over D-Bus, so it cannot be made unreachable here", runtime.GOOS)
	}
	tests := []struct {
		name        string
		note        string // the profile note's content; "" for none
		wantSaid    string
		wantWarning bool
	}{
		{name: "no note", wantSaid: `Nothing to log out: profile "nosuch" holds no login on this machine.`},
		{name: "a note that cannot be read", note: "{not json", wantSaid: `Logged out of profile "nosuch"`, wantWarning: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			if tt.note != "" {
				dir := filepath.Join(h.config, "kakao-auth", "profiles")
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "nosuch.json"), []byte(tt.note), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			p := &proc{cmd: execCommand([]string{"logout", "--profile", "nosuch"}, h, []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "")}
			p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if code := p.exitCode(t); code != ExitOK {
				t.Errorf("exit %d, want %d\n%s", code, ExitOK, p.stderr.String())
			}
			stderr := p.stderr.String()
			if !strings.Contains(stderr, tt.wantSaid) {
				t.Errorf("stderr lacks %q:\n%s", tt.wantSaid, stderr)
			}
			warning := `kakao-auth: warning: the keyring could not be checked for a login of profile "nosuch"`
			if got := strings.Contains(stderr, warning); got != tt.wantWarning {
				t.Errorf("warns that the keyring was not checked: %v, want %v\n%s", got, tt.wantWarning, stderr)
			}
			if !tt.wantWarning && strings.Count(stderr, "\n") != 1 {
				t.Errorf("stderr = %q, want the one line", stderr)
			}
		})
	}
}

// After the app was unlinked at Kakao, logout --revoke cannot ever
// succeed at Kakao: the local login goes, with a note that Kakao had
// already ended it, instead of "try again".
func TestLogoutRevoke_AfterUnlinkRemovesTheLocalLogin(t *testing.T) {
	for _, flag := range []string{"--revoke", "--unlink"} {
		t.Run(flag, func(t *testing.T) {
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			rec := loggedInProfile(t, emuURL, root, "default")
			if err := (&kakao.API{BaseURL: emuURL, Tokens: kakao.StaticToken(rec.AccessToken)}).Unlink(t.Context()); err != nil {
				t.Fatal(err)
			}
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"logout", flag, "--yes"}, d); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr.String(), "Kakao had already ended this login") || strings.Contains(stderr.String(), "try again") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q", stdout)
			}
			if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); !os.IsNotExist(err) {
				t.Errorf("the token file is still there (%v)", err)
			}
		})
	}
}

// An interrupt names what it interrupted: "login cancelled" is for login.
func TestInterrupt_SaysWhatWasInterrupted(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, emuURL, root, "default")
	emu.SetFault(emulator.FaultHang)
	defer emu.SetFault(emulator.FaultNone)

	d, _, stderr := storeDeps(root, nil, "")
	d.HTTPClient.Timeout = time.Minute
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	time.AfterFunc(200*time.Millisecond, cancel) // Ctrl-C
	if code := Main(ctx, []string{"token"}, d); code != ExitCancelled {
		t.Errorf("exit %d, want %d", code, ExitCancelled)
	}
	if got := stderr.String(); got != "kakao-auth: error: token interrupted\n" {
		t.Errorf("stderr = %q", got)
	}
}

// notingKeyring is the real keyring (the private one keyringtest starts,
// under a service of the test's own) that records, at each save, what the
// profile's note named then ("" for no note); the save then goes to the
// keyring.
type notingKeyring struct {
	*tokenstore.Keyring
	notes       tokenstore.Profiles
	notedAtSave []string
}

func (k *notingKeyring) Save(ctx context.Context, profile string, rec *tokenstore.Record) error {
	noted, _ := k.notes.Backend(profile)
	k.notedAtSave = append(k.notedAtSave, noted)
	return k.Keyring.Save(ctx, profile, rec)
}

// A login notes that the keyring holds its profile before the record goes
// there, a new profile too: then a crash between the two writes leaves a
// note logout follows, and a profile without a note has nothing in the
// keyring (see TestLogout_NoKeyringWarnsOnlyWhenTheProfileWasStored). A
// save that fails takes the note back.
func TestLogin_NotesTheKeyringBeforeStoringThere(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "saved", true: "save fails"}[fail], func(t *testing.T) {
			keyringtest.Require(t)
			redirect := freeRedirect(t)
			cfg := emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}}
			var env map[string]string
			if fail {
				// The keyring refuses a record this large (over 2560
				// bytes encoded, what every platform's keyring holds), as
				// it is: a save that fails after the note was written.
				cfg.ClientSecret = strings.Repeat("s", 3000)
				env = map[string]string{envClientSecret: cfg.ClientSecret}
			}
			_, base := newTestEmulator(t, cfg)
			root := t.TempDir()
			notes := tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}
			keyring := &notingKeyring{Keyring: &tokenstore.Keyring{Service: "kakao-auth-test-" + rand.Text()[:12]}, notes: notes}
			t.Cleanup(func() {
				if err := keyring.Delete(context.Background(), "fresh"); err != nil {
					t.Errorf("remove the test's keyring item: %v", err)
				}
			})
			d, _, stderr := storeDeps(root, env, "")
			d.OpenBrowser = agreeingBrowser
			d.OpenStore = func(name string, p tokenstore.Paths) (tokenstore.Store, error) {
				if name == tokenstore.BackendKeyring {
					return keyring, nil
				}
				return tokenstore.Open(name, p)
			}
			code := Main(t.Context(), []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", base, "--api-url", base,
				"--profile", "fresh", "--store", "keyring", "--redirect-uri", redirect}, d)
			if want := map[bool]int{false: ExitOK, true: ExitFailure}[fail]; code != want {
				t.Fatalf("login: exit %d, want %d\n%s", code, want, stderr)
			}
			if fail && !strings.Contains(stderr.String(), "over the keyring limit") {
				t.Errorf("the login failed otherwise than at the save:\n%s", stderr)
			}
			if len(keyring.notedAtSave) == 0 || keyring.notedAtSave[0] != tokenstore.BackendKeyring {
				t.Errorf("the note at the first save named %q, want %q", keyring.notedAtSave, tokenstore.BackendKeyring)
			}
			noted, err := notes.Backend("fresh")
			if fail && !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("after a failed save, the note names %q (%v), want no note", noted, err)
			}
			if !fail && noted != tokenstore.BackendKeyring {
				t.Errorf("after the login, the note names %q (%v), want the keyring", noted, err)
			}
			_, err = keyring.Load(t.Context(), "fresh")
			if fail && !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("after a failed save, the keyring holds the profile (%v)", err)
			}
			if !fail && err != nil {
				t.Errorf("after the login, the keyring's record: %v", err)
			}
		})
	}
}
