//go:build unix

package cmd

import (
	"strconv"
	"syscall"
	"testing"
)

// deadPort is a loopback TCP port where nothing listens and nothing else
// can start to, for as long as t runs: a socket bound to it that never
// listens holds it, so a connect there is refused, and no later pick of a
// free port (a test's redirect, a listener's :0) can land on it, as it
// could on a port just closed. The socket is closed when t ends.
func deadPort(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatalf("dead port: socket: %v", err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatalf("dead port: bind: %v", err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatalf("dead port: getsockname: %v", err)
	}
	in4, ok := sa.(*syscall.SockaddrInet4)
	if !ok {
		t.Fatalf("dead port: bound to %T", sa)
	}
	return strconv.Itoa(in4.Port)
}
