//go:build unix

package emulator

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// checkPrivate refuses a state file others may read or write, or that
// belongs to someone else: it holds signing keys and live tokens.
func checkPrivate(fi fs.FileInfo) error {
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return fmt.Errorf("is readable or writable by others (mode %04o); chmod 600 it", perm)
	}
	if !ownedByMe(fi) {
		return fmt.Errorf("belongs to %s, not to you", ownerName(fi))
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

// oNoFollow makes opening a symbolic link fail.
const oNoFollow = syscall.O_NOFOLLOW

// ownedByMe reports whether the caller owns the file.
func ownedByMe(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return !ok || int(st.Uid) == os.Getuid()
}

// ownerName names the file's owner as "user NAME (uid N)", or "uid N"
// when the name is unknown.
func ownerName(fi fs.FileInfo) string {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "another user"
	}
	uid := strconv.FormatUint(uint64(st.Uid), 10)
	if u, err := user.LookupId(uid); err == nil && u.Username != "" {
		return fmt.Sprintf("user %s (uid %s)", u.Username, uid)
	}
	return "uid " + uid
}
