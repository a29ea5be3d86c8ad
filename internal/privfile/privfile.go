// Package privfile reads and writes files that only their owner may see:
// mode 0600 in 0700 directories, written atomically, never through a link,
// and refused when their owner or mode is wrong.
package privfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// InsecureError reports a file or directory that others could read or have
// planted; it is never trusted.
type InsecureError struct {
	Path   string
	Reason string
}

func (e *InsecureError) Error() string {
	return fmt.Sprintf("refusing %s: %s", e.Path, e.Reason)
}

// Hint says how to recover.
func (e *InsecureError) Hint() string {
	return fmt.Sprintf("check who made %s; if it is yours, remove it (or fix its mode) and try again", e.Path)
}

// ErrTooLarge is returned by Read for a file over its size limit.
var ErrTooLarge = errors.New("file too large")

// EnsureDir creates dir with mode 0700 (and its parents as needed) and
// checks that an existing one is a real directory private to this user.
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !fi.IsDir() {
		return &InsecureError{Path: dir, Reason: "not a directory"}
	}
	return checkPrivate(dir, fi, 0o700)
}

// WriteAtomic writes data to path through a temp file in the same
// directory: mode 0600, synced, then renamed over path, so no reader ever
// sees half a file and a crash leaves the old content whole. An existing
// path that is not a regular file (a link, say) is refused, not replaced.
func WriteAtomic(path string, data []byte) (err error) {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return &InsecureError{Path: path, Reason: "not a regular file"}
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return err
	}
	if _, err = f.Write(data); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// Read returns the content of path after checking that it is a regular file
// (not a link), owned by this user, with mode 0600, and at most max bytes.
// A missing file gives an error satisfying errors.Is(err, fs.ErrNotExist).
func Read(path string, max int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &InsecureError{Path: path, Reason: "not a regular file"}
	}
	if err := checkPrivate(path, fi, 0o600); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file must still be the one just checked.
	if fi2, err := f.Stat(); err != nil || !os.SameFile(fi, fi2) {
		return nil, &InsecureError{Path: path, Reason: "it changed while being opened"}
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	return data, nil
}

// Remove deletes path; a missing file is not an error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
