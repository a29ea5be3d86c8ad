package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// brokenKeyring is a keyring that a login's probe finds unusable, as on a
// machine without a Secret Service.
type brokenKeyring struct{ unavailableKeyring }

func (brokenKeyring) Probe(context.Context) error {
	return &tokenstore.UnavailableError{Backend: tokenstore.BackendKeyring, Op: "probe", Err: context.DeadlineExceeded}
}

// A resume whose address matches no pending login says why (used, a bare
// code, another login's), whatever the store: on a machine without a
// keyring it used to blame the keyring, the default store of a resume
// with no session to take its store from.
func TestLoginResume_AnAddressOfNoPendingLoginIsExplainedBeforeTheStore(t *testing.T) {
	for _, tt := range []struct {
		name, pasted, want string
	}{
		{"already used", "http://localhost:8765/callback?code=c&state=gone", "no pending login matches this address"},
		{"bare code", "emu_code_abc", "looks like a bare code"},
		{"no state", "http://localhost:8765/callback?code=c", "no state parameter"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, stderr := storeDeps(t.TempDir(), nil, "")
			d.OpenStore = func(name string, p tokenstore.Paths) (tokenstore.Store, error) {
				if name == tokenstore.BackendKeyring {
					return brokenKeyring{}, nil
				}
				return tokenstore.Open(name, p)
			}
			if code := Main(t.Context(), []string{"login", "--resume", tt.pasted}, d); code == ExitOK {
				t.Fatal("resume succeeded")
			}
			if msg := stderr.String(); !strings.Contains(msg, tt.want) || strings.Contains(msg, "keyring") {
				t.Errorf("stderr does not say %q, or blames the keyring:\n%s", tt.want, msg)
			}
		})
	}
}
