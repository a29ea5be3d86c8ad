package cmd

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// slowRefresh starts "token --force-refresh" as a real process against an
// emulator whose token endpoint holds it, and returns once the refresh
// request is waiting there; emu.SetTokenDelay(0) lets it go on.
func slowRefresh(t *testing.T, h home) (*proc, *emulator.Server) {
	t.Helper()
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	loggedInProfile(t, emuURL, filepath.Join(h.config, "kakao-auth"), "default")
	emu.SetTokenDelay(time.Hour)
	p := startKakaoAuth(t, h, "token", "--force-refresh")
	for deadline := time.Now().Add(20 * time.Second); emu.TokenRequestsWaiting() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the refresh never reached the emulator; stderr:\n%s", p.stderr.String())
		}
	}
	return p, emu
}

// storedFiles lists what is left of the profile on disk.
func storedFiles(h home, profile string) []string {
	paths := tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}
	var left []string
	if _, err := os.Lstat(filepath.Join(paths.TokensDir(), profile+".json")); err == nil {
		left = append(left, filepath.Join(paths.TokensDir(), profile+".json"))
	}
	// A note that says nothing is stored is a logged-out profile's, which
	// logout keeps for its app.
	if b, err := (tokenstore.Profiles{Dir: paths.ProfilesDir()}).Backend(profile); !errors.Is(err, tokenstore.ErrNotFound) && b != tokenstore.BackendNone {
		left = append(left, filepath.Join(paths.ProfilesDir(), profile+".json"))
	}
	return left
}

func TestLogout_DuringASlowRefreshRemovesTheLoginForGood(t *testing.T) {
	h := newHome(t)
	refresh, emu := slowRefresh(t, h)

	logout := startKakaoAuth(t, h, "logout")
	logoutDone := make(chan error, 1)
	go func() { logoutDone <- logout.cmd.Wait() }()
	// A logout that does not wait for the refresh is done well within this;
	// one that waits is given the time to start waiting.
	var err error
	select {
	case err = <-logoutDone:
		emu.SetTokenDelay(0)
	case <-time.After(time.Second):
		emu.SetTokenDelay(0)
		err = <-logoutDone
	}
	if err != nil {
		t.Fatalf("logout: %v\n%s", err, logout.stderr.String())
	}
	if !strings.Contains(logout.stderr.String(), `Logged out of profile "default"`) {
		t.Errorf("logout says:\n%s", logout.stderr.String())
	}
	code := refresh.exitCode(t)
	if code != ExitOK && code != ExitLoginRequired {
		t.Errorf("token --force-refresh: exit %d, want 0 (refreshed before the logout) or 4\n%s", code, refresh.stderr.String())
	}
	if left := storedFiles(h, "default"); len(left) != 0 {
		t.Errorf("logout said the tokens were removed, but these are back: %v", left)
	}
	status := execCommand([]string{"status"}, h, []string{quickExit()}, "")
	if out, err := status.CombinedOutput(); !strings.Contains(string(out), "not logged in") && !strings.Contains(string(out), "it was logged out") {
		t.Errorf("status after logout: %v\n%s", err, out)
	}
}

// A profile removed without the lock (by hand, or by an older kakao-auth)
// while a refresh waits for Kakao is not brought back by that refresh.
func TestToken_RefreshSavesNothingOnceTheProfileIsGone(t *testing.T) {
	h := newHome(t)
	refresh, emu := slowRefresh(t, h)
	paths := tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}
	if err := (&tokenstore.File{Dir: paths.TokensDir()}).Delete(t.Context(), "default"); err != nil {
		t.Fatal(err)
	}
	if err := (tokenstore.Profiles{Dir: paths.ProfilesDir()}).Remove("default"); err != nil {
		t.Fatal(err)
	}
	emu.SetTokenDelay(0)
	if code := refresh.exitCode(t); code != ExitLoginRequired {
		t.Errorf("token --force-refresh: exit %d, want %d (login required)\n%s", code, ExitLoginRequired, refresh.stderr.String())
	}
	if refresh.stdout.Len() != 0 {
		t.Errorf("printed %q, want nothing", refresh.stdout.String())
	}
	if left := storedFiles(h, "default"); len(left) != 0 {
		t.Errorf("the refresh brought back %v", left)
	}
}

// Whatever a crash between two writes leaves (a record whose profile note
// was never written, a record left in the store a login was moving away
// from), "logout --profile P" removes what is stored for P.
func TestLogout_RemovesWhatACrashLeft(t *testing.T) {
	const profile = "crash-left" // never a real profile in a developer's keyring
	tests := []struct {
		name    string
		note    string   // backend named by the profile note; "" for none
		records []string // backends holding a record
		keyring bool     // needs the private keyring (keyringtest)
	}{
		{"file record without a note", "", []string{tokenstore.BackendFile}, false},
		{"keyring record without a note", "", []string{tokenstore.BackendKeyring}, true},
		{"moving from the keyring to a file", tokenstore.BackendKeyring, []string{tokenstore.BackendKeyring, tokenstore.BackendFile}, true},
		{"moving from a file to the keyring, note written", tokenstore.BackendKeyring, []string{tokenstore.BackendFile}, true},
		{"note with no record", tokenstore.BackendFile, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.keyring {
				keyringtest.Require(t)
			}
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			paths := tokenstore.Paths{Root: root}
			rec := loggedInProfile(t, emuURL, root, profile)
			// loggedInProfile stored a file record and a note; rearrange.
			if err := (&tokenstore.File{Dir: paths.TokensDir()}).Delete(t.Context(), profile); err != nil {
				t.Fatal(err)
			}
			notes := tokenstore.Profiles{Dir: paths.ProfilesDir()}
			if err := notes.Remove(profile); err != nil {
				t.Fatal(err)
			}
			stores := map[string]tokenstore.Store{}
			for _, name := range []string{tokenstore.BackendFile, tokenstore.BackendKeyring} {
				s, err := tokenstore.Open(name, paths)
				if err != nil {
					t.Fatal(err)
				}
				stores[name] = s
			}
			t.Cleanup(func() { stores[tokenstore.BackendKeyring].Delete(t.Context(), profile) })
			for _, name := range tt.records {
				if err := stores[name].Save(t.Context(), profile, rec); err != nil {
					t.Fatal(err)
				}
			}
			if tt.note != "" {
				if err := notes.SetBackend(profile, tt.note); err != nil {
					t.Fatal(err)
				}
			}

			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"logout", "--profile", profile}, d); code != ExitOK {
				t.Fatalf("logout: exit %d\n%s", code, stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			for _, name := range tt.records {
				if _, err := stores[name].Load(t.Context(), profile); !errors.Is(err, tokenstore.ErrNotFound) {
					t.Errorf("after logout, the %s store: %v; want nothing stored", name, err)
				}
			}
			if b, err := notes.Backend(profile); !errors.Is(err, tokenstore.ErrNotFound) && b != tokenstore.BackendNone {
				t.Errorf("after logout, the profile note: %q, %v; want none, or one that says nothing is stored", b, err)
			}
			// Nothing is left, and logout now says so.
			d, _, stderr = storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"logout", "--profile", profile}, d); code != ExitOK || !strings.Contains(stderr.String(), "Nothing to log out") {
				t.Errorf("second logout: exit %d, want %d and nothing to log out\n%s", code, ExitOK, stderr)
			}
		})
	}
}
