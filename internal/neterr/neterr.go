// Package neterr tells socket errors apart the same way on every system.
// Windows reports a refused connect as WSAECONNREFUSED (10061) and a busy
// address as WSAEADDRINUSE (10048), while Go's syscall.ECONNREFUSED and
// syscall.EADDRINUSE there are numbers of their own that no socket call
// returns, and errors.Is does not map one to the other.
package neterr

import (
	"errors"
	"syscall"
)

// The Windows Sockets errnos (golang.org/x/sys/windows has them too).
const (
	wsaeaddrinuse   syscall.Errno = 10048
	wsaeconnrefused syscall.Errno = 10061
)

// Refused reports whether err, however wrapped, is a refused connect:
// nothing listens at the address.
func Refused(err error) bool { return is(err, refusedErrnos...) }

// AddrInUse reports whether err, however wrapped, is a listen on an
// address that something else holds.
func AddrInUse(err error) bool { return is(err, addrInUseErrnos...) }

// is reports whether err is one of errnos. The lists are per system, but
// this is not, so every system's list runs in the tests of any.
func is(err error, errnos ...syscall.Errno) bool {
	if err == nil {
		return false
	}
	for _, errno := range errnos {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
