package neterr

import "syscall"

var (
	refusedErrnos   = []syscall.Errno{wsaeconnrefused, syscall.ECONNREFUSED}
	addrInUseErrnos = []syscall.Errno{wsaeaddrinuse, syscall.EADDRINUSE}
)
