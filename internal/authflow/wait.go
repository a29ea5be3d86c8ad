package authflow

import (
	"context"
	"fmt"
	"time"
)

var spinnerFrames = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// wait blocks until a state-matching callback arrives, the timeout passes or
// ctx is cancelled, showing progress and the notes about refused callbacks
// on stderr meanwhile.
func wait(ctx context.Context, o Options, srv *server, pasteErr <-chan error) (callback, error) {
	deadline := time.Now().Add(o.Timeout)
	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()

	var tick <-chan time.Time
	if o.Interactive && o.Paste == nil {
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		tick = t.C
		defer fmt.Fprint(o.Stderr, "\r\033[K")
	} else if o.Paste == nil {
		fmt.Fprintf(o.Stderr, "Waiting for the browser to come back to %s (timeout %s)...\n", srv.uri, o.Timeout)
	}
	for frame := 0; ; frame++ {
		select {
		case cb := <-srv.handler.results:
			return cb, nil
		case err := <-pasteErr:
			return callback{}, err
		case err := <-srv.failed:
			return callback{}, err
		case note := <-srv.handler.refusals:
			if tick != nil {
				fmt.Fprint(o.Stderr, "\r\033[K")
			}
			fmt.Fprintln(o.Stderr, note)
		case <-timer.C:
			return callback{}, &TimeoutError{After: o.Timeout}
		case <-ctx.Done():
			return callback{}, ErrCancelled
		case <-tick:
			left := time.Until(deadline).Round(time.Second)
			fmt.Fprintf(o.Stderr, "\r\033[K%c Waiting for you to log in in the browser (%s left, Ctrl-C to cancel)", spinnerFrames[frame%len(spinnerFrames)], left)
		}
	}
}
