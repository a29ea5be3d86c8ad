//go:build !linux

package enginetest

import "syscall"

// dieWithParent has no portable equivalent off Linux; stop still ends the
// daemons when the tests finish normally.
func dieWithParent() *syscall.SysProcAttr { return nil }
