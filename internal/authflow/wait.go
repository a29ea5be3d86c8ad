package authflow

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// wait blocks until a state-matching callback arrives, the timeout passes
// or ctx is cancelled. Meanwhile it owns the terminal: it shows progress
// (a spinner, or one line), the notes about refused callbacks, a failed
// browser launch and the switch to the paste prompt.
func (l *login) wait(ctx context.Context) (callback, error) {
	o := l.o
	deadline := time.Now().Add(o.Timeout)
	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()
	defer l.spin.stop()
	if !l.pasting {
		l.showWaiting()
	}
	for {
		select {
		case cb := <-l.srv.handler.results:
			// Notes queued before the answer came are still news.
			l.showNotes()
			return cb, nil
		case err := <-l.pasted:
			if !errors.Is(err, errStdinClosed) || !l.srv.listening() {
				return callback{}, err
			}
			l.pasting = false
			l.out.endLine()
			fmt.Fprintf(l.out, "kakao-auth: the paste prompt is closed (end of input); still waiting for the browser to come back to %s (Ctrl-C to cancel)\n", l.srv.uri)
			l.spin.start()
		case err := <-l.launched:
			l.launched = nil
			if err != nil && ctx.Err() == nil {
				if err := l.launchFailed(err); err != nil {
					return callback{}, err
				}
			}
		case <-l.link.reusedC():
			return callback{}, &StartReusedError{What: "login"}
		case err := <-l.srv.guard.refusedC():
			return callback{}, err
		case err := <-l.srv.failed:
			return callback{}, err
		case note := <-l.srv.handler.refusals:
			l.showNote(note)
		case <-timer.C:
			return callback{}, &TimeoutError{After: o.Timeout, AuthURL: o.AuthURL, RedirectURI: l.srv.uri}
		case <-ctx.Done():
			return callback{}, ErrCancelled
		case <-l.spin.tick():
			l.spin.draw(time.Until(deadline).Round(time.Second))
		}
	}
}

// showWaiting starts the spinner, or says once what the login waits for
// where no spinner can run.
func (l *login) showWaiting() {
	if !l.spin.start() {
		fmt.Fprintf(l.out, "Waiting for the browser to come back to %s (timeout %s)...\n", l.srv.uri, l.o.Timeout)
	}
}

// showNote prints a note about a refused callback on a line of its own.
func (l *login) showNote(note string) {
	l.spin.clear()
	l.out.endLine()
	fmt.Fprintln(l.out, note)
}

// showNotes prints the notes still queued.
func (l *login) showNotes() {
	for {
		select {
		case note := <-l.srv.handler.refusals:
			l.showNote(note)
		default:
			return
		}
	}
}
