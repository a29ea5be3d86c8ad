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
	"strings"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// InsecureError reports a file or directory that others could read or have
// planted; it is never trusted.
type InsecureError struct {
	Path   string
	Reason string
	// Fix is a command that makes it private again, when one can (a wrong
	// mode); empty otherwise.
	Fix string
	// LockFile says the refused path is a lock file, which holds nothing:
	// removing what is there loses nothing.
	LockFile bool
}

func (e *InsecureError) Error() string {
	return fmt.Sprintf("refusing %s: %s", e.Path, e.Reason)
}

// Hint says how to recover. It never says to delete a file that may hold
// the only copy of something (a rotated refresh token); the caller knows
// whether a command of its own can remove it safely. A lock file holds
// nothing, so there the hint gives the command that removes it.
func (e *InsecureError) Hint() string {
	switch {
	case e.Fix != "":
		return fmt.Sprintf(`if you changed it yourself, run "%s"; if not, find out who did`, e.Fix)
	case e.LockFile:
		what := "it"
		if strings.Contains(e.Reason, "link") {
			what = "the link itself"
		}
		return fmt.Sprintf("find out who made %s and why; once you know, remove %s (%s): a lock file holds nothing, so nothing is lost, and kakao-auth makes a new one", e.Path, what, termtext.Command("rm", e.Path))
	}
	return fmt.Sprintf("find out who made %s and why; kakao-auth neither uses nor replaces it", e.Path)
}

// ErrTooLarge is returned by Read for a file over its size limit.
var ErrTooLarge = errors.New("file too large")

// EnsureDir creates dir with mode 0700 (and its parents as needed) and
// checks that an existing one is a real directory private to this user.
func EnsureDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	_, err := CheckDir(dir)
	return err
}

// CheckDir checks, without creating or changing anything, that dir is a
// real directory (not a link to one) private to this user, and returns
// what it found. A missing dir gives an error satisfying
// errors.Is(err, fs.ErrNotExist).
func CheckDir(dir string) (fs.FileInfo, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return nil, &InsecureError{Path: dir, Reason: "not a directory but a symbolic link"}
	case !fi.IsDir():
		return nil, &InsecureError{Path: dir, Reason: "not a directory"}
	}
	if err := checkPrivate(dir, fi, 0o700); err != nil {
		return nil, err
	}
	return fi, nil
}

// WriteAtomic writes data to path through a temp file in the same
// directory: mode 0600, synced, then renamed over path, so no reader ever
// sees half a file and a crash leaves the old content whole. An existing
// path that is not a regular file (a link, say) is refused, not replaced.
//
// A temp file gone before its rename (a writer stalled past StaleTemp, so
// that another process's SweepTemps took it for a crashed write's) is
// written again, up to maxWriteAttempts times in all: the write may carry
// the only copy of a rotated refresh token.
func WriteAtomic(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
		return &InsecureError{Path: path, Reason: "not a regular file"}
	}
	var err error
	for range maxWriteAttempts {
		var swept bool
		if swept, err = writeOnce(path, data); !swept {
			break
		}
	}
	return err
}

// maxWriteAttempts bounds how often WriteAtomic writes again after its temp
// file was swept. One retry is what a stall takes; more means something
// keeps removing the files, and the error says so.
const maxWriteAttempts = 3

// writeOnce is one attempt of WriteAtomic. swept reports that the rename
// failed because the temp file, not the directory, was gone: the attempt
// may be made again.
func writeOnce(path string, data []byte) (swept bool, err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+"*")
	if err != nil {
		return false, err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return false, err
	}
	if _, err = f.Write(data); err != nil {
		return false, err
	}
	if err = f.Sync(); err != nil {
		return false, err
	}
	if err = f.Close(); err != nil {
		return false, err
	}
	if beforeRename != nil {
		beforeRename(f.Name())
	}
	if err = os.Rename(f.Name(), path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			// The directory being gone is no reason to try again; only
			// the temp file being gone from a directory still there is.
			_, tmpErr := os.Lstat(f.Name())
			_, dirErr := os.Lstat(dir)
			swept = errors.Is(tmpErr, fs.ErrNotExist) && dirErr == nil
		}
		return swept, err
	}
	syncDir(dir)
	return false, nil
}

// beforeRename, when set (by tests only), runs between WriteAtomic's temp
// file and its rename: the moment a sweep or a stall can come between.
var beforeRename func(tmp string)

// Read returns the content of path after checking the file it opened: a
// regular file (a link is refused, never followed), owned by this user,
// mode 0600, at most max bytes. The checks are made on the open file, not
// on the path, so a file that WriteAtomic replaces meanwhile is read whole,
// old or new, and never taken for tampering. A missing file gives an error
// satisfying errors.Is(err, fs.ErrNotExist).
func Read(path string, max int64) ([]byte, error) {
	f, err := openPrivate(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w", path, ErrTooLarge)
	}
	return data, nil
}

// checkOpened checks what f, opened from path, turned out to be.
func checkOpened(path string, f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &InsecureError{Path: path, Reason: "not a regular file"}
	}
	return checkPrivate(path, fi, 0o600)
}

// Remove deletes path; a missing file is not an error. A link at path is
// removed itself, but a link among its directories is followed: RemoveIn
// refuses those.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// RemoveIn deletes name from dir after checking dir as CheckDir does (a
// real directory, private to this user: else an *InsecureError and
// nothing removed), and only inside the directory it checked, so a link
// put in place of dir cannot lead it elsewhere. A missing file or dir is
// not an error.
func RemoveIn(dir, name string) error {
	root, err := OpenDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer root.Close()
	if err := root.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// OpenDir checks dir as CheckDir does and opens it as an os.Root,
// making sure the root is the directory it checked: os.OpenRoot follows a
// link, so one put in place of dir between the check and the open is
// caught here. A missing dir gives an error satisfying
// errors.Is(err, fs.ErrNotExist).
func OpenDir(dir string) (*os.Root, error) {
	fi, err := CheckDir(dir)
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	if got, err := root.Stat("."); err != nil || !os.SameFile(fi, got) {
		root.Close()
		return nil, &InsecureError{Path: dir, Reason: "it was replaced while being checked"}
	}
	return root, nil
}

// tempPrefix begins the name of every temp file WriteAtomic makes.
const tempPrefix = ".tmp-"

// StaleTemp is how old a temp file of WriteAtomic's must be for
// SweepTemps to take it for the leftover of a crashed write. A write takes
// milliseconds; a younger temp file may be another process's write in
// progress, and is left alone.
const StaleTemp = time.Minute

// SweepTemps removes from dir the temp files of writes that crashed before
// their rename: WriteAtomic's, older than StaleTemp, regular files only.
// They may hold a secret that a logout would otherwise leave behind. It
// checks dir first (a real directory, private to this user: else an
// *InsecureError and nothing removed), then works only inside the
// directory it checked, through an os.Root, so a link put in place of dir
// or of a file cannot lead it elsewhere. It returns how many it removed; a
// missing dir is not an error.
func SweepTemps(dir string) (int, error) {
	root, err := OpenDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer root.Close()
	d, err := root.Open(".")
	if err != nil {
		return 0, err
	}
	names, err := d.Readdirnames(-1)
	d.Close()
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, name := range names {
		if !strings.HasPrefix(name, tempPrefix) {
			continue
		}
		fi, err := root.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() || time.Since(fi.ModTime()) < StaleTemp {
			continue
		}
		if root.Remove(name) == nil {
			removed++
		}
	}
	return removed, nil
}
