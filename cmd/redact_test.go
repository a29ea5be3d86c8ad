package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A server that echoes the request into its error text gets every secret
// sent redacted, in every spelling, on stderr; the stored record stays as it
// was. The client secret has a part, Zq9w, that no encoding changes.
func TestKakaoCalls_EchoedSecretsAreRedacted(t *testing.T) {
	const secret = "Sec+ret/Zq9w=chars&x y"
	tests := []struct {
		name    string
		args    []string
		fresh   bool // the stored access token is still valid: no refresh
		secrets func(rec *tokenstore.Record) []string
	}{
		{"token refresh", []string{"token"}, false, func(rec *tokenstore.Record) []string { return []string{"Zq9w", rec.RefreshToken} }},
		{"userinfo", []string{"userinfo"}, true, func(rec *tokenstore.Record) []string { return []string{"Zq9w", rec.AccessToken} }},
		{"login", nil, false, func(rec *tokenstore.Record) []string { return []string{"Zq9w"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			rec := loggedInWith(t, emuURL, root, "default", "n", "openid")
			files := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
			if tt.fresh {
				rec.Expiry = time.Now().Add(time.Hour)
				if err := files.Save(t.Context(), "default", rec); err != nil {
					t.Fatal(err)
				}
			}
			file := filepath.Join(files.Dir, "default.json")
			before, _ := os.ReadFile(file)

			args := tt.args
			if args == nil {
				redirect := freeRedirect(t)
				emu.RegisterRedirectURI(redirect)
				args = []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL, "--api-url", emuURL,
					"--redirect-uri", redirect, "--store", "file", "--timeout", "20s"}
			}
			emu.SetFault(emulator.FaultEcho)
			d, stdout, stderr := storeDeps(root, map[string]string{envClientSecret: secret}, "")
			d.OpenBrowser = agreeingBrowser
			if code := Main(t.Context(), args, d); code != ExitFailure {
				t.Errorf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "[redacted]") {
				t.Errorf("stdout %q, stderr %q; want nothing on stdout and the echo redacted on stderr", stdout, stderr)
			}
			for _, s := range tt.secrets(rec) {
				if strings.Contains(stderr.String(), s) {
					t.Errorf("stderr shows a secret (%q):\n%s", s, stderr)
				}
			}
			if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
				t.Error("the stored record changed after a failed call")
			}
		})
	}
}
