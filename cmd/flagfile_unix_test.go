//go:build linux

package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A file named by a flag is read with a cap: an endless one (/dev/zero)
// is refused at once with an error naming it, as an endless stdin is, and
// memory stays bounded. (--client-secret-file /dev/zero once grew to
// 4.6 GB before the kernel killed it.) The run gets 2 GiB of address space
// (unless built with -race, which needs far more), so a reader without a
// cap dies rather than take the machine's memory.
func TestFlagFiles_EndlessFileIsRefusedQuickly(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"token", "--client-secret-file", "/dev/zero"}, `the client secret file "/dev/zero" is larger than 4 KiB`},
		{[]string{"api", "/v2/user/me", "--input", "/dev/zero"}, "/dev/zero is larger than 16 MiB"},
		{[]string{"api", "/v2/user/me", "-F", "text=@/dev/zero"}, "/dev/zero is larger than 16 MiB"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHome(t)
			loggedInProfile(t, srv.URL, filepath.Join(h.config, "kakao-auth"), "default")
			c := execCommand(tt.args, h, nil, "")
			if !raceDetector {
				c = execCommand(append([]string{"-c", `ulimit -v 2097152 && exec "$0" "$@"`, os.Args[0]}, tt.args...), h, nil, "")
				c.Path, c.Args[0] = "/bin/sh", "sh"
			}
			var stderr lockedBuffer
			c.Stderr = &stderr
			start := time.Now()
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(10*time.Second, func() { c.Process.Kill() })
			defer timer.Stop()
			code := exitCodeOf(t, c)
			if took := time.Since(start); code != ExitUsage || took > 5*time.Second || !strings.Contains(stderr.String(), "kakao-auth: error: "+tt.want) ||
				!strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("exit %d after %v, stderr %q; want exit 2 at once with %q and a hint", code, took.Round(time.Millisecond), stderr.String(), tt.want)
			}
		})
	}
}

// A FIFO named by a flag with no writer blocks open(2) until one comes;
// Ctrl-C or SIGTERM ends the wait as an interrupt (exit 3), in token (which
// catches interrupts only when it starts something that waits) as in api
// and the emulator.
func TestFlagFiles_FIFOWithoutAWriterCanBeInterrupted(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		for _, args := range [][]string{
			{"token", "--client-secret-file", "FIFO"},
			{"api", "/v2/user/me", "--input", "FIFO"},
			{"api", "/v2/user/me", "-F", "text=@FIFO"},
			{"emulator", "--addr", "127.0.0.1:0", "--users", "FIFO"},
		} {
			t.Run(sig.String()+" "+strings.Join(args, " "), func(t *testing.T) {
				h := newHome(t)
				loggedInProfile(t, srv.URL, filepath.Join(h.config, "kakao-auth"), "default")
				fifo := filepath.Join(h.dir, "fifo")
				if err := syscall.Mkfifo(fifo, 0o600); err != nil {
					t.Fatal(err)
				}
				args := strings.Split(strings.ReplaceAll(strings.Join(args, "\x00"), "FIFO", fifo), "\x00")
				p := startKakaoAuth(t, h, args...)
				waitInKernel(t, p.cmd, "wait_for_partner") // open(2) of a FIFO without a writer
				start := time.Now()
				p.cmd.Process.Signal(sig)
				timer := time.AfterFunc(10*time.Second, func() { p.cmd.Process.Kill() })
				defer timer.Stop()
				code := p.exitCode(t)
				if took := time.Since(start); code != ExitCancelled || took > 5*time.Second {
					t.Errorf("exit %d %v after the signal, want exit %d at once; stderr:\n%s", code, took.Round(time.Millisecond), ExitCancelled, p.stderr.String())
				}
				if want := "kakao-auth: error: " + args[0] + " interrupted\n"; p.stderr.String() != want {
					t.Errorf("stderr = %q, want %q", p.stderr.String(), want)
				}
			})
		}
	}
}

// waitInKernel waits until a thread of c's process sleeps in the kernel
// function wchan (/proc/PID/task/TID/wchan).
func waitInKernel(t *testing.T, c *exec.Cmd, wchan string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		tasks, _ := filepath.Glob(filepath.Join("/proc", strconv.Itoa(c.Process.Pid), "task", "*", "wchan"))
		for _, f := range tasks {
			if b, _ := os.ReadFile(f); string(b) == wchan {
				return
			}
		}
	}
	t.Fatalf("process %d never waited in %s", c.Process.Pid, wchan)
}
