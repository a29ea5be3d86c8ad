//go:build !windows

package neterr

import "syscall"

var (
	refusedErrnos   = []syscall.Errno{syscall.ECONNREFUSED}
	addrInUseErrnos = []syscall.Errno{syscall.EADDRINUSE}
)
