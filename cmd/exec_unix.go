//go:build unix

package cmd

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are the signals exec passes on to its command.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// reachesCommandItself reports whether sig, which kakao-auth got, reached
// the command (process pid) too, without kakao-auth passing it on: Ctrl-C
// and Ctrl-\ typed at a terminal signal its whole foreground process
// group, and when that is kakao-auth's and the command's, passing the
// signal on would signal the command twice (sudo makes the same exception
// without a pty). Any other signal, or one that came while kakao-auth or
// the command is not in the foreground, was sent to kakao-auth alone.
func reachesCommandItself(sig os.Signal, pid int) bool {
	if sig != syscall.SIGINT && sig != syscall.SIGQUIT {
		return false
	}
	tty, err := unix.Open("/dev/tty", unix.O_RDONLY|unix.O_NOCTTY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return false // no controlling terminal: nothing typed reaches us
	}
	defer unix.Close(tty)
	fg, err := unix.IoctlGetInt(tty, unix.TIOCGPGRP)
	if err != nil {
		return false
	}
	cmdGroup, err := unix.Getpgid(pid)
	return err == nil && fg == unix.Getpgrp() && fg == cmdGroup
}
