package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// callKeyring runs one go-keyring call in a goroutine and waits at most d
// for it (and no longer than ctx), because go-keyring takes no context and
// a Secret Service call can hang for good: a dead D-Bus peer, an unlock
// prompt nobody answers.
//
// The result is the call's own when it is nil or keyring.ErrNotFound. Any
// other failure, and running out of time, is an *UnavailableError: go-keyring
// has no typed error for "no keyring here", so anything but "not found" has
// to count. A cancelled ctx gives ctx's error, so Ctrl-C is not reported as
// a broken keyring.
//
// A call that runs out of time is abandoned, not stopped: it may still
// finish later. Its goroutine then exits on its own (the channel has room).
func callKeyring[T any](ctx context.Context, d time.Duration, op string, call func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := call()
		done <- result{v, err}
	}()

	timer := time.NewTimer(d)
	defer timer.Stop()
	var zero T
	select {
	case res := <-done:
		if res.err == nil || errors.Is(res.err, keyring.ErrNotFound) {
			return res.v, res.err
		}
		return zero, &UnavailableError{Backend: BackendKeyring, Op: op, Err: res.err}
	case <-timer.C:
		return zero, &UnavailableError{Backend: BackendKeyring, Op: op,
			Err: fmt.Errorf("no answer within %v: %w", d, context.DeadlineExceeded)}
	case <-ctx.Done():
		return zero, fmt.Errorf("keyring %s: %w", op, ctx.Err())
	}
}
