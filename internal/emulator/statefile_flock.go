//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package emulator

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// lockStateFile takes an exclusive lock on path for as long as the
// returned file stays open.
func lockStateFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrStateFileInUse
		}
		return nil, fmt.Errorf("lock: %w", err)
	}
	return f, nil
}
