package cmd

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

const (
	thisAppSecret    = "secret-of-this-app"
	anotherAppSecret = "secret-of-another-app"
)

func TestLoginEmulator_NeverTakesTheEnvironmentsSecret(t *testing.T) {
	root := t.TempDir()
	d, _, stderr := storeDeps(root, map[string]string{envClientSecret: anotherAppSecret}, "")
	d.OpenBrowser = agreeingBrowser
	redirect := freeRedirect(t)
	if code := Main(t.Context(), []string{"login", "--emulator", "--redirect-uri", redirect}, d); code != ExitOK {
		t.Fatalf("login --emulator: exit %d; stderr:\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), emulatorProfile+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), anotherAppSecret) {
		t.Errorf("the emulator profile's file holds the real app's secret:\n%s", data)
	}
}

// secretApp is an emulator whose app has its client secret on, with a
// profile logged in to it (the secret stored with it) under root.
func secretApp(t *testing.T, root, profile string) (*emulator.Server, *tokenstore.File) {
	t.Helper()
	emu, emuURL := newTestEmulator(t, emulator.Config{ClientSecret: thisAppSecret, AutoApprove: true})
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	d, _, stderr := storeDeps(root, map[string]string{envClientSecret: thisAppSecret}, "")
	d.OpenBrowser = agreeingBrowser
	if code := Main(t.Context(), loginArgs(emuURL, redirect, "--profile", profile, "--scope", "openid"), d); code != ExitOK {
		t.Fatalf("login: exit %d; stderr:\n%s", code, stderr)
	}
	return emu, &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
}

func TestStoredProfile_RefreshesWithItsOwnSecretNotTheEnvironments(t *testing.T) {
	for _, args := range [][]string{
		{"token", "--force-refresh"},
		{"refresh"},
		{"status"},
		{"userinfo"},
		{"logout", "--revoke"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			root := t.TempDir()
			emu, _ := secretApp(t, root, "p")
			// Kakao no longer takes the access token (-401), so every
			// command refreshes.
			if n := emu.ExpireAccessTokens("", 0); n != 1 {
				t.Fatalf("expired %d access tokens, want the login's one", n)
			}
			d, _, stderr := storeDeps(root, map[string]string{envClientSecret: anotherAppSecret}, "")
			if code := Main(t.Context(), append(args, "--profile", "p"), d); code != ExitOK {
				t.Errorf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			if st := emu.Stats(); st.Refreshes != 1 || st.TokenErrors != 0 {
				t.Errorf("emulator stats %+v, want one refresh and no rejected secret", st)
			}
		})
	}
}

func TestStoredProfile_WithoutASecretTakesTheEnvironmentsOnlyForItsApp(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		wantCode int
	}{
		{"secret in the environment", map[string]string{envClientSecret: thisAppSecret}, ExitOK},
		{"same app named", map[string]string{envClientSecret: thisAppSecret, envClientID: emulator.DefaultClientID}, ExitOK},
		{"another app named", map[string]string{envClientSecret: thisAppSecret, envClientID: "another-app-key"}, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			emu, store := secretApp(t, root, "p")
			// A login stored before the app turned its secret on.
			rec, _ := store.Load(t.Context(), "p")
			rec.ClientSecret = ""
			if err := store.Save(t.Context(), "p", rec); err != nil {
				t.Fatal(err)
			}
			d, _, stderr := storeDeps(root, tt.env, "")
			if code := Main(t.Context(), []string{"token", "--force-refresh", "--profile", "p"}, d); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if tt.wantCode != ExitOK && emu.Stats().Refreshes != 0 {
				t.Errorf("refreshed with another app's secret")
			}
		})
	}
}

func TestStoredProfile_RefusedStoredSecretSaysToLogInAgain(t *testing.T) {
	root := t.TempDir()
	_, store := secretApp(t, root, "p")
	rec, _ := store.Load(t.Context(), "p")
	rec.ClientSecret = "reissued-since"
	if err := store.Save(t.Context(), "p", rec); err != nil {
		t.Fatal(err)
	}
	d, _, stderr := storeDeps(root, map[string]string{envClientSecret: thisAppSecret}, "")
	if code := Main(t.Context(), []string{"token", "--force-refresh", "--profile", "p"}, d); code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	if want := `kakao-auth: hint: Kakao refused the client secret stored with the profile (was it reissued?): run "kakao-auth login --profile p" with the new one`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr = %q, want %q", stderr, want)
	}
}

func TestLoginCmd_EmulatorIgnoresTheEnvironmentsSecretButNotAFile(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--emulator"}, ""},
		{[]string{"--emulator", "--client-secret-file", "-"}, "emulator-secret"},
	} {
		d, _, _ := testDeps(map[string]string{envClientSecret: anotherAppSecret}, "emulator-secret\n")
		var got string
		c := NewLoginCmd(d, func(_ context.Context, o *LoginOptions) error {
			got = o.App.ClientSecret
			return nil
		})
		c.SetArgs(tt.args)
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		if got != tt.want {
			t.Errorf("%v: client secret %q, want %q", tt.args, got, tt.want)
		}
	}
}

// A login to a profile whose record cannot be read takes the app from the
// profile's note, but the client secret lives only in the record. For an
// app that uses one, the login asks for it before any browser opens, not
// after the person agreed and the code was spent on a KOE010.
func TestLogin_UnreadableRecordOfASecretAppAsksForTheSecretFirst(t *testing.T) {
	root := t.TempDir()
	emu, store := secretApp(t, root, "p")
	if err := os.WriteFile(filepath.Join(store.Dir, "p.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, stderr := storeDeps(root, nil, "")
	opened := false
	d.OpenBrowser = func(context.Context, string, string) error { opened = true; return nil }
	if code := Main(t.Context(), []string{"login", "--profile", "p", "--store", "file", "--timeout", "20s"}, d); code != ExitUsage {
		t.Errorf("exit %d, want %d\n%s", code, ExitUsage, stderr)
	}
	if opened || emu.Stats().AuthorizeRequests != 1 {
		t.Errorf("the browser was opened (%v), or Kakao asked again (%d authorize requests)", opened, emu.Stats().AuthorizeRequests)
	}
	if msg := stderr.String(); !strings.Contains(msg, "client secret") || !strings.Contains(msg, envClientSecret) {
		t.Errorf("stderr does not ask for the client secret:\n%s", msg)
	}

	d, _, stderr = storeDeps(root, map[string]string{envClientSecret: thisAppSecret}, "")
	d.OpenBrowser = agreeingBrowser
	if code := Main(t.Context(), []string{"login", "--profile", "p", "--store", "file"}, d); code != ExitOK {
		t.Errorf("with the secret given: exit %d\n%s", code, stderr)
	}
}

// An app that turns its client secret on after a first login: the login
// with the secret notes that the app uses one, though nothing else about
// the app changed, so a later login that cannot read the record still asks
// for the secret first.
func TestLogin_SecretAddedOnALaterLoginIsNotedForTheNext(t *testing.T) {
	root := t.TempDir()
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	for _, env := range []map[string]string{nil, {envClientSecret: thisAppSecret}} {
		d, _, stderr := storeDeps(root, env, "")
		d.OpenBrowser = agreeingBrowser
		if code := Main(t.Context(), loginArgs(emuURL, redirect, "--profile", "p", "--scope", "openid"), d); code != ExitOK {
			t.Fatalf("login (secret given: %v): exit %d\n%s", env != nil, code, stderr)
		}
	}
	store := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
	if err := os.WriteFile(filepath.Join(store.Dir, "p.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	d, _, stderr := storeDeps(root, nil, "")
	opened := false
	d.OpenBrowser = func(context.Context, string, string) error { opened = true; return nil }
	if code := Main(t.Context(), []string{"login", "--profile", "p", "--store", "file", "--timeout", "3s"}, d); code != ExitUsage || opened {
		t.Errorf("login without the secret: exit %d, browser opened %v; want exit %d before any browser\n%s", code, opened, ExitUsage, stderr)
	}
}
