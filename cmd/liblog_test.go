package cmd

import (
	"io"
	"log"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A kapi call that times out says so in kakao-auth's words only: an error
// and a hint, and no library line before them. (x/oauth2's Transport has a
// CancelRequest that only logs "deprecated: …", once per process; net/http
// calls it when an http.Client's Timeout ends a request through a transport
// it does not know.)
func TestAPI_TimeoutShowsNoLibraryLine(t *testing.T) {
	var logged lockedBuffer
	prevOut, prevFlags := log.Writer(), log.Flags()
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(prevOut); log.SetFlags(prevFlags) })

	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, emuURL, root, "default")
	emu.SetFault(emulator.FaultAPIHang)
	d, stdout, stderr := hangingServerDeps(root, nil, "") // an HTTP timeout of 1s
	start := time.Now()
	code := Main(t.Context(), []string{"api", "/v2/user/me"}, d)
	if took := time.Since(start); code != ExitFailure || took > 10*time.Second {
		t.Errorf("exit %d after %v, want 1 soon after the 1s timeout; stderr:\n%s", code, took, stderr)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "kakao-auth: error: ") || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
		t.Errorf("stdout %q, stderr %q; want nothing on stdout, an error and a hint", stdout, stderr)
	}
	for _, line := range strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n") {
		if !strings.HasPrefix(line, "kakao-auth: ") {
			t.Errorf("stderr line %q is not kakao-auth's", line)
		}
	}
	time.Sleep(100 * time.Millisecond) // a library's goroutine may log just after
	if s := logged.String(); s != "" {
		t.Errorf("a library logged: %q", s)
	}
}

// The real dependencies silence the log package: whatever a library may
// still log (a deprecation, an HTTP server's complaint about a client of
// the loopback listener) never reaches the person's terminal.
func TestDefaultDeps_SilenceTheLogPackage(t *testing.T) {
	prevOut := log.Writer()
	t.Cleanup(func() { log.SetOutput(prevOut) })
	for _, k := range secretEnv {
		t.Setenv(k, "") // restored after DefaultDeps takes them out
	}
	DefaultDeps()
	if w := log.Writer(); w != io.Discard {
		t.Errorf("log writes to %T after DefaultDeps, want io.Discard", w)
	}
}
