package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// After logout, logging in again needs no settings: the profile keeps its
// app (client id, redirect URI, servers), never a token or a secret, and
// status shows it as logged out. logout --forget forgets it completely.
func TestLogout_KeepsTheAppForTheNextLoginAndForgetForgetsIt(t *testing.T) {
	redirect := freeRedirect(t)
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
	root := t.TempDir()
	run := func(args ...string) (int, string, string) {
		t.Helper()
		d, stdout, stderr := storeDeps(root, nil, "")
		d.OpenBrowser = agreeingBrowser
		if args[0] == "login" {
			args = append(args, "--timeout", "20s")
		}
		code := Main(t.Context(), args, d)
		return code, stdout.String(), stderr.String()
	}
	if code, _, stderr := run("login", "--client-id", emulator.DefaultClientID, "--auth-url", base, "--api-url", base, "--profile", "nw", "--store", "file", "--redirect-uri", redirect); code != ExitOK {
		t.Fatalf("login: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := run("logout", "--profile", "nw"); code != ExitOK {
		t.Fatalf("logout: exit %d\n%s", code, stderr)
	}
	paths := tokenstore.Paths{Root: root}
	if _, err := os.Stat(filepath.Join(paths.TokensDir(), "nw.json")); !os.IsNotExist(err) {
		t.Errorf("the token file is still there after logout (%v)", err)
	}
	note, err := os.ReadFile(filepath.Join(paths.ProfilesDir(), "nw.json"))
	if err != nil {
		t.Fatalf("logout forgot the profile's app: %v", err)
	}
	if strings.Contains(string(note), "token") || strings.Contains(string(note), "secret") {
		t.Errorf("the kept note holds more than the app: %s", note)
	}

	code, _, stderr := run("status", "--profile", "nw")
	if code != ExitLoginRequired || !strings.Contains(stderr, "logged out") {
		t.Errorf("status of a logged-out profile: exit %d, want %d and \"logged out\"\n%s", code, ExitLoginRequired, stderr)
	}
	code, stdout, stderr := run("status", "--all")
	if code != ExitOK || !strings.Contains(stdout, "nw") || !strings.Contains(stdout, emulator.DefaultClientID) || !strings.Contains(stdout, "logged out") {
		t.Errorf("status --all: exit %d, want the profile listed as logged out with its client id\n%s%s", code, stdout, stderr)
	}
	if code, _, stderr := run("logout", "--profile", "nw"); code != ExitOK || !strings.Contains(stderr, "Nothing to log out") {
		t.Errorf("a second logout: exit %d, want %d and \"Nothing to log out\"\n%s", code, ExitOK, stderr)
	}

	// The next login needs nothing but the profile: the app, its servers
	// and its redirect URI come from the note.
	if code, _, stderr := run("login", "--profile", "nw", "--store", "file"); code != ExitOK {
		t.Fatalf("login again after logout: exit %d\n%s", code, stderr)
	}
	if code, stdout, stderr := run("token", "--profile", "nw"); code != ExitOK || stdout == "" {
		t.Errorf("token after the new login: exit %d\n%s", code, stderr)
	}

	if code, _, stderr := run("logout", "--profile", "nw", "--forget"); code != ExitOK || !strings.Contains(stderr, "forgot") {
		t.Fatalf("logout --forget: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(paths.ProfilesDir(), "nw.json")); !os.IsNotExist(err) {
		t.Errorf("the profile's note is still there after logout --forget (%v)", err)
	}
	if code, stdout, _ := run("status", "--all"); code != ExitOK || strings.Contains(stdout, "nw") {
		t.Errorf("status --all after --forget still lists the profile:\n%s", stdout)
	}
	if code, _, stderr := run("login", "--profile", "nw", "--store", "file"); code != ExitUsage || !strings.Contains(stderr, "no client id") {
		t.Errorf("login after --forget: exit %d, want %d and \"no client id\"\n%s", code, ExitUsage, stderr)
	}

	// --forget also forgets a profile that is already logged out.
	if code, _, stderr := run("login", "--client-id", emulator.DefaultClientID, "--auth-url", base, "--api-url", base, "--profile", "nw", "--store", "file", "--redirect-uri", redirect); code != ExitOK {
		t.Fatalf("login: exit %d\n%s", code, stderr)
	}
	run("logout", "--profile", "nw")
	if code, _, stderr := run("logout", "--profile", "nw", "--forget"); code != ExitOK || !strings.Contains(stderr, "forgot") {
		t.Errorf("logout --forget of a logged-out profile: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(paths.ProfilesDir(), "nw.json")); !os.IsNotExist(err) {
		t.Errorf("the logged-out profile's note is still there after logout --forget (%v)", err)
	}
}
