//go:build unix

package cmd

import (
	"os"
	"os/signal"
	"syscall"
)

// How exec's command gets its signals, on Unix: kakao-auth becomes the
// command (execve(2)) once the token is ready, so the command has
// kakao-auth's process id, process group and terminal, and every signal
// reaches it exactly as if the person had started it directly: a Ctrl-C or
// Ctrl-\ typed at the terminal once (the kernel signals the foreground
// process group, and kakao-auth is no longer in it), a kill sent to
// kakao-auth's pid once, a Ctrl-Z stops it and the shell's job control
// works, and the shell sees its exit status or the signal that ended it.
// aws-vault exec and assume-role do the same.
//
// A parent that stays to pass signals on cannot do as well. It must tell a
// typed Ctrl-C (which reached the command too) from a kill -INT sent to it
// alone (which did not), and Go's signal package does not say who sent a
// signal: sudo reads si_code from its siginfo (SI_KERNEL for a key typed at
// the terminal), and signalfd would need the signal blocked in every thread
// of the Go runtime. Guessing from the terminal's foreground group took
// kill -INT for a typed Ctrl-C and dropped it. Moving the command to a
// process group of its own, in the terminal's foreground (as sudo does
// with a pty), puts the rest of a pipeline (kakao-auth exec … | less) in
// the background, and needs kakao-auth to follow the command's stops and
// continues for Ctrl-Z. Nothing kakao-auth does after the command ends
// needs it to stay: the token is stored (and a rotated refresh token
// written) before the command starts, and every file it opened closes on
// exec.

// replaceProcess replaces the process with the command at path. The
// signals caught for Ctrl-C are let go first: Go then puts back a SIGINT or
// SIGHUP that whoever started kakao-auth ignored (as sh does for a
// background job, and nohup), which execve passes on, so the command
// ignores it too, as it would have without kakao-auth. It returns only
// when the command cannot be run.
func replaceProcess(path string, args, env []string) error {
	signal.Reset()
	return syscall.Exec(path, args, env)
}

// forwardedSignals are the signals exec passes on to its command when it
// runs it as a child (the in-process runs of Main in tests, which must not
// be replaced).
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// reachesCommandItself is false here: a child of kakao-auth gets every
// signal kakao-auth gets. Only runs that cannot replace the process take
// this path (see replaceProcess).
func reachesCommandItself(os.Signal, int) bool { return false }
