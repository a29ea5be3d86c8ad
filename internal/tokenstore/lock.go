package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"time"

	"github.com/gofrs/flock"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// lockRetry is how often Lock tries again while another process holds the
// lock: short next to a refresh, long enough not to spin.
const lockRetry = 15 * time.Millisecond

// LockTimeoutError reports a profile lock still held by someone else after
// waiting the allowed time.
type LockTimeoutError struct {
	Profile string
	Waited  time.Duration
}

// Error names the profile and how long Lock waited.
func (e *LockTimeoutError) Error() string {
	return fmt.Sprintf("profile %q is locked by another kakao-auth (waited %v)", e.Profile, e.Waited)
}

// Hint says what is probably going on.
func (e *LockTimeoutError) Hint() string {
	return "another kakao-auth is writing this profile (a refresh, login, logout or scopes revoke); try again in a moment"
}

// Lock takes the cross-process lock of profile, waiting at most wait, so
// that only one process at a time writes the profile (a refresh: read →
// refresh → write). It
// locks the dedicated file LocksDir/<profile>.lock (created 0600 in a 0700
// directory, never removed: removing a lock file lets two processes lock
// different files). The lock file is never opened through a link: one is
// refused with a *privfile.InsecureError. Running out of time gives a
// *LockTimeoutError.
// The returned func releases the lock; calling it again does nothing.
func Lock(ctx context.Context, p Paths, profile string, wait time.Duration) (unlock func() error, err error) {
	if p.Root == "" {
		return nil, errors.New("profile lock: no config directory")
	}
	path, err := profileFile(p.LocksDir(), profile, ".lock")
	if err != nil {
		return nil, fmt.Errorf("profile lock: %w", err)
	}
	if err := privfile.EnsureDir(p.LocksDir()); err != nil {
		return nil, fmt.Errorf("lock directory: %w", err)
	}

	fl := flock.New(path, flock.SetPermissions(0o600), flock.SetFlag(lockOpenFlag()))
	ok, err := tryLock(ctx, fl, wait)
	if ok {
		err = checkLocked(fl, path)
		if err != nil {
			fl.Unlock()
			ok = false
		}
	} else if err != nil {
		err = refuseLink(path, err)
	}
	switch {
	case ok:
		var once sync.Once
		var uerr error
		return func() error {
			once.Do(func() { uerr = fl.Unlock() })
			return uerr
		}, nil
	case ctx.Err() != nil:
		return nil, fmt.Errorf("lock profile %q: %w", profile, ctx.Err())
	case err == nil || errors.Is(err, context.DeadlineExceeded):
		return nil, &LockTimeoutError{Profile: profile, Waited: wait}
	default:
		return nil, fmt.Errorf("lock profile %q: %w", profile, err)
	}
}

// checkLocked makes sure the file fl locked is the regular file at path,
// not something a link led to (where the open could not refuse links).
func checkLocked(fl *flock.Flock, path string) error {
	got, err := fl.Stat()
	if err != nil {
		return err
	}
	at, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !got.Mode().IsRegular() || !os.SameFile(got, at) {
		return &privfile.InsecureError{Path: path, Reason: "not a regular file", LockFile: !at.IsDir()}
	}
	return nil
}

// refuseLink turns the failure to open a lock file that is a link into a
// *privfile.InsecureError; the errno for it varies by system.
func refuseLink(path string, err error) error {
	if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return &privfile.InsecureError{Path: path, Reason: "not a regular file but a symbolic link", LockFile: true}
	}
	return err
}

// tryLock tries fl until it is locked or wait has passed; a wait of zero
// or less means one try.
func tryLock(ctx context.Context, fl *flock.Flock, wait time.Duration) (bool, error) {
	if wait <= 0 {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		return fl.TryLock()
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	return fl.TryLockContext(wctx, lockRetry)
}
