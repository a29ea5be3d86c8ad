package authflow

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// spinnerLines returns the spinner lines in out.
func spinnerLines(out string) []string {
	var lines []string
	for _, p := range strings.Split(out, clearLine)[1:] {
		if p = strings.TrimSuffix(p, "\r"); p != "" && !strings.HasPrefix(p, "kakao-auth:") {
			lines = append(lines, p)
		}
	}
	return lines
}

func TestLogin_SpinnerFitsTheTerminalAsItIsResized(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	var width atomic.Int32
	width.Store(120)
	h.opts.Width = func() int { return int(width.Load()) }
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		for _, w := range []int32{120, 50, 20, 8} {
			width.Store(w)
			n := strings.Count(h.stderr.String(), clearLine)
			for strings.Count(h.stderr.String(), clearLine) < n+3 {
				time.Sleep(10 * time.Millisecond)
			}
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	lines := spinnerLines(h.stderr.String())
	if len(lines) < 12 {
		t.Fatalf("%d spinner lines, want a few at each width:\n%q", len(lines), h.stderr)
	}
	longest := 0
	for _, l := range lines {
		longest = max(longest, utf8.RuneCountInString(l))
	}
	if last := lines[len(lines)-1]; longest < 50 || utf8.RuneCountInString(last) > 7 {
		t.Errorf("spinner lines do not follow the width: longest %d, last %q", longest, last)
	}
	if strings.Contains(h.stderr.String(), "Waiting for the browser to come back") {
		t.Error("the one-line message was printed on a terminal")
	}
}

func TestSpinnerLine_FitsEveryWidth(t *testing.T) {
	for width := 0; width <= 100; width++ {
		for _, left := range []time.Duration{3 * time.Second, 2*time.Minute + 59*time.Second, 9*time.Hour + 59*time.Minute} {
			line := spinnerLine(7, left, width)
			if n := utf8.RuneCountInString(line); n >= max(width, 1) {
				t.Errorf("spinnerLine(width %d, %s) = %q, %d columns", width, left, line, n)
			}
			if width >= 40 && !strings.Contains(line, "left") {
				t.Errorf("spinnerLine(width %d) = %q drops the time left", width, line)
			}
		}
	}
}

func TestLogin_UnknownWidthGetsOneLine(t *testing.T) {
	for name, width := range map[string]func() int{"no width": nil, "width 0": func() int { return 0 }} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, emulator.Config{})
			h.opts.Width = width
			agree := h.person(emulator.Agree)
			h.opts.Open = func(ctx context.Context, url string) error {
				for !strings.Contains(h.stderr.String(), "Waiting for the browser to come back") {
					time.Sleep(10 * time.Millisecond)
				}
				return agree(ctx, url)
			}
			if _, err := Login(t.Context(), h.opts); err != nil {
				t.Fatal(err)
			}
			if strings.ContainsAny(h.stderr.String(), "\r\x1b") {
				t.Errorf("redraws without a terminal width:\n%q", h.stderr)
			}
		})
	}
}

// launchError is a failed launch like internal/browser's, whose launcher
// printed something hostile.
type launchError struct{}

func (launchError) Error() string { return "open the default browser: exit status 3" }

func (launchError) LauncherOutput() string {
	return "xdg-open: no method available for opening 'http://…'\r\n\x1b]0;owned\x07\n\n"
}

// fallback sets up a login with a terminal to paste into, and returns the
// writer for the person's keys and the login's outcome.
func fallback(t *testing.T, h *harness) (io.WriteCloser, <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	h.opts.PasteFallback = pr
	h.opts.Width = func() int { return 80 }
	done := make(chan error, 1)
	go func() {
		_, err := Login(t.Context(), h.opts)
		done <- err
	}()
	return pw, done
}

func waitForText(t *testing.T, h *harness, text string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(h.stderr.String(), text) {
			return
		}
	}
	t.Fatalf("never saw %q:\n%s", text, h.stderr)
}

func TestLogin_FailedLaunchSwitchesToThePastePrompt(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.Open = func(context.Context, string) error { return launchError{} }
	pw, done := fallback(t, h)
	waitForText(t, h, "Paste the address here")
	io.WriteString(pw, approve(t, authURLFrom(h.stderr.String()))+"\n")
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v\n%s", err, h.stderr)
	}
	out := h.stderr.String()
	for _, want := range []string{
		"\nkakao-auth: warning: could not open a browser: open the default browser: exit status 3\n",
		"\n  xdg-open: no method available for opening 'http://…'\n  \\x1b]0;owned\\x07\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%q", want, out)
		}
	}
	if strings.Contains(out, "\x1b]") || strings.Contains(out, "\r\n") {
		t.Errorf("the launcher's output reached stderr unescaped:\n%q", out)
	}
}

func TestLogin_FailedLaunchWithoutATerminalJustWaits(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.Timeout = 500 * time.Millisecond
	h.opts.Open = func(context.Context, string) error { return launchError{} }
	var te *TimeoutError
	if _, err := Login(t.Context(), h.opts); !errors.As(err, &te) {
		t.Fatalf("Login() = %v, want a timeout", err)
	}
	if out := h.stderr.String(); !strings.Contains(out, "Open this URL in a browser yourself") || authURLFrom(out) == "" || strings.Contains(out, "Paste the address") {
		t.Errorf("want the warning and no paste prompt:\n%s", out)
	}
}

func TestLogin_NoBrowserReasonPromptsAndTheListenerStillWaits(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.NoBrowserReason = "neither DISPLAY nor WAYLAND_DISPLAY is set"
	h.opts.Open = func(context.Context, string) error { t.Error("Open was called"); return nil }
	_, done := fallback(t, h)
	waitForText(t, h, "Paste the address here")
	if _, err := (&emulator.UserAgent{}).Visit(t.Context(), authURLFrom(h.stderr.String())); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v\n%s", err, h.stderr)
	}
	out := h.stderr.String()
	if !strings.HasPrefix(out, "No browser can be opened here: neither DISPLAY nor WAYLAND_DISPLAY is set.\n") {
		t.Errorf("the login does not say why no browser opens:\n%s", out)
	}
	if !strings.HasSuffix(out, "Paste the address here and press Enter: \n") {
		t.Errorf("the prompt's line is not ended when the listener answers:\n%q", out)
	}
	h.assertCleanedUp(t)
}

func TestLogin_EndOfPasteInputKeepsTheListenerWaiting(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	pw, done := pasteHarness(t, h)
	url := waitForURL(t, h)
	pw.Close() // Ctrl-D
	waitForText(t, h, "still waiting")
	if _, err := (&emulator.UserAgent{}).Visit(t.Context(), url); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v\n%s", err, h.stderr)
	}
	if !strings.Contains(h.stderr.String(), "Paste the address here and press Enter: \nkakao-auth: the paste prompt is closed") {
		t.Errorf("the end of input is not said on a line of its own:\n%q", h.stderr)
	}
}

func TestLogin_CancelAtThePromptEndsItsLine(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	h.opts.Paste = pr
	done := make(chan error, 1)
	go func() {
		_, err := Login(ctx, h.opts)
		done <- err
	}()
	waitForText(t, h, "Paste the address here")
	cancel() // Ctrl-C
	if err := <-done; !errors.Is(err, ErrCancelled) {
		t.Fatalf("Login() = %v, want ErrCancelled", err)
	}
	if !strings.HasSuffix(h.stderr.String(), "press Enter: \n") {
		t.Errorf("what follows the login would share the prompt's line:\n%q", h.stderr)
	}
}

func TestLogin_WhatOpenSaysGetsALineOfItsOwn(t *testing.T) {
	const said = "No browser could be opened; pressing Agree for you."
	h := newHarness(t, emulator.Config{})
	h.opts.Width = func() int { return 80 }
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		for strings.Count(h.stderr.String(), clearLine) < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		io.WriteString(Messages(ctx, nil), said+"\n")
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(h.stderr.String(), "\n") {
		if strings.Contains(line, said) {
			parts := strings.Split(line, clearLine)
			if shown := parts[len(parts)-1]; shown != said {
				t.Errorf("the message shares its line on the screen: %q", line)
			}
			return
		}
	}
	t.Errorf("the message is missing:\n%q", h.stderr)
}
