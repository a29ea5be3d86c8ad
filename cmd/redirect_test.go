package cmd

import (
	"bytes"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A Kakao server that answers with a redirect is refused on every call: the
// refresh form (refresh token, client secret) and the Authorization header
// never reach the Location, whose answer is never stored.
func TestKakaoCalls_RedirectIsRefusedAndKeepsTheRecord(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		fresh  bool // the stored access token is still valid: no refresh
		secret func(rec *tokenstore.Record) string
	}{
		{"token refresh", []string{"token"}, false, func(rec *tokenstore.Record) string { return rec.RefreshToken }},
		{"userinfo", []string{"userinfo"}, true, func(rec *tokenstore.Record) string { return rec.AccessToken }},
	}
	for _, fault := range []emulator.Fault{emulator.FaultRedirect307, emulator.FaultRedirect308} {
		for _, tt := range tests {
			t.Run(string(fault)+"/"+tt.name, func(t *testing.T) {
				emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
				other := emulator.New(emulator.Config{})
				sink := httptest.NewServer(other)
				defer sink.Close()
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

				emu.SetFault(fault)
				emu.SetRedirectTarget(sink.URL + "/_emulator/sink")
				d, stdout, stderr := storeDeps(root, nil, "")
				code := Main(t.Context(), tt.args, d)
				if code != ExitFailure {
					t.Errorf("exit code = %d, want 1; stderr:\n%s", code, stderr)
				}
				if got := other.Sunk(); len(got) != 0 {
					t.Errorf("the redirect was followed: the other server received %+v", got)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout)
				}
				if !strings.Contains(stderr.String(), "never follows redirects") || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
					t.Errorf("stderr = %q, want the refused redirect and a hint", stderr)
				}
				if s := tt.secret(rec); strings.Contains(stderr.String(), s) {
					t.Errorf("stderr %q shows a secret", stderr)
				}
				if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
					t.Error("the stored record changed after a redirected call")
				}
			})
		}
	}
}
