package cmd

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// Refreshes of an OIDC login in separate processes fetch the auth server's
// signing keys once between them: the first caches them on disk (in the
// user cache directory, privately), the next reads them there. When Kakao
// rotates its key, the first refresh that meets the new kid fetches once
// more, and succeeds; the one after reads the new key from the cache.
func TestToken_SigningKeysCachedAcrossProcesses(t *testing.T) {
	emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	h := newHome(t)
	loggedInWith(t, srv.URL, filepath.Join(h.config, "kakao-auth"), "default", "n0nce", "openid")

	refresh := func(what string) int {
		t.Helper()
		before := emu.Stats()
		p := &proc{cmd: execCommand([]string{"token", "--force-refresh"}, h, nil, "")}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(t); code != ExitOK {
			t.Fatalf("%s: exit %d; stderr:\n%s", what, code, p.stderr.String())
		}
		after := emu.Stats()
		if after.Refreshes-before.Refreshes != 1 || after.IDTokensIssued-before.IDTokensIssued != 1 {
			t.Fatalf("%s: stats before %+v, after %+v; want one refresh bringing an ID token", what, before, after)
		}
		return after.JWKSRequests - before.JWKSRequests
	}
	if n := refresh("first refresh"); n != 1 {
		t.Errorf("first refresh fetched the keys %d times, want 1", n)
	}
	if n := refresh("second refresh"); n != 0 {
		t.Errorf("second refresh fetched the keys %d times, want 0 (cached by the first)", n)
	}
	files, _ := filepath.Glob(filepath.Join(h.cache(), "kakao-auth", "jwks", "*.json"))
	if len(files) != 1 {
		t.Fatalf("key cache files %v, want one", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key cache file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}

	emu.RotateKey()
	if n := refresh("refresh after the key rotated"); n != 1 {
		t.Errorf("the refresh after the key rotated fetched the keys %d times, want 1 (unknown kid)", n)
	}
	if n := refresh("next refresh"); n != 0 {
		t.Errorf("the refresh after that fetched the keys %d times, want 0", n)
	}
}

// A login with an ID token caches the signing keys it verified it with, so
// the refreshes after it fetch none.
func TestLogin_CachesTheSigningKeysForLaterRefreshes(t *testing.T) {
	redirect := freeRedirect(t)
	emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
	root := t.TempDir()
	cache := t.TempDir()
	env := map[string]string{envAuthURL: base, envAPIURL: base, envClientID: emulator.DefaultClientID, envStore: "file", envRedirectURI: redirect}
	run := func(args ...string) {
		t.Helper()
		d, _, stderr := storeDeps(root, env, "")
		d.OpenBrowser = agreeingBrowser
		d.CacheDir = func() (string, error) { return cache, nil }
		if code := Main(t.Context(), args, d); code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", args, code, stderr)
		}
	}
	run("login", "--scope", "openid")
	if n := emu.Stats().JWKSRequests; n != 1 {
		t.Fatalf("the login fetched the keys %d times, want 1", n)
	}
	run("token", "--force-refresh")
	if n := emu.Stats().JWKSRequests; n != 1 {
		t.Errorf("after a refresh the keys were fetched %d times, want still 1 (cached at login)", n)
	}
}
