package cmd

import (
	"testing"

	"golang.org/x/sys/unix"
)

// watchOpens reports, each time it is called, whether anyone has opened
// path since watchOpens was called (Linux inotify).
func watchOpens(t *testing.T, path string) func() bool {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if _, err := unix.InotifyAddWatch(fd, path, unix.IN_OPEN); err != nil {
		t.Fatal(err)
	}
	return func() bool {
		var buf [4096]byte
		n, _ := unix.Read(fd, buf[:])
		return n > 0
	}
}
