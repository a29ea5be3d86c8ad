//go:build unix

package cmd

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/creack/pty"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// ttyRun is a real kakao-auth process whose stdin, stdout and stderr are
// a pseudo-terminal (unless the test gave one of them something else),
// with everything that reached the terminal kept.
type ttyRun struct {
	cmd  *exec.Cmd
	tty  *os.File // the terminal's other side: what a person types goes in here
	out  lockedBuffer
	read chan struct{} // closed once the terminal is gone
}

// startOnTTY starts kakao-auth in home h on a terminal cols wide. c may be
// changed by prepare before the start (to give stderr a pipe, say).
func startOnTTY(t *testing.T, h home, cols int, env []string, prepare func(*exec.Cmd), args ...string) *ttyRun {
	t.Helper()
	c := execCommand(args, h, env, "")
	c.Stdin = nil // the terminal
	if prepare != nil {
		prepare(c)
	}
	f, err := pty.StartWithSize(c, &pty.Winsize{Cols: uint16(cols), Rows: 40})
	if err != nil {
		t.Fatal(err)
	}
	r := &ttyRun{cmd: c, tty: f, read: make(chan struct{})}
	go func() {
		io.Copy(&r.out, f) // ends with EIO once the process is gone
		close(r.read)
	}()
	t.Cleanup(func() {
		c.Process.Kill()
		c.Wait()
		f.Close()
	})
	return r
}

// waitFor waits until text reached the terminal, and returns everything
// that had by then.
func (r *ttyRun) waitFor(t *testing.T, text string) string {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if out := r.out.String(); strings.Contains(out, text) {
			return out
		}
	}
	t.Fatalf("never saw %q on the terminal:\n%q", text, r.out.String())
	return ""
}

// waitForCount waits until text reached the terminal n times.
func (r *ttyRun) waitForCount(t *testing.T, text string, n int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Count(r.out.String(), text) >= n {
			return
		}
	}
	t.Fatalf("saw %q fewer than %d times on the terminal:\n%q", text, n, r.out.String())
}

// press sends keys as typed at the terminal (0x03 is Ctrl-C, 0x04 Ctrl-D).
func (r *ttyRun) press(t *testing.T, keys string) {
	t.Helper()
	if _, err := io.WriteString(r.tty, keys); err != nil {
		t.Fatal(err)
	}
}

// exit waits for the process and returns its exit code and all that
// reached the terminal.
func (r *ttyRun) exit(t *testing.T) (int, string) {
	t.Helper()
	err := r.cmd.Wait()
	select {
	case <-r.read:
	case <-time.After(5 * time.Second): // a child (the browser) holds the terminal
	}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return ee.ExitCode(), r.out.String()
	case err != nil:
		t.Fatal(err)
	}
	return 0, r.out.String()
}

// authURLOn fishes the authorize URL out of terminal output.
func authURLOn(out string) string {
	for _, f := range strings.Fields(out) {
		if strings.Contains(f, "/oauth/authorize?") {
			return f
		}
	}
	return ""
}

// approvedAddress plays a person approving on another device: it follows
// the authorize URL up to the redirect and returns the address the
// browser ends on, without going there.
func approvedAddress(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Fatalf("authorize answered %s without a redirect", resp.Status)
	}
	return loc
}

// approvingKakao is an emulator that approves at once, with a registered
// loopback redirect URI; it returns its base URL and that URI.
func approvingKakao(t *testing.T) (string, string) {
	t.Helper()
	redirect := freeRedirect(t)
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
	return base, redirect
}

// screen replays terminal output the way a terminal of the given width
// shows it: printable characters advance the cursor and wrap at the right
// margin, CR returns to column 0, LF goes down a line, ESC [ K erases to
// the end of the line, ESC [ J to the end of the screen, and other CSI
// sequences are ignored. Nothing
// scrolls away: every line ever used is kept.
type screen struct {
	width    int
	lines    [][]rune
	row, col int
	wrapped  int // lines begun by running past the right margin
}

func replay(width int, out string) *screen {
	s := &screen{width: width, lines: [][]rune{nil}}
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		i += size
		switch {
		case r == '\r':
			s.col = 0
		case r == '\n':
			s.down()
		case r == 0x1b && i < len(out) && out[i] == '[':
			j := i + 1
			for j < len(out) && (out[j] < 0x40 || out[j] > 0x7e) {
				j++
			}
			if j < len(out) && (out[j] == 'K' || out[j] == 'J') {
				line := s.lines[s.row]
				if s.col < len(line) {
					s.lines[s.row] = line[:s.col]
				}
			}
			if j < len(out) && out[j] == 'J' {
				for k := s.row + 1; k < len(s.lines); k++ {
					s.lines[k] = nil
				}
			}
			i = j + 1
		case r < 0x20 || r == 0x7f:
		default:
			if s.col == s.width {
				s.down()
				s.col = 0
				s.wrapped++
			}
			line := s.lines[s.row]
			for len(line) <= s.col {
				line = append(line, ' ')
			}
			line[s.col] = r
			s.lines[s.row] = line
			s.col++
		}
	}
	return s
}

func (s *screen) down() {
	s.row++
	if s.row == len(s.lines) {
		s.lines = append(s.lines, nil)
	}
}

// text is the screen's lines, trailing blanks trimmed.
func (s *screen) text() []string {
	var out []string
	for _, l := range s.lines {
		out = append(out, strings.TrimRight(string(l), " "))
	}
	return out
}

// String shows the screen in a failure message.
func (s *screen) String() string { return strings.Join(s.text(), "\n") }

// linesWith counts the screen lines holding text.
func (s *screen) linesWith(text string) int {
	n := 0
	for _, l := range s.text() {
		if strings.Contains(l, text) {
			n++
		}
	}
	return n
}

// lineStarting returns the first screen line that starts with prefix.
func (s *screen) lineStarting(prefix string) (string, bool) {
	for _, l := range s.text() {
		if strings.HasPrefix(l, prefix) {
			return l, true
		}
	}
	return "", false
}

// spinnerErase is what the login's spinner starts each frame with: back
// to the start of its line, and erase from there to the end of the screen.
const spinnerErase = "\r\x1b[J"

// redraws returns the spinner lines drawn in place in out: from
// spinnerErase and a spinner frame up to the next CR or LF.
func redraws(out string) []string {
	var got []string
	parts := strings.Split(out, spinnerErase)
	for _, p := range parts[1:] {
		if i := strings.IndexAny(p, "\r\n"); i >= 0 {
			p = p[:i]
		}
		if r, _ := utf8.DecodeRuneInString(p); r >= 0x2800 && r <= 0x28ff { // braille: the frames
			got = append(got, p)
		}
	}
	return got
}

func TestScreen_ReplaysWrapsAndRedraws(t *testing.T) {
	s := replay(10, "hello\r\n0123456789abc\r\x1b[Kxy\r\nend")
	want := []string{"hello", "0123456789", "xy", "end"}
	if got := s.text(); strings.Join(got, "|") != strings.Join(want, "|") || s.wrapped != 1 {
		t.Errorf("screen = %q (%d wraps), want %q (1 wrap)", got, s.wrapped, want)
	}
}
