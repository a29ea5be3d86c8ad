package browser

import (
	"os"
	"sync"
	"time"
)

// maxOutput bounds what is kept of a launcher's output: enough for its
// error message, not for a browser's log.
const maxOutput = 4 << 10

// outputWait bounds how long a failed launch waits for the last of its
// output: a child that still holds the pipe must not hold the login.
const outputWait = time.Second

// output is the stdout and stderr of a launcher and everything it starts.
// It is a pipe, not a buffer, so that exec hands the launcher the file
// itself and does not wait for a browser that inherited it to exit. The
// first maxOutput bytes are kept; the rest is read and dropped, so that a
// browser that keeps talking (chromium's D-Bus warnings) never blocks and
// is never shown.
type output struct {
	w      *os.File // the launcher's end
	closeW sync.Once
	done   chan struct{}

	mu   sync.Mutex
	kept []byte
}

func newOutput() (*output, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	o := &output{w: w, done: make(chan struct{})}
	go func() {
		defer close(o.done)
		defer r.Close()
		buf := make([]byte, 1024)
		for {
			n, err := r.Read(buf)
			o.keep(buf[:n])
			if err != nil {
				return
			}
		}
	}()
	return o, nil
}

func (o *output) keep(p []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if room := maxOutput - len(o.kept); room > 0 {
		o.kept = append(o.kept, p[:min(len(p), room)]...)
	}
}

// started closes this process's end once the launcher has its own.
func (o *output) started() { o.closeW.Do(func() { o.w.Close() }) }

// text returns what the launcher wrote, once every writer is done or
// outputWait has passed.
func (o *output) text() string {
	select {
	case <-o.done:
	case <-time.After(outputWait):
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	return string(o.kept)
}
