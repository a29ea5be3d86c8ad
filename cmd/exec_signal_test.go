//go:build unix

package cmd

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// signalRecorderArg makes the test binary a command for exec to run (as
// its only argument; kakao-auth's own runs have more): it says "ready",
// prints "got SIGNAME" for each signal it gets, and exits 7 half a second
// after the first, so a second delivery of the same signal still shows.
// It is dispatched from init, before TestMain: the recorder runs under a
// kakao-auth that is the test binary too, and inherits its environment.
const signalRecorderArg = "kakao-auth-test-signal-recorder"

func init() {
	if len(os.Args) == 2 && os.Args[1] == signalRecorderArg {
		signalRecorderMain()
	}
}

func signalRecorderMain() {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2)
	fmt.Println("ready")
	var grace <-chan time.Time
	giveUp := time.After(30 * time.Second)
	for {
		select {
		case s := <-sigs:
			fmt.Println("got", unix.SignalName(s.(syscall.Signal)))
			if grace == nil {
				grace = time.After(500 * time.Millisecond)
			}
		case <-grace:
			os.Exit(7)
		case <-giveUp:
			os.Exit(99)
		}
	}
}

// startExec starts "kakao-auth exec -- <signal recorder>" as a real
// process in home h, in a process group of its own (unless configure
// says otherwise), and waits until the recorder is ready.
func startExec(t *testing.T, h home, configure func(*exec.Cmd)) (*exec.Cmd, *lockedBuffer, *lockedBuffer) {
	t.Helper()
	c := execCommand([]string{"exec", "--", os.Args[0], signalRecorderArg}, h, []string{quickExit()}, "")
	var stdout, stderr lockedBuffer
	c.Stdout, c.Stderr = &stdout, &stderr
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if configure != nil {
		configure(c)
	}
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c, &stdout, &stderr
}

func waitForText(t *testing.T, what string, b interface{ String() string }, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if strings.Contains(b.String(), text) {
			return
		}
	}
	t.Fatalf("%s never showed %q:\n%s", what, text, b.String())
}

func exitCodeOf(t *testing.T, c *exec.Cmd) int {
	t.Helper()
	err := c.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// A signal sent to kakao-auth (by a supervisor, a CI runner, kill) goes on
// to the command, once; kakao-auth is not ended by it but waits for the
// command, whose exit status it takes, and says nothing.
func TestExec_SignalsArePassedOnToTheCommand(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2} {
		name := unix.SignalName(sig)
		t.Run(name, func(t *testing.T) {
			h := newHome(t)
			loggedInProfile(t, srv.URL, filepath.Join(h.config, "kakao-auth"), "default")
			c, stdout, stderr := startExec(t, h, nil)
			waitForText(t, "the command", stdout, "ready\n")
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := exitCodeOf(t, c); code != 7 {
				t.Errorf("exit %d, want the command's 7; stderr:\n%s", code, stderr.String())
			}
			if got, want := stdout.String(), "ready\ngot "+name+"\n"; got != want {
				t.Errorf("the command printed %q, want %q", got, want)
			}
			if stderr.String() != "" {
				t.Errorf("stderr = %q, want nothing", stderr.String())
			}
		})
	}
}

// startExecOnTTY starts "kakao-auth exec -- <signal recorder>" as a real
// process on a pseudo-terminal, the foreground of a session of its own, as
// a shell runs a command, and waits until the recorder is ready. It
// returns the terminal's other side (what is typed goes in there) and the
// lines that reached the terminal.
func startExecOnTTY(t *testing.T, srvURL string) (*exec.Cmd, *os.File, *lockedBuffer) {
	t.Helper()
	h := newHome(t)
	loggedInProfile(t, srvURL, filepath.Join(h.config, "kakao-auth"), "default")
	c := execCommand([]string{"exec", "--", os.Args[0], signalRecorderArg}, h, []string{quickExit()}, "")
	c.Stdin = nil            // the terminal, as stdout and stderr
	tty, err := pty.Start(c) // a session of its own, with the pty as its terminal
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait(); tty.Close() })
	var out lockedBuffer
	go func() {
		r := bufio.NewReader(tty)
		for {
			line, err := r.ReadString('\n')
			out.Write([]byte(strings.TrimRight(line, "\r\n") + "\n"))
			if err != nil {
				return
			}
		}
	}()
	waitForText(t, "the terminal", &out, "ready\n")
	return c, tty, &out
}

// Ctrl-C (and Ctrl-\) typed at the terminal signals the terminal's whole
// foreground process group: the command gets it once.
func TestExec_KeysTypedAtTheTerminalReachTheCommandOnce(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	for _, key := range []struct {
		name string
		char string
	}{{"SIGINT", "\x03"}, {"SIGQUIT", "\x1c"}} {
		t.Run(key.name, func(t *testing.T) {
			c, tty, out := startExecOnTTY(t, srv.URL)
			if _, err := tty.Write([]byte(key.char)); err != nil {
				t.Fatal(err)
			}
			if code := exitCodeOf(t, c); code != 7 {
				t.Errorf("exit %d, want the command's 7; terminal:\n%s", code, out.String())
			}
			if got := strings.Count(out.String(), "got "+key.name); got != 1 {
				t.Errorf("the command got %s %d times, want once; terminal:\n%s", key.name, got, out.String())
			}
		})
	}
}

// In a terminal's foreground, a SIGINT or SIGQUIT sent to kakao-auth's
// pid (kill -INT) is not a key typed at the terminal: it reaches the
// command, once, as every signal sent to kakao-auth does. (It was once
// taken for a typed Ctrl-C, which reaches the command by itself, and
// dropped: the command ran on.)
func TestExec_SignalsSentToKakaoAuthOnATerminalReachTheCommand(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM} {
		name := unix.SignalName(sig)
		t.Run(name, func(t *testing.T) {
			c, _, out := startExecOnTTY(t, srv.URL)
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			timer := time.AfterFunc(5*time.Second, func() { c.Process.Kill() })
			start := time.Now()
			code := exitCodeOf(t, c)
			timer.Stop()
			if took := time.Since(start); code != 7 || took > 4*time.Second {
				t.Errorf("exit %d %v after kill -%s, want the command's 7 at once; terminal:\n%s", code, took.Round(time.Millisecond), strings.TrimPrefix(name, "SIG"), out.String())
			}
			if got := strings.Count(out.String(), "got "+name); got != 1 {
				t.Errorf("the command got %s %d times, want once; terminal:\n%s", name, got, out.String())
			}
		})
	}
}

// An interrupt while the token is still being refreshed ends the run
// there: the command never starts.
func TestExec_InterruptBeforeTheCommandStartsRunsNothing(t *testing.T) {
	emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	h := newHome(t)
	loggedInProfile(t, srv.URL, filepath.Join(h.config, "kakao-auth"), "default") // expired
	emu.SetTokenDelay(time.Hour)
	c, stdout, stderr := startExec(t, h, nil)
	for deadline := time.Now().Add(20 * time.Second); emu.TokenRequestsWaiting() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the refresh never reached the emulator; stderr:\n%s", stderr.String())
		}
	}
	c.Process.Signal(syscall.SIGINT)
	if code := exitCodeOf(t, c); code != ExitCancelled {
		t.Errorf("exit %d, want %d", code, ExitCancelled)
	}
	if got := stderr.String(); got != "kakao-auth: error: exec interrupted\n" {
		t.Errorf("stderr = %q", got)
	}
	if stdout.String() != "" {
		t.Errorf("the command ran: %q", stdout.String())
	}
}
