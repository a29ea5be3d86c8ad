//go:build linux

package emulator

import (
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// foreignUID is the user the tests hand files to: nobody on Debian.
const foreignUID = 65534

// A lock file that another user put in a shared directory, and holds,
// blocks the emulator; the error names that file and its owner, not "another
// emulator" the person could look for and never find.
func TestStateFile_ForeignLockFileNamesItsOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file to another user (uid 65534)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	lock := path + ".lock"
	f, err := os.OpenFile(lock, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Chown(foreignUID, foreignUID); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Config{}, path)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded beside another user's held lock file, want an error")
	}
	owner := strconv.Itoa(foreignUID)
	if u, err := user.LookupId(owner); err == nil {
		owner = u.Username
	}
	if !strings.Contains(err.Error(), lock) || !strings.Contains(err.Error(), owner) {
		t.Errorf("Open error = %v, want it to name %s and its owner %s", err, lock, owner)
	}
}
