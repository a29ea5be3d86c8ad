package cmd

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A busy port is the machine's state, not a mistake in the command line:
// the same command works once the port is free. login and emulator both
// exit 1 for it (a usage error, 2, would tell a script to fix its
// arguments), each with a hint.
func TestBusyPort_IsAFailureForLoginAndEmulator(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().String()
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{"http://" + busy + "/callback"}})
	for _, args := range [][]string{
		{"emulator", "--addr", busy},
		{"login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL, "--api-url", emuURL, "--redirect-uri", "http://" + busy + "/callback", "--store", "file"},
	} {
		d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
		d.OpenBrowser = agreeingBrowser
		if code := Main(t.Context(), args, d); code != ExitFailure {
			t.Errorf("%s on a busy port: exit %d, want %d\n%s", args[0], code, ExitFailure, stderr)
		}
		if !strings.Contains(stderr.String(), "in use") || !strings.Contains(stderr.String(), "kakao-auth: hint: ") || stdout.Len() != 0 {
			t.Errorf("%s on a busy port: stdout %q, stderr:\n%s\nwant it to say the port is in use, with a hint", args[0], stdout, stderr)
		}
	}
}

// A --min-ttl no Kakao access token can meet (they live 6 hours: 21599 s)
// can never work: every run would refresh in vain. It is a usage error,
// before any call to Kakao, for every command that takes it.
func TestMinTTL_ThatNoTokenCanMeetIsAUsageError(t *testing.T) {
	for _, command := range [][]string{{"token"}, {"api", "/v2/user/me"}, {"exec", "--", "true"}} {
		for _, minTTL := range []string{"6h", "7h", "48h"} {
			t.Run(command[0]+" "+minTTL, func(t *testing.T) {
				emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
				root := t.TempDir()
				loggedInProfile(t, base, root, "default") // expired: a run would refresh
				before := emu.Stats()
				d, stdout, stderr := storeDeps(root, nil, "")
				args := append([]string{command[0], "--min-ttl", minTTL}, command[1:]...)
				if code := Main(t.Context(), args, d); code != ExitUsage {
					t.Errorf("%v: exit %d, want %d\n%s", args, code, ExitUsage, stderr)
				}
				if !strings.Contains(stderr.String(), "--min-ttl") || !strings.Contains(stderr.String(), "hint: ") || stdout.Len() != 0 {
					t.Errorf("%v: stdout %q, stderr:\n%s\nwant an error about --min-ttl, with a hint", args, stdout, stderr)
				}
				if after := emu.Stats(); after.Refreshes != before.Refreshes {
					t.Errorf("%v called Kakao: %d refreshes", args, after.Refreshes-before.Refreshes)
				}
			})
		}
	}
}

// "login --resume $ADDR" with ADDR unset gives --resume an empty value: a usage error,
// not a new interactive login.
func TestLoginResume_EmptyIsAUsageError(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	d, _, stderr := storeDeps(t.TempDir(), map[string]string{envClientID: emulator.DefaultClientID, envAuthURL: emuURL, envAPIURL: emuURL, envRedirectURI: freeRedirect(t)}, "")
	opened := false
	d.OpenBrowser = func(ctx context.Context, command, url string) error {
		opened = true
		return agreeingBrowser(ctx, command, url)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if code := Main(ctx, []string{"login", "--resume", "", "--store", "file"}, d); code != ExitUsage {
		t.Errorf("login --resume '': exit %d, want %d\n%s", code, ExitUsage, stderr)
	}
	if opened {
		t.Error("login --resume '' opened a browser: it started a new login")
	}
	if !strings.Contains(stderr.String(), "--resume") {
		t.Errorf("stderr does not name --resume:\n%s", stderr)
	}
}

// "login --emulator --client-id foo" over the emulator profile's login to
// another app asks first, as any login that replaces another app's does:
// without a terminal to ask on it is refused and the stored login kept.
func TestLoginEmulator_AnotherAppAsksBeforeReplacing(t *testing.T) {
	root := t.TempDir()
	login := func(args ...string) (int, string) {
		d, _, stderr := storeDeps(root, nil, "")
		d.OpenBrowser = agreeingBrowser
		code := Main(t.Context(), append([]string{"login", "--emulator", "--redirect-uri", freeRedirect(t)}, args...), d)
		return code, stderr.String()
	}
	stored := func() string {
		rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), emulatorProfile)
		if err != nil {
			t.Fatal(err)
		}
		return rec.ClientID
	}
	if code, stderr := login(); code != ExitOK {
		t.Fatalf("login --emulator: exit %d\n%s", code, stderr)
	}
	if code, stderr := login("--client-id", "foo"); code != ExitUsage || !strings.Contains(stderr, "another app") || !strings.Contains(stderr, "--yes") {
		t.Errorf("login --emulator --client-id foo over another app's login: exit %d, want %d and a word on --yes\n%s", code, ExitUsage, stderr)
	}
	if got := stored(); got != emulator.DefaultClientID {
		t.Errorf("the stored login is of app %q, want the first login's, %q", got, emulator.DefaultClientID)
	}
	if code, stderr := login("--client-id", "foo", "--yes"); code != ExitOK {
		t.Fatalf("with --yes: exit %d\n%s", code, stderr)
	}
	if got := stored(); got != "foo" {
		t.Errorf("after --yes the stored login is of app %q, want foo", got)
	}
	if code, stderr := login("--client-id", "foo"); code != ExitOK {
		t.Errorf("the same app again: exit %d, want no question\n%s", code, stderr)
	}
}
