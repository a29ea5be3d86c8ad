package cmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// loginHeldAtWhoAmI starts a real "login --store file" against emu and
// returns once the login is stored and its question to Kakao about the
// user (who am I) is held at the emulator; emu.SetAPIDelay(0) lets it go
// on.
func loginHeldAtWhoAmI(t *testing.T, h home, emu *emulator.Server, emuURL string) *proc {
	t.Helper()
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	emu.SetAPIDelay(time.Hour)
	p := startKakaoAuth(t, h, "login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL, "--api-url", emuURL,
		"--store", "file", "--redirect-uri", redirect, "--timeout", "20s",
		"--browser-command", "env "+asBrowserEnv+"=1 '"+os.Args[0]+"'")
	for deadline := time.Now().Add(20 * time.Second); emu.APIRequestsWaiting() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the login never asked Kakao who the user is; stderr:\n%s", p.stderr.String())
		}
	}
	if left := storedFiles(h, "default"); len(left) != 2 {
		t.Fatalf("the login asks who the user is before it stores the login: %v on disk", left)
	}
	return p
}

// runKakaoAuth runs kakao-auth args in h to the end.
func runKakaoAuth(t *testing.T, h home, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	p := startKakaoAuth(t, h, args...)
	code = p.exitCode(t)
	return code, p.stdout.String(), p.stderr.String()
}

// A logout while a login asks Kakao who the user is stays a logout: the
// login does not write its record back.
func TestLogin_LogoutDuringWhoAmIStaysLoggedOut(t *testing.T) {
	h := newHome(t)
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	login := loginHeldAtWhoAmI(t, h, emu, emuURL)

	if code, _, stderr := runKakaoAuth(t, h, "logout"); code != ExitOK || !strings.Contains(stderr, `Logged out of profile "default"`) {
		t.Fatalf("logout: exit %d\n%s", code, stderr)
	}
	emu.SetAPIDelay(0)
	if code := login.exitCode(t); code != ExitOK {
		t.Errorf("login: exit %d\n%s", code, login.stderr.String())
	}
	if left := storedFiles(h, "default"); len(left) != 0 {
		t.Errorf("logout removed the login, but these came back: %v\nlogin said:\n%s", left, login.stderr.String())
	}
	// Logout keeps the profile's app (never a token) for the next login.
	if code, _, stderr := runKakaoAuth(t, h, "status"); code != ExitLoginRequired || !strings.Contains(stderr, "it was logged out") {
		t.Errorf("status after the logout: exit %d, want %d and logged out\n%s", code, ExitLoginRequired, stderr)
	}
}

// A refresh that rotates the refresh token while a login asks Kakao who
// the user is keeps the rotated token: the login adds the user id to the
// record as it is now, never writes back the token Kakao rotated away.
func TestLogin_RotatingRefreshDuringWhoAmIKeepsTheRotatedToken(t *testing.T) {
	h := newHome(t)
	// Under 30 days left: Kakao rotates the refresh token on each refresh.
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	login := loginHeldAtWhoAmI(t, h, emu, emuURL)
	file := &tokenstore.File{Dir: tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}.TokensDir()}
	saved, err := file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}

	if code, _, stderr := runKakaoAuth(t, h, "refresh"); code != ExitOK || !strings.Contains(stderr, "Kakao rotated the refresh token") {
		t.Fatalf("refresh: exit %d, want a rotation\n%s", code, stderr)
	}
	rotated, err := file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if rotated.RefreshToken == saved.RefreshToken {
		t.Fatal("the refresh token was not rotated; the test checks nothing")
	}
	emu.SetAPIDelay(0)
	if code := login.exitCode(t); code != ExitOK {
		t.Fatalf("login: exit %d\n%s", code, login.stderr.String())
	}
	got, err := file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if got.RefreshToken != rotated.RefreshToken || got.AccessToken != rotated.AccessToken {
		t.Errorf("after the login ended, the stored tokens are the login's, rotated away (refresh token back to the old one: %v)", got.RefreshToken == saved.RefreshToken)
	}
	if got.UserID == 0 {
		t.Errorf("the login did not store the user id Kakao gave")
	}
	// The proof: the stored refresh token still works at Kakao.
	if code, _, stderr := runKakaoAuth(t, h, "refresh"); code != ExitOK {
		t.Errorf("refresh after the login: exit %d\n%s", code, stderr)
	}
}
