package enginetest

import "syscall"

// dieWithParent makes a daemon end with the test process, even when that is
// killed (a test timeout), so no stray bus or keyring outlives it.
func dieWithParent() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
