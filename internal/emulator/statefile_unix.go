//go:build unix

package emulator

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a state file others may read or write, or that
// belongs to someone else: it holds signing keys and live tokens.
func checkPrivate(fi fs.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("is readable or writable by others (mode %04o); chmod 600 it", perm)
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Getuid() {
		return fmt.Errorf("belongs to user %d, not to you", st.Uid)
	}
	return nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
