package cmd

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// loggedInProfile stores a real emulator login for profile in a file store
// under root, with its access token already expired.
func loggedInProfile(t *testing.T, base, root, profile string) *tokenstore.Record {
	t.Helper()
	return loggedInWith(t, base, root, profile, "", "talk_message")
}

// loggedInWith is loggedInProfile with a nonce and scopes of choice.
func loggedInWith(t *testing.T, base, root, profile, nonce string, scopes ...string) *tokenstore.Record {
	t.Helper()
	rec := emulatorLogin(t, base, nonce, scopes...)
	paths := tokenstore.Paths{Root: root}
	if err := (&tokenstore.File{Dir: paths.TokensDir()}).Save(t.Context(), profile, rec); err != nil {
		t.Fatal(err)
	}
	if err := (tokenstore.Profiles{Dir: paths.ProfilesDir()}).SetBackend(profile, tokenstore.BackendFile); err != nil {
		t.Fatal(err)
	}
	return rec
}

// emulatorLogin is a real login at the emulator at base, as a record not
// yet stored anywhere, with its access token already expired.
func emulatorLogin(t *testing.T, base, nonce string, scopes ...string) *tokenstore.Record {
	t.Helper()
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: emulator.DefaultRedirectURI, AuthURL: base}
	verifier := kakao.NewVerifier()
	resp, err := noRedirects.Get(c.AuthorizeURL(kakao.AuthorizeRequest{State: "st", Verifier: verifier, Scopes: scopes, Nonce: nonce}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	tok, err := c.Exchange(t.Context(), loc.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	rec := &tokenstore.Record{
		ClientID: c.ClientID, RedirectURI: c.RedirectURI, AuthURL: base, APIURL: base,
		Scopes: tok.Scopes, TokenType: tok.TokenType, AccessToken: tok.AccessToken,
		RefreshToken: tok.RefreshToken, RefreshExpiry: tok.RefreshExpiry,
		Expiry: time.Now().Add(-time.Minute), IDToken: tok.IDToken, Nonce: nonce,
	}
	return rec
}

func TestToken_FiftyProcessesOnAnExpiredTokenRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	for _, tt := range []struct {
		name       string
		refreshTTL time.Duration
		rotates    bool
	}{
		{"without rotation", 0, false},
		{"with rotation", 10 * 24 * time.Hour, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: tt.refreshTTL})
			config := t.TempDir()
			root := filepath.Join(config, "kakao-auth")
			before := loggedInProfile(t, emuURL, root, "default")

			const n = 50
			outs := make([]bytes.Buffer, n)
			errs := make([]bytes.Buffer, n)
			cmds := make([]*exec.Cmd, n)
			for i := range cmds {
				c := exec.Command(os.Args[0], "token")
				c.Env = append(os.Environ(), asKakaoAuthEnv+"=1", "XDG_CONFIG_HOME="+config, "KAKAO_AUTH_PROFILE=")
				c.Stdout, c.Stderr = &outs[i], &errs[i]
				cmds[i] = c
			}
			var wg sync.WaitGroup
			for i, c := range cmds {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := c.Run(); err != nil {
						t.Errorf("process %d: %v\nstderr: %s", i, err, errs[i].String())
					}
				}()
			}
			wg.Wait()

			if got := emu.Stats().Refreshes; got != 1 {
				t.Errorf("emulator saw %d refreshes, want exactly 1", got)
			}
			stored, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
			if err != nil {
				t.Fatal(err)
			}
			for i := range outs {
				if got := outs[i].String(); got != stored.AccessToken+"\n" {
					t.Errorf("process %d printed %q, want the stored access token", i, got)
				}
			}
			if stored.AccessToken == before.AccessToken || !stored.Expiry.After(time.Now()) {
				t.Error("the stored access token was not refreshed")
			}
			if rotated := stored.RefreshToken != before.RefreshToken; rotated != tt.rotates {
				t.Errorf("refresh token rotated = %v, want %v", rotated, tt.rotates)
			}
			// The stored refresh token is the one Kakao will take next.
			c := &kakao.Client{ClientID: stored.ClientID, AuthURL: emuURL}
			if _, err := c.Refresh(t.Context(), stored.RefreshToken); err != nil {
				t.Errorf("the stored refresh token no longer works: %v", err)
			}
		})
	}
}
