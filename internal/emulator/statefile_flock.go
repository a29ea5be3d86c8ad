//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package emulator

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// lockStateFile takes an exclusive lock on path for as long as the
// returned file stays open. A lock file of another user is refused, named
// with its owner: in a shared directory it may be anyone's, and "in use by
// another emulator" would send the person looking for an emulator of
// their own that is not there.
func lockStateFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil && errors.Is(err, fs.ErrPermission) && !ownedByMe(fi) {
			return nil, foreignLock(path, fi)
		}
		return nil, fmt.Errorf("lock file: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if !ownedByMe(fi) {
		f.Close()
		return nil, foreignLock(path, fi)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w (%s is locked%s)", ErrStateFileInUse, path, lockHolder(fi))
		}
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	return f, nil
}

func foreignLock(path string, fi fs.FileInfo) error {
	return fmt.Errorf("%w: %s belongs to %s, not to you", ErrLockFileForeign, path, ownerName(fi))
}
