//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package emulator

import "os"

// lockStateFile opens the lock file without locking it: two emulators on
// one state file are not caught here.
func lockStateFile(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
}
