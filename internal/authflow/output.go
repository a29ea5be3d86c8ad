package authflow

import (
	"io"
	"sync"
)

// gatedWriter serialises the messages of a login's goroutines (browser
// opener, paste reader, spinner) and drops any that come after the login
// returned, so nothing is printed once the command has moved on.
type gatedWriter struct {
	mu     sync.Mutex
	w      io.Writer
	closed bool
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return len(p), nil
	}
	return g.w.Write(p)
}

func (g *gatedWriter) close() {
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}
