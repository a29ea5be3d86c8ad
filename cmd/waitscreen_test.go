//go:build unix

package cmd

import (
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// The tests here run kakao-auth on a pseudo-terminal and look at what a
// person would see: the wait screen of a login.

// emulatorWait is a login against the built-in emulator whose browser
// opens fine but never comes back, so the login waits until timeout.
func emulatorWait(t *testing.T, timeout string) []string {
	return []string{"login", "--emulator", "--redirect-uri", freeRedirect(t),
		"--browser-command", "true", "--timeout", timeout}
}

// noLauncher is a PATH without xdg-open or any browser on it.
const noLauncher = "PATH=/nonexistent/kakao-auth-test"

// headlessEnv is the environment of a machine without a display.
func headlessEnv(*testing.T) []string {
	return []string{"DISPLAY=", "WAYLAND_DISPLAY=", "SSH_CONNECTION=", noLauncher}
}

func TestLogin_SpinnerFitsANarrowTerminal(t *testing.T) {
	for _, cols := range []int{50, 30} {
		t.Run(strconv.Itoa(cols)+" columns", func(t *testing.T) {
			t.Parallel() // each waits out its timeout
			r := startOnTTY(t, newHome(t), cols, []string{"TERM=xterm-256color"}, nil, emulatorWait(t, "2s")...)
			code, out := r.exit(t)
			if code != ExitFailure {
				t.Fatalf("exit code %d, want %d (timeout):\n%s", code, ExitFailure, out)
			}
			frames := redraws(out)
			if len(frames) < 5 {
				t.Fatalf("%d spinner redraws in 2 s, want a spinner:\n%q", len(frames), out)
			}
			for _, f := range frames {
				if n := utf8.RuneCountInString(f); n >= cols {
					t.Errorf("a spinner line is %d columns wide on a %d-column terminal: %q", n, cols, f)
					break
				}
			}
			s := replay(cols, out)
			if n := s.linesWith("Waiting"); n != 0 {
				t.Errorf("%d stale spinner lines left on the screen:\n%s", n, s)
			}
			if hint := lineWith(out, "kakao-auth: hint:"); !strings.Contains(hint, "--no-browser") {
				t.Errorf("the timeout hint %q does not mention --no-browser", hint)
			}
		})
	}
}

func TestLogin_SpinnerFollowsAResize(t *testing.T) {
	r := startOnTTY(t, newHome(t), 120, []string{"TERM=xterm"}, nil, emulatorWait(t, "20s")...)
	r.waitForCount(t, spinnerErase, 3)
	if err := pty.Setsize(r.tty, &pty.Winsize{Cols: 40, Rows: 40}); err != nil {
		t.Fatal(err)
	}
	mark := len(r.out.String())
	r.waitForCount(t, spinnerErase, strings.Count(r.out.String(), spinnerErase)+3)
	r.cmd.Process.Signal(os.Interrupt) // not a typed Ctrl-C: its echo would lengthen the last line
	code, out := r.exit(t)
	if code != ExitCancelled {
		t.Errorf("exit code %d after Ctrl-C, want %d", code, ExitCancelled)
	}
	after := redraws(out[mark:])
	if len(after) < 3 {
		t.Fatalf("redraws after the resize: %q", after)
	}
	// The first may have measured the old width.
	for _, f := range after[1:] {
		if n := utf8.RuneCountInString(f); n >= 40 {
			t.Errorf("after the resize to 40 columns a spinner line is %d wide: %q", n, f)
		}
	}
}

func TestLogin_NoRedrawsWhereTheTerminalCannotDoThem(t *testing.T) {
	tests := []struct {
		name   string
		env    []string
		stderr bool // stderr is a pipe, not the terminal
	}{
		{name: "TERM=dumb", env: []string{"TERM=dumb"}},
		{name: "TERM unset", env: []string{"TERM="}},
		{name: "stderr a pipe", env: []string{"TERM=xterm"}, stderr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel() // each waits out its timeout
			var pipe lockedBuffer
			prepare := func(c *exec.Cmd) {
				if tt.stderr {
					c.Stderr = &pipe
				}
			}
			r := startOnTTY(t, newHome(t), 80, append(tt.env, "NO_COLOR=1"), prepare, emulatorWait(t, "1s")...)
			code, out := r.exit(t)
			if tt.stderr {
				out = pipe.String()
			}
			if code != ExitFailure {
				t.Fatalf("exit code %d, want %d (timeout):\n%s", code, ExitFailure, out)
			}
			if strings.Contains(out, "\x1b") || strings.Contains(strings.ReplaceAll(out, "\r\n", "\n"), "\r") {
				t.Errorf("escape sequences or carriage returns where they cannot work:\n%q", out)
			}
			if !strings.Contains(out, "Waiting for the browser to come back to") {
				t.Errorf("no one-line waiting message:\n%s", out)
			}
		})
	}
}

func TestLogin_LauncherOutputStaysOffTheScreen(t *testing.T) {
	t.Run("launch works", func(t *testing.T) {
		t.Parallel() // each waits out its timeout
		noisy := `sh -c 'echo "Gtk-Message: Failed to load module" >&2; echo "[1234:5678:ERROR:bus.cc(407)] Failed to connect to the bus"' browser`
		args := append(emulatorWait(t, "1s"), "--browser-command", noisy)
		r := startOnTTY(t, newHome(t), 80, []string{"TERM=xterm"}, nil, args...)
		_, out := r.exit(t)
		if strings.Contains(out, "Gtk-Message") || strings.Contains(out, "Failed to connect") {
			t.Errorf("the launcher's output reached the screen:\n%s", replay(80, out))
		}
	})
	t.Run("launch fails", func(t *testing.T) {
		t.Parallel()
		// Not --emulator: it would press Agree itself.
		base, redirect := approvingKakao(t)
		failing := `sh -c 'echo "www-browser: not found" >&2; printf "\033]0;owned\007 title set\n" >&2; exit 3' browser`
		args := loginArgs(base, redirect, "--browser-command", failing, "--timeout", "1s")
		r := startOnTTY(t, newHome(t), 80, []string{"TERM=xterm"}, nil, args...)
		_, out := r.exit(t)
		s := replay(80, out)
		if strings.Contains(out, "\x1b]") {
			t.Errorf("the launcher's escape sequence reached the terminal:\n%q", out)
		}
		found := false
		for _, l := range s.text() {
			if strings.Contains(l, "www-browser: not found") {
				found = true
				if strings.TrimSpace(l) != "www-browser: not found" {
					t.Errorf("the launcher's output shares a line: %q", l)
				}
			}
		}
		if !found || !strings.Contains(out, `\x1b]0;owned\x07 title set`) {
			t.Errorf("the failed launcher's output is not shown (safely) on its own lines:\n%s", s)
		}
	})
}

func TestLogin_NoBrowserHereSwitchesToThePastePrompt(t *testing.T) {
	tests := []struct {
		name   string
		env    func(t *testing.T) []string
		flags  []string
		reason string
	}{
		{
			name:   "no display",
			env:    headlessEnv,
			reason: "DISPLAY",
		},
		{
			name: "over SSH",
			env: func(t *testing.T) []string {
				return append(headlessEnv(t), "DISPLAY=:0", "SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22")
			},
			reason: "SSH",
		},
		{
			name:   "launcher fails",
			env:    func(*testing.T) []string { return []string{"DISPLAY=:0", "SSH_CONNECTION="} },
			flags:  []string{"--browser-command", "false"},
			reason: "could not open a browser",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.reason == "DISPLAY" && runtime.GOOS != "linux" {
				t.Skip("DISPLAY matters where xdg-open opens the browser")
			}
			base, redirect := approvingKakao(t)
			r := startOnTTY(t, newHome(t), 120, append(tt.env(t), "TERM=xterm"), nil, loginArgs(base, redirect, tt.flags...)...)
			out := r.waitFor(t, "Paste the address here")
			if !strings.Contains(out, tt.reason) {
				t.Errorf("the switch to the paste prompt does not say why (%s):\n%s", tt.reason, replay(120, out))
			}
			r.press(t, approvedAddress(t, authURLOn(out))+"\n")
			code, out := r.exit(t)
			if code != ExitOK || !strings.Contains(out, "Logged in") {
				t.Errorf("exit code %d, want %d after the paste:\n%s", code, ExitOK, replay(120, out))
			}
		})
	}
}

func TestLogin_NoBrowserAndNoTerminalOnStdinJustWaits(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DISPLAY matters where xdg-open opens the browser")
	}
	base, redirect := approvingKakao(t)
	noStdin := func(c *exec.Cmd) {
		c.Stdin = strings.NewReader("")
		c.SysProcAttr = &syscall.SysProcAttr{Ctty: 1} // stdout is the terminal
	}
	r := startOnTTY(t, newHome(t), 120, append(headlessEnv(t), "TERM=xterm"), noStdin, loginArgs(base, redirect, "--timeout", "1s")...)
	code, out := r.exit(t)
	if code != ExitFailure || authURLOn(out) == "" || strings.Contains(out, "Paste the address") {
		t.Errorf("exit code %d, want %d (timeout), the URL and no paste prompt:\n%s", code, ExitFailure, replay(120, out))
	}
}

func TestLogin_EmulatorWithoutABrowserStillAgreesByItself(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DISPLAY matters where xdg-open opens the browser")
	}
	args := []string{"login", "--emulator", "--redirect-uri", freeRedirect(t), "--timeout", "20s"}
	r := startOnTTY(t, newHome(t), 120, append(headlessEnv(t), "TERM=xterm"), nil, args...)
	code, out := r.exit(t)
	if code != ExitOK || !strings.Contains(out, "pressing Agree") || strings.Contains(out, "Paste the address") {
		t.Errorf("exit code %d; want the emulator to press Agree, and no paste prompt:\n%s", code, replay(120, out))
	}
}

// lineWith returns the first line of raw terminal output holding text.
func lineWith(out, text string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}

// pastePromptLogins are the two ways to the paste prompt while the
// listener runs: --no-browser, and a terminal where no browser can open.
var pastePromptLogins = []struct {
	name  string
	env   []string
	flags []string
}{
	{name: "--no-browser", env: []string{"SSH_CONNECTION="}, flags: []string{"--no-browser"}},
	{name: "over SSH", env: []string{"DISPLAY=:0", "SSH_CONNECTION=192.0.2.1 50000 192.0.2.2 22", noLauncher}},
}

func TestLogin_CtrlDAtThePastePromptKeepsTheListenerWaiting(t *testing.T) {
	for _, tt := range pastePromptLogins {
		t.Run(tt.name, func(t *testing.T) {
			base, redirect := approvingKakao(t)
			r := startOnTTY(t, newHome(t), 120, append(tt.env, "TERM=xterm"), nil, loginArgs(base, redirect, tt.flags...)...)
			out := r.waitFor(t, "Paste the address here")
			r.press(t, "\x04")
			r.waitFor(t, "still waiting")
			if _, err := (&emulator.UserAgent{Decision: emulator.Agree}).Visit(t.Context(), authURLOn(out)); err != nil {
				t.Fatal(err)
			}
			code, out := r.exit(t)
			s := replay(120, out)
			if code != ExitOK || !strings.Contains(out, "Logged in") {
				t.Fatalf("exit code %d after the browser came back, want %d:\n%s", code, ExitOK, s)
			}
			closed, _ := s.lineStarting("kakao-auth: the paste prompt is closed")
			if !strings.Contains(closed, "still waiting") {
				t.Errorf("Ctrl-D at the prompt does not say that the listener still waits:\n%s", s)
			}
			if _, ok := s.lineStarting("Logged in"); !ok {
				t.Errorf("the success message does not start a line:\n%s", s)
			}
		})
	}
}

func TestLogin_CtrlCAtThePastePromptStartsTheErrorOnANewLine(t *testing.T) {
	for _, tt := range pastePromptLogins {
		t.Run(tt.name, func(t *testing.T) {
			base, redirect := approvingKakao(t)
			r := startOnTTY(t, newHome(t), 120, append(tt.env, "TERM=xterm"), nil, loginArgs(base, redirect, tt.flags...)...)
			r.waitFor(t, "Paste the address here")
			r.press(t, "http://half-typed\x03")
			code, out := r.exit(t)
			s := replay(120, out)
			if code != ExitCancelled {
				t.Errorf("exit code %d after Ctrl-C, want %d:\n%s", code, ExitCancelled, s)
			}
			if _, ok := s.lineStarting("kakao-auth: error: login cancelled"); !ok {
				t.Errorf("the error does not start a line of its own:\n%s", s)
			}
		})
	}
}
