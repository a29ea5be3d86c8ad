package authflow

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// reflowTerm is a terminal that rewraps its lines when it is resized, as
// most do now (VTE, kitty, iTerm2, Windows Terminal): it keeps logical
// lines, each shown in rows of the current width, and the cursor's place
// in its logical line. CR goes to the start of the cursor's row, ESC [ K
// erases to the end of that row, ESC [ J erases from the cursor to the
// end of the screen; other CSI sequences are ignored.
type reflowTerm struct {
	width int
	lines [][]rune
	line  int // the cursor's logical line
	off   int // and its place in it
}

func newReflowTerm(width int) *reflowTerm { return &reflowTerm{width: width, lines: [][]rune{nil}} }

func (t *reflowTerm) write(out string) {
	for i := 0; i < len(out); {
		r, size := utf8.DecodeRuneInString(out[i:])
		i += size
		switch {
		case r == '\r':
			t.off -= t.off % t.width
		case r == '\n':
			t.line++
			t.off = 0
			if t.line == len(t.lines) {
				t.lines = append(t.lines, nil)
			}
		case r == 0x1b && i < len(out) && out[i] == '[':
			j := i + 1
			for j < len(out) && (out[j] < 0x40 || out[j] > 0x7e) {
				j++
			}
			cur := t.lines[t.line]
			switch {
			case j >= len(out):
			case out[j] == 'K':
				end := min(t.off-t.off%t.width+t.width, len(cur))
				for k := t.off; k < end; k++ {
					cur[k] = ' '
				}
				if end == len(cur) && t.off < len(cur) {
					t.lines[t.line] = cur[:t.off]
				}
			case out[j] == 'J':
				if t.off < len(cur) {
					t.lines[t.line] = cur[:t.off]
				}
				t.lines = t.lines[:t.line+1]
			}
			i = j + 1
		case r < 0x20:
		default:
			cur := t.lines[t.line]
			for len(cur) <= t.off {
				cur = append(cur, ' ')
			}
			cur[t.off] = r
			t.lines[t.line] = cur
			t.off++
		}
	}
}

// rows is the screen: each logical line in rows of the width.
func (t *reflowTerm) rows() []string {
	var rows []string
	for _, l := range t.lines {
		for len(l) > t.width {
			rows = append(rows, string(l[:t.width]))
			l = l[t.width:]
		}
		rows = append(rows, strings.TrimRight(string(l), " "))
	}
	return rows
}

// Narrowing the terminal while the spinner runs leaves none of its line
// behind, on a terminal that rewraps the line it showed at the old width.
func TestLogin_NarrowingARewrappingTerminalLeavesNoSpinnerBehind(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	var width atomic.Int32
	width.Store(120)
	h.opts.Width = func() int { return int(width.Load()) }
	agree := h.person(emulator.Agree)
	var resizedAt atomic.Int64
	h.opts.Open = func(ctx context.Context, url string) error {
		for !strings.Contains(h.stderr.String(), "Ctrl-C to cancel") {
			time.Sleep(10 * time.Millisecond)
		}
		// The terminal rewraps at the moment it narrows: what was written
		// until then was shown at 120 columns.
		resizedAt.Store(int64(len(h.stderr.String())))
		width.Store(30)
		n := strings.Count(h.stderr.String(), "⠋") + strings.Count(h.stderr.String(), "⠙")
		for strings.Count(h.stderr.String(), "⠋")+strings.Count(h.stderr.String(), "⠙") < n+2 {
			time.Sleep(10 * time.Millisecond)
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	out := h.stderr.String()
	term := newReflowTerm(120)
	term.write(out[:resizedAt.Load()])
	term.width = 30
	term.write(out[resizedAt.Load():])
	for _, row := range term.rows() {
		if strings.Contains(row, "Waiting") || strings.Contains(row, "left") || strings.ContainsAny(row, string(spinnerFrames)) {
			t.Errorf("the screen keeps a piece of the spinner: %q\n%s", row, strings.Join(term.rows(), "\n"))
		}
	}
}

// On a narrow terminal the wait screen's prose breaks at spaces, never in
// a word; only an indented URL, to be copied whole, may run past the edge.
func TestLogin_ProseOnANarrowTerminalBreaksAtSpaces(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Width = func() int { return 50 }
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		for !strings.Contains(h.stderr.String(), "⠙") {
			time.Sleep(10 * time.Millisecond)
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(h.stderr.String(), "\n") {
		if i := strings.LastIndex(line, "\r"); i >= 0 {
			line = line[i+1:]
		}
		if n := utf8.RuneCountInString(line); n >= 50 && !strings.HasPrefix(line, " ") {
			t.Errorf("a %d-column line on a 50-column terminal: %q", n, line)
		}
	}
}
