//go:build unix

package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"syscall"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// openPrivate opens path for reading and checks the file it got. O_NOFOLLOW
// refuses a link in the open itself, and O_NONBLOCK keeps a planted FIFO
// from blocking the open; a regular file reads the same either way.
func openPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			// The errno for a link varies (ELOOP, EMLINK, EFTYPE): look.
			if fi, lerr := os.Lstat(path); lerr == nil && fi.Mode()&fs.ModeSymlink != 0 {
				return nil, &InsecureError{Path: path, Reason: "not a regular file but a symbolic link"}
			}
		}
		return nil, err
	}
	if err := checkOpened(path, f); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// checkPrivate refuses a file or directory that is not owned by this user or
// whose mode is not exactly want.
func checkPrivate(path string, fi fs.FileInfo, want fs.FileMode) error {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && int(st.Uid) != os.Geteuid() {
		return &InsecureError{Path: path, Reason: fmt.Sprintf("owned by uid %d, not by you", st.Uid)}
	}
	if got := fi.Mode().Perm(); got != want {
		return &InsecureError{Path: path, Reason: fmt.Sprintf("mode %#o, want %#o", got, want), Fix: termtext.Command("chmod", strconv.FormatUint(uint64(want), 8), path)}
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
