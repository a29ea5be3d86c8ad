//go:build !unix

package cmd

import "os"

// replaceProcess is nil here: Windows has no execve, so exec runs its command
// as a child and waits for it.
var replaceProcess func(path string, args, env []string) error

// forwardedSignals are the signals exec catches while its command runs.
var forwardedSignals = []os.Signal{os.Interrupt}

// reachesCommandItself is always true here: Ctrl-C in a console reaches
// every process attached to it, the command included, and no other
// process can be sent one. exec only stays alive to wait for the command.
func reachesCommandItself(os.Signal, int) bool { return true }
