package cmd

import (
	"context"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A login whose auth server is a loopback address where nothing listens
// fails at once, before any browser opens: the browser would meet a dead
// page and the login wait out --timeout, and the token exchange needs that
// server from here anyway.
func TestLogin_DeadLoopbackServerFailsBeforeTheBrowserOpens(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the arguments of the login and the root it uses.
		setup func(t *testing.T) (root string, args []string, env map[string]string)
		want  []string
	}{
		{
			name: "the stored profile's emulator has stopped",
			setup: func(t *testing.T) (string, []string, map[string]string) {
				redirect := freeRedirect(t)
				_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
				root := t.TempDir()
				d, _, stderr := storeDeps(root, nil, "")
				d.OpenBrowser = agreeingBrowser
				if code := Main(t.Context(), loginArgs(base, redirect, "--profile", "nw"), d); code != ExitOK {
					t.Fatalf("first login: exit %d\n%s", code, stderr)
				}
				moveToDeadServer(t, root, "nw") // the emulator has stopped
				return root, []string{"login", "--profile", "nw"}, nil
			},
			want: []string{"is no longer running", "start the emulator again at http://127.0.0.1:"},
		},
		{
			name: "a new login to a port where nothing listens",
			setup: func(t *testing.T) (string, []string, map[string]string) {
				dead := "http://127.0.0.1:" + deadPort(t)
				return t.TempDir(), []string{"login", "--client-id", "key", "--auth-url", dead, "--api-url", dead, "--redirect-uri", freeRedirect(t), "--store", "file"}, nil
			},
			want: []string{"nothing listens at http://127.0.0.1:", "kakao-auth emulator --addr 127.0.0.1:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root, args, env := tt.setup(t)
			d, _, stderr := storeDeps(root, env, "")
			opened := false
			d.OpenBrowser = func(context.Context, string, string) error { opened = true; return nil }
			if code := Main(t.Context(), append(args, "--timeout", "20s"), d); code != ExitFailure {
				t.Errorf("exit %d, want 1\n%s", code, stderr)
			}
			if opened {
				t.Error("the browser was opened")
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
