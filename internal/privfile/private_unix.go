//go:build unix

package privfile

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// checkPrivate refuses a file or directory that is not owned by this user or
// whose mode is not exactly want.
func checkPrivate(path string, fi fs.FileInfo, want fs.FileMode) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &InsecureError{Path: path, Reason: fmt.Sprintf("owned by uid %d, not by you", st.Uid)}
	}
	if got := fi.Mode().Perm(); got != want {
		return &InsecureError{Path: path, Reason: fmt.Sprintf("mode %#o, want %#o", got, want)}
	}
	return nil
}

// syncDir makes a rename durable; failure only weakens crash safety.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
