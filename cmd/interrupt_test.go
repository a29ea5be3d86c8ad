package cmd

import (
	"context"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Every command catches Ctrl-C from its start, except token, which
// catches it only once it starts something that waits (a valid token read
// from the file store starts no signal handler), and help, --version and
// completion, which only print.
func TestMain_CatchesInterruptsWhereACommandWaits(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, srv.URL, root, "default") // its access token has expired

	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		wantC int // calls of CatchInterrupts
	}{
		{"token refreshing an expired token", []string{"token"}, nil, 1},
		{"token with a valid token", []string{"token"}, nil, 0},
		{"token --help", []string{"token", "--help"}, nil, 0},
		{"token with a bad flag", []string{"token", "--bogus"}, nil, 0},
		{"token --force-refresh", []string{"token", "--force-refresh"}, nil, 1},
		{"token in env-only mode", []string{"token"}, map[string]string{envRefreshToken: "rt", envClientID: emulator.DefaultClientID, envAuthURL: srv.URL}, 1},
		{"status", []string{"status"}, nil, 1},
		{"login --help", []string{"login", "--help"}, nil, 1},
		{"--version", []string{"--version"}, nil, 0},
		{"--help", []string{"--help"}, nil, 0},
		{"help login", []string{"help", "login"}, nil, 0},
		{"completion bash", []string{"completion", "bash"}, nil, 0},
		{"an unknown command", []string{"tokn"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, stderr := storeDeps(root, tt.env, "")
			calls, stops := 0, 0
			d.CatchInterrupts = func(context.CancelFunc) func() {
				calls++
				return func() { stops++ }
			}
			Main(t.Context(), tt.args, d)
			if calls != tt.wantC {
				t.Errorf("CatchInterrupts called %d times, want %d; stderr:\n%s", calls, tt.wantC, stderr)
			}
			if stops != calls {
				t.Errorf("catching stopped %d times, started %d", stops, calls)
			}
		})
	}
}

// A Ctrl-C or SIGTERM while token refreshes, or waits for another
// process's refresh, ends it as an interrupt (exit 3) that lets go of the
// profile's lock and leaves the stored login as it was.
func TestToken_SignalWhileRefreshingEndsItCleanly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix signals")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, stage := range []string{"refresh", "lock"} {
			t.Run(sig.String()+" during the "+stage, func(t *testing.T) {
				emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
				h := newHome(t)
				root := filepath.Join(h.config, "kakao-auth")
				paths := tokenstore.Paths{Root: root}
				loggedInProfile(t, srv.URL, root, "default")
				before, err := (&tokenstore.File{Dir: paths.TokensDir()}).Load(t.Context(), "default")
				if err != nil {
					t.Fatal(err)
				}

				var waiting func(p *proc) bool
				switch stage {
				case "refresh":
					emu.SetTokenDelay(time.Minute)
					defer emu.SetTokenDelay(0)
					waiting = func(*proc) bool { return emu.TokenRequestsWaiting() == 1 }
				case "lock":
					unlock, err := tokenstore.Lock(t.Context(), paths, "default", time.Second)
					if err != nil {
						t.Fatal(err)
					}
					defer unlock()
					opened := watchOpens(t, filepath.Join(paths.LocksDir(), "default.lock"))
					waiting = func(*proc) bool { return opened() }
				}
				p := startKakaoAuth(t, h, "token")
				for deadline := time.Now().Add(20 * time.Second); !waiting(p); time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("token never got to the %s; stderr:\n%s", stage, p.stderr.String())
					}
				}
				p.cmd.Process.Signal(sig)
				if code := p.exitCode(t); code != ExitCancelled {
					t.Errorf("exit code = %d, want %d; stderr:\n%s", code, ExitCancelled, p.stderr.String())
				}
				if got := p.stderr.String(); got != "kakao-auth: error: token interrupted\n" {
					t.Errorf("stderr = %q", got)
				}
				if p.stdout.Len() != 0 {
					t.Errorf("stdout = %q", p.stdout.String())
				}
				if stage == "refresh" {
					unlock, err := tokenstore.Lock(t.Context(), paths, "default", 0)
					if err != nil {
						t.Fatalf("the profile's lock is still held after the interrupt: %v", err)
					}
					unlock()
				}
				after, err := (&tokenstore.File{Dir: paths.TokensDir()}).Load(t.Context(), "default")
				if err != nil {
					t.Fatal(err)
				}
				if !after.Equal(before) {
					t.Error("the interrupted token run changed the stored login")
				}
			})
		}
	}
}
