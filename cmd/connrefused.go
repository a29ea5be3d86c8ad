package cmd

import (
	"errors"
	"syscall"
)

// wsaeconnrefused is Windows' WSAECONNREFUSED, what a refused connect
// fails with there (golang.org/x/sys/windows.WSAECONNREFUSED). Go's
// syscall.ECONNREFUSED on Windows is a number of its own that no socket
// call returns, and errors.Is does not map one to the other.
const wsaeconnrefused syscall.Errno = 10061

// refusedConnect reports whether err is a refused connect (nothing listens
// at the address): syscall.ECONNREFUSED, or one of also, the errnos that
// mean the same on this system, however err wraps it. connRefused gives
// each system's also; this takes them as arguments so that every system's
// check runs in the tests of any.
func refusedConnect(err error, also ...syscall.Errno) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return true
	}
	for _, errno := range also {
		if errors.Is(err, errno) {
			return true
		}
	}
	return false
}
