//go:build !unix

package privfile

import (
	"fmt"
	"io/fs"
	"os"
)

// openPrivate opens path for reading and checks the file it got. Without
// O_NOFOLLOW, the path is checked first and the open file compared with it;
// a file replaced in between (WriteAtomic's rename) is checked again.
func openPrivate(path string) (*os.File, error) {
	for range 5 {
		fi, err := os.Lstat(path)
		if err != nil {
			return nil, err
		}
		if !fi.Mode().IsRegular() {
			return nil, &InsecureError{Path: path, Reason: "not a regular file"}
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		if got, err := f.Stat(); err == nil && os.SameFile(fi, got) {
			if err := checkOpened(path, f); err != nil {
				f.Close()
				return nil, err
			}
			return f, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("%s kept changing while being opened; try again", path)
}

// checkPrivate has nothing to check where permission bits do not exist: on
// Windows the per-user profile directory's ACL protects the files.
func checkPrivate(string, fs.FileInfo, fs.FileMode) error { return nil }

// syncDir is a no-op where directories cannot be synced.
func syncDir(string) {}
