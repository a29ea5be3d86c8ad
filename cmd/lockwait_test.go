package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// lockWaitNote is what a command says when another kakao-auth holds the
// profile's lock for a while.
const lockWaitNote = `waiting for another kakao-auth using profile "default"`

// Every command that waits for the profile lock says so, once, rather than
// hang in silence behind a slow refresh.
func TestLockWaiters_SayOnceThatTheyWait(t *testing.T) {
	for _, args := range [][]string{{"logout"}, {"token", "--force-refresh"}, {"refresh"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h := newHome(t)
			refresh, emu := slowRefresh(t, h)
			waiter := &proc{cmd: execCommand(args, h, []string{quickExit()}, "")}
			waiter.cmd.Stdout, waiter.cmd.Stderr = &waiter.stdout, &waiter.stderr
			if err := waiter.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { waiter.cmd.Process.Kill(); waiter.cmd.Wait() })
			waiter.waitFor(t, lockWaitNote)
			emu.SetTokenDelay(0)
			if code := waiter.exitCode(t); code != ExitOK {
				t.Errorf("exit %d, want 0; stderr:\n%s", code, waiter.stderr.String())
			}
			if n := strings.Count(waiter.stderr.String(), lockWaitNote); n != 1 {
				t.Errorf("said it waits %d times, want once:\n%s", n, waiter.stderr.String())
			}
			if code := refresh.exitCode(t); code != ExitOK && code != ExitLoginRequired {
				t.Errorf("the slow refresh: exit %d; stderr:\n%s", code, refresh.stderr.String())
			}
		})
	}
}

func TestLockWaiters_SayNothingWhenTheLockIsFree(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	h := newHome(t)
	loggedInProfile(t, emuURL, filepath.Join(h.config, "kakao-auth"), "default")
	for _, args := range [][]string{{"token", "--force-refresh"}, {"refresh"}, {"logout"}} {
		c := execCommand(args, h, []string{quickExit()}, "")
		var stderr strings.Builder
		c.Stderr = &stderr
		if err := c.Run(); err != nil {
			t.Fatalf("%v: %v; stderr:\n%s", args, err, stderr.String())
		}
		if strings.Contains(stderr.String(), "waiting for") {
			t.Errorf("%v waited for nobody, but says:\n%s", args, stderr.String())
		}
	}
}
