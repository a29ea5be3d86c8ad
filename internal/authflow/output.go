package authflow

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// clearLine returns to the start of the line and erases from there to the
// end of the screen: the spinner's line and, where the terminal rewrapped
// it into several rows when it was narrowed, the rows below (the spinner
// leaves the cursor at the start of its line, which a rewrapping terminal
// keeps at the start of the first row). Only a terminal that understands
// it gets it (Options.Width); the spinner's line is always the last one.
const clearLine = "\r\033[J"

// What the cursor's line holds after the last write.
const (
	lineEmpty   = iota
	lineSpinner // a spinner frame, redrawn in place
	lineOpen    // text that awaits more, such as a prompt
)

// gatedWriter serialises the messages of a login's goroutines (browser
// launch, paste reader, spinner) and drops any that come after the login
// returned, so nothing is printed once the command has moved on. It gives
// every message a line of its own: one written while a spinner frame is
// shown replaces it, and one written after a prompt starts below it.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
	line   int
	// width, when set, is the terminal's width: messages are wrapped to
	// it at spaces, so that the terminal never splits a word.
	width func() int
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || len(p) == 0 {
		return len(p), nil
	}
	if p[0] != '\r' {
		switch g.line {
		case lineSpinner:
			io.WriteString(g.w, clearLine)
		case lineOpen:
			io.WriteString(g.w, "\n")
		}
	}
	switch {
	case bytes.HasSuffix(p, []byte("\n")), bytes.HasSuffix(p, []byte(clearLine)):
		g.line = lineEmpty
	case bytes.HasPrefix(p, []byte(clearLine)):
		g.line = lineSpinner
	default:
		g.line = lineOpen
	}
	// A diagnostic ("kakao-auth: warning: …") stays one line, as the
	// command's own error and hint lines are, for those who grep them.
	if p[0] != '\r' && g.width != nil && !bytes.HasPrefix(p, []byte("kakao-auth:")) {
		if _, err := io.WriteString(g.w, termtext.Wrap(string(p), g.width())); err != nil {
			return 0, err
		}
		return len(p), nil
	}
	return g.w.Write(p)
}

// endLine ends a line left open, such as the paste prompt's.
func (g *gatedWriter) endLine() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.line == lineOpen && !g.closed {
		io.WriteString(g.w, "\n")
	}
	g.line = lineEmpty
}

// lineEnded notes that the line was ended on the terminal: the echo of
// the Enter that sent a pasted line.
func (g *gatedWriter) lineEnded() {
	g.mu.Lock()
	g.line = lineEmpty
	g.mu.Unlock()
}

// close ends a line left open (the error or message that follows the
// login starts on a line of its own) and drops every later message.
func (g *gatedWriter) close() {
	g.endLine()
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

type messagesKey struct{}

// Messages returns the writer for messages to the person from code the
// login calls while it waits (Options.Open gets it through its ctx): what
// is written there gets a line of its own, off the spinner's and the
// prompt's. Outside a login it returns fallback.
func Messages(ctx context.Context, fallback io.Writer) io.Writer {
	if w, ok := ctx.Value(messagesKey{}).(io.Writer); ok {
		return w
	}
	return fallback
}
