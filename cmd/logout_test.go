package cmd

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// After the app was unlinked at Kakao, logout --revoke cannot ever
// succeed at Kakao: the local login goes, with a note that Kakao had
// already ended it, instead of "try again".
func TestLogoutRevoke_AfterUnlinkRemovesTheLocalLogin(t *testing.T) {
	for _, flag := range []string{"--revoke", "--unlink"} {
		t.Run(flag, func(t *testing.T) {
			srv := httptest.NewServer(emulator.New(emulator.Config{AutoApprove: true}))
			defer srv.Close()
			root := t.TempDir()
			rec := loggedInProfile(t, srv.URL, root, "default")
			if err := (&kakao.API{BaseURL: srv.URL, Tokens: kakao.StaticToken(rec.AccessToken)}).Unlink(t.Context()); err != nil {
				t.Fatal(err)
			}
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"logout", flag, "--yes"}, d); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr.String(), "Kakao had already ended this login") || strings.Contains(stderr.String(), "try again") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q", stdout)
			}
			if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); !os.IsNotExist(err) {
				t.Errorf("the token file is still there (%v)", err)
			}
		})
	}
}
