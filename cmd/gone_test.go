package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// goneServer is a profile "default" logged in against a loopback emulator
// that has stopped since; expired says whether its access token has run
// out (so a command refreshes first) or is still good (so a command calls
// the API server with it at once). It returns the store's root and the
// emulator's URL, now a dead port (moveToDeadServer).
func goneServer(t *testing.T, expired bool) (root, base string) {
	t.Helper()
	_, live := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root = t.TempDir()
	rec := loggedInProfile(t, live, root, DefaultProfile)
	if !expired {
		rec.Expiry = time.Now().Add(time.Hour)
		saveRecord(t, root, DefaultProfile, rec)
	}
	return root, moveToDeadServer(t, root, DefaultProfile)
}

// moveToDeadServer makes profile's login, in the file store, one made
// against a loopback server that has stopped: its record and note name a
// dead port (deadPort) instead of the server it logged in against. A
// server stopped for real would leave a port just closed, which anything
// on the machine may take before the test connects there; a dead port
// stays refused until the test ends. It returns the dead URL.
func moveToDeadServer(t *testing.T, root, profile string) string {
	t.Helper()
	paths := tokenstore.Paths{Root: root}
	file := &tokenstore.File{Dir: paths.TokensDir()}
	rec, err := file.Load(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://127.0.0.1:" + deadPort(t)
	rec.AuthURL, rec.APIURL = dead, dead
	if err := file.Save(t.Context(), profile, rec); err != nil {
		t.Fatal(err)
	}
	if err := (tokenstore.Profiles{Dir: paths.ProfilesDir()}).SetLogin(profile, tokenstore.BackendFile, rec.App()); err != nil {
		t.Fatal(err)
	}
	return dead
}

// Every command that talks to a profile's servers says that the emulator
// the profile logged in against is not running, not "check the network
// connection" (nor "try again", which cannot work while it is down), and
// names its URL.
func TestGoneEmulator_EveryCommandThatCallsItSaysSo(t *testing.T) {
	tests := []struct {
		args     []string
		expired  bool // the access token has expired: the command refreshes first
		wantCode int
		stdout   bool // prints something on stdout anyway (status: the local facts)
	}{
		{args: []string{"token"}, expired: true, wantCode: ExitFailure},
		{args: []string{"token", "--force-refresh"}, wantCode: ExitFailure},
		{args: []string{"refresh"}, wantCode: ExitFailure},
		{args: []string{"exec", "--", "true"}, expired: true, wantCode: ExitFailure},
		{args: []string{"status"}, wantCode: ExitOK, stdout: true},
		{args: []string{"status"}, expired: true, wantCode: ExitOK, stdout: true},
		{args: []string{"userinfo"}, wantCode: ExitFailure},
		{args: []string{"api", "/v2/user/me"}, wantCode: ExitFailure},
		{args: []string{"scopes"}, wantCode: ExitFailure},
		{args: []string{"scopes", "revoke", "--yes", "talk_message"}, wantCode: ExitFailure},
		{args: []string{"logout", "--revoke"}, wantCode: ExitFailure},
		{args: []string{"logout", "--unlink", "--yes"}, wantCode: ExitFailure},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		if tt.expired {
			name += " (expired)"
		}
		t.Run(name, func(t *testing.T) {
			root, base := goneServer(t, tt.expired)
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), tt.args, d); code != tt.wantCode {
				t.Errorf("exit %d, want %d\n%s", code, tt.wantCode, stderr)
			}
			if !tt.stdout && stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			want := `the Kakao emulator that profile "default" logged in against (` + base + `) is no longer running`
			if !strings.Contains(stderr.String(), want) {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
			for _, wrong := range []string{"check the network", "try again"} {
				if strings.Contains(stderr.String(), wrong) {
					t.Errorf("stderr says %q:\n%s", wrong, stderr)
				}
			}
			if tt.args[0] == "logout" {
				// The login is kept: the emulator may come back.
				if _, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), DefaultProfile); err != nil {
					t.Errorf("after a failed logout, the stored login: %v", err)
				}
			}
		})
	}
}

// The hint for a gone emulator fits who ran it. The built-in one of "login
// --emulator" is gone for good: log in that way again. One the user runs
// (here with a state file) comes back where it was: the hint says to start
// it again there, and then, as it says, the login works again; it never
// sends the profile to a throwaway built-in emulator.
func TestGoneEmulator_HintFitsWhoRanIt(t *testing.T) {
	t.Run("built-in", func(t *testing.T) {
		root := t.TempDir()
		d, _, stderr := storeDeps(root, nil, "")
		d.OpenBrowser = agreeingBrowser
		if code := Main(t.Context(), []string{"login", "--emulator", "--profile", "nw", "--redirect-uri", freeRedirect(t)}, d); code != ExitOK {
			t.Fatalf("login --emulator: exit %d\n%s", code, stderr)
		}
		d, _, stderr = storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"token", "--profile", "nw", "--force-refresh"}, d); code != ExitFailure {
			t.Errorf("token: exit %d, want %d\n%s", code, ExitFailure, stderr)
		}
		if want := `kakao-auth: hint: log in again with "kakao-auth login --emulator --profile nw"`; !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
		// Its tokens work nowhere now: logout --revoke has nothing to end
		// at Kakao, and removes the local copy rather than "try again".
		d, _, stderr = storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"logout", "--revoke", "--profile", "nw"}, d); code != ExitOK {
			t.Errorf("logout --revoke: exit %d, want %d\n%s", code, ExitOK, stderr)
		}
		if !strings.Contains(stderr.String(), "stopped for good") || !strings.Contains(stderr.String(), `Logged out of profile "nw"`) {
			t.Errorf("logout --revoke:\n%s", stderr)
		}
	})

	t.Run("run by the user, with a state file", func(t *testing.T) {
		redirect := freeRedirect(t)
		cfg := emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}}
		state := filepath.Join(t.TempDir(), "emulator.json")
		addr := "127.0.0.1:" + mustFreePort(t)
		// startAt runs the emulator at addr, as "kakao-auth emulator
		// --addr ADDR --state-file STATE" does, and returns its URL and
		// how to stop it.
		startAt := func() (string, func()) {
			t.Helper()
			srv, err := emulator.Open(cfg, state)
			if err != nil {
				t.Fatal(err)
			}
			run, err := startAgain(t, addr, srv)
			if err != nil {
				srv.Close()
				t.Fatal(err)
			}
			stop := func() { run.CloseNow(); srv.Close() }
			t.Cleanup(stop)
			return run.BaseURL, stop
		}
		base, stop := startAt()
		root := t.TempDir()
		d, _, stderr := storeDeps(root, nil, "")
		d.OpenBrowser = agreeingBrowser
		login := []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", base, "--api-url", base, "--profile", "nw", "--store", "file", "--redirect-uri", redirect}
		if code := Main(t.Context(), login, d); code != ExitOK {
			t.Fatalf("login: exit %d\n%s", code, stderr)
		}
		stop()

		d, _, stderr = storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"token", "--profile", "nw", "--force-refresh"}, d); code != ExitFailure {
			t.Errorf("token: exit %d, want %d\n%s", code, ExitFailure, stderr)
		}
		hint := stderr.String()[strings.Index(stderr.String(), "kakao-auth: hint: "):]
		for _, want := range []string{"start the emulator again at " + base, "--state-file", `"kakao-auth login --profile nw --auth-url URL --api-url URL"`} {
			if !strings.Contains(hint, want) {
				t.Errorf("hint lacks %q:\n%s", want, hint)
			}
		}
		if strings.Contains(hint, "--emulator") {
			t.Errorf("hint sends the profile to the built-in emulator:\n%s", hint)
		}

		// Started again at that URL with its state file, the login works.
		startAt()
		d, stdout, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"token", "--profile", "nw", "--force-refresh"}, d); code != ExitOK || stdout.Len() == 0 {
			t.Errorf("token after the restart: exit %d, stdout %q\n%s", code, stdout, stderr)
		}
	})
}

// A profile "login --emulator" made before records kept builtin_emulator
// (profile "emulator", the emulator's client id, a loopback server) is
// still known for what it is: its hint is to log in that way again, never
// "start the emulator again … with the --state-file it had", and logout
// --revoke removes it without --force. So is one whose record cannot be
// read, whose app comes from the profile note, which never had the flag.
func TestGoneEmulator_BuiltinLoginWithoutTheFlagIsStillKnown(t *testing.T) {
	builtinHint := `kakao-auth: hint: log in again with "kakao-auth login --emulator"`
	tests := []struct {
		name  string
		age   func(t *testing.T, file *tokenstore.File) // makes the stored login one without the flag
		args  []string
		code  int
		wants []string
	}{
		{name: "token", age: dropBuiltinFlag, args: []string{"token", "--profile", emulatorProfile, "--force-refresh"}, code: ExitFailure, wants: []string{builtinHint}},
		{name: "login again", age: dropBuiltinFlag, args: []string{"login", "--profile", emulatorProfile}, code: ExitFailure, wants: []string{builtinHint}},
		{name: "login again, the record unreadable", age: breakRecord, args: []string{"login", "--profile", emulatorProfile}, code: ExitFailure, wants: []string{builtinHint}},
		{name: "logout --revoke", age: dropBuiltinFlag, args: []string{"logout", "--revoke", "--profile", emulatorProfile}, code: ExitOK, wants: []string{"stopped for good", `Logged out of profile "emulator"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			d, _, stderr := storeDeps(root, nil, "")
			d.OpenBrowser = agreeingBrowser
			if code := Main(t.Context(), []string{"login", "--emulator", "--store", "file", "--redirect-uri", freeRedirect(t)}, d); code != ExitOK {
				t.Fatalf("login --emulator: exit %d\n%s", code, stderr)
			}
			// Its emulator stopped with the login; moved to a dead port,
			// the login stays refused until the test ends.
			moveToDeadServer(t, root, emulatorProfile)
			tt.age(t, &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()})

			d, _, stderr = storeDeps(root, nil, "")
			d.OpenBrowser = agreeingBrowser
			if code := Main(t.Context(), tt.args, d); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			for _, want := range tt.wants {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr.String(), "--state-file") {
				t.Errorf("the hint sends the person to a state file the built-in emulator never had:\n%s", stderr)
			}
		})
	}
}

// dropBuiltinFlag makes the "emulator" profile's record one written
// before records kept builtin_emulator.
func dropBuiltinFlag(t *testing.T, file *tokenstore.File) {
	t.Helper()
	rec, err := file.Load(t.Context(), emulatorProfile)
	if err != nil {
		t.Fatal(err)
	}
	if !rec.BuiltinEmulator {
		t.Fatal("login --emulator stored no builtin_emulator to drop")
	}
	rec.BuiltinEmulator = false
	if err := file.Save(t.Context(), emulatorProfile, rec); err != nil {
		t.Fatal(err)
	}
}

// breakRecord makes the "emulator" profile's record unreadable, so that
// a new login knows its app from the profile note alone.
func breakRecord(t *testing.T, file *tokenstore.File) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(file.Dir, emulatorProfile+".json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// startAgain starts the emulator srv at addr, where one ran before: the
// port was free while it was stopped, and a process elsewhere on the
// machine may hold it for a moment (a connect's local port, say), so a
// busy port is tried again for a few seconds before the test gives up.
// The port cannot be held for the restart instead: a socket bound there
// while the emulator is stopped would have to be closed for it to start,
// which leaves the same moment open.
func startAgain(t *testing.T, addr string, srv *emulator.Server) (*emulator.Running, error) {
	t.Helper()
	for try := 0; ; try++ {
		run, err := emulator.Start(t.Context(), addr, srv)
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) || try == 50 {
			return run, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
