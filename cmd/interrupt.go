package cmd

import (
	"context"
	"slices"
	"sync"

	"github.com/spf13/cobra"
)

// Ctrl-C and SIGTERM cancel the context of the command that runs, so it
// ends cleanly: a login removes its session file and frees its port, a
// refresh lets go of the profile's lock, and the error names what was
// interrupted (exit 3).
//
// Catching them costs a goroutine and a thread blocked on signals, which is
// a tenth of the start-up of "kakao-auth token" (bench/README.md). So Main
// catches them at once for every command but token (and help, --version
// and completion, which only print), and token catches them only when it
// starts something that waits or must not be cut short:
// a keyring call, the profile's lock and refresh, the env-only refresh. A
// valid token read from the file store is two small reads and a print; a
// Ctrl-C there ends the process at once, as it ends cat, with nothing held
// and nothing half-written.

// interruptsAnnotation on a command says it calls catchInterrupts itself,
// when it needs to.
const (
	interruptsAnnotation = "kakao-auth/interrupts"
	interruptsOnDemand   = "on-demand"
)

// interrupts connects a command's context to the signals, once asked.
type interrupts struct {
	once   sync.Once
	catch  func(cancel context.CancelFunc) (stop func())
	cancel context.CancelFunc
	stop   func()
}

type interruptsKey struct{}

// withInterrupts returns ctx, cancelled by Ctrl-C or SIGTERM once
// catchInterrupts is called with it, and the function that cancels it and
// stops catching. catch is Deps.CatchInterrupts (nil: catch nothing).
func withInterrupts(ctx context.Context, catch func(context.CancelFunc) func()) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	in := &interrupts{catch: catch, cancel: cancel}
	return context.WithValue(ctx, interruptsKey{}, in), func() {
		in.once.Do(func() {}) // too late to start catching
		if in.stop != nil {
			in.stop()
		}
		cancel()
	}
}

// catchInterrupts makes Ctrl-C and SIGTERM cancel ctx from now on, if
// ctx came from withInterrupts; calling it again does nothing.
func catchInterrupts(ctx context.Context) {
	in, _ := ctx.Value(interruptsKey{}).(*interrupts)
	if in == nil || in.catch == nil {
		return
	}
	in.once.Do(func() { in.stop = in.catch(in.cancel) })
}

// catchesInterruptsAtStart reports whether c, the command a command line
// runs, has Ctrl-C caught from its start: the commands of the tree (see
// commands) do, unless they catch it on demand; the root (--version,
// --help), help, its topics and completion only print.
func catchesInterruptsAtStart(c *cobra.Command) bool {
	if c.Annotations[interruptsAnnotation] == interruptsOnDemand {
		return false
	}
	for ; c.HasParent(); c = c.Parent() {
		if !c.Parent().HasParent() {
			return slices.ContainsFunc(commands, func(e command) bool { return e.name == c.Name() })
		}
	}
	return false
}
