package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
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
// case; a keyring that cannot be asked does not make it fail, but it says
// so.
func TestLogout_NothingStoredAndNoKeyringWarns(t *testing.T) {
	h := newHome(t)
	p := &proc{cmd: execCommand([]string{"logout", "--profile", "nosuch"}, h, []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "")}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code != ExitOK {
		t.Errorf("exit %d, want %d\n%s", code, ExitOK, p.stderr.String())
	}
	for _, want := range []string{"Nothing to log out", `kakao-auth: warning: the keyring could not be checked for a login of profile "nosuch"`} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
		}
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
