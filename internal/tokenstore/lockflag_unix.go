//go:build unix

package tokenstore

import (
	"os"
	"runtime"
	"syscall"
)

// lockOpenFlag opens a lock file without following a link (O_NOFOLLOW) or
// blocking on a FIFO (O_NONBLOCK); otherwise as gofrs/flock's default does:
// read-only, but read-write where an exclusive lock needs it.
func lockOpenFlag() int {
	access := os.O_RDONLY
	switch runtime.GOOS {
	case "aix", "solaris", "illumos":
		access = os.O_RDWR
	}
	return os.O_CREATE | access | syscall.O_NOFOLLOW | syscall.O_NONBLOCK
}
