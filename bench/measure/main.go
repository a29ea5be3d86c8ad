// Command measure is the timing helper of bench/run.sh. It runs commands
// repeatedly, interleaved run by run so that noise on a shared machine hits
// every command alike, and prints medians, spreads and ratios against
// baselines measured in the same run.
//
//	measure run      [flags] NAME ARGV... [:: NAME ARGV...]...   time commands one at a time
//	measure burst    [flags] NAME ARGV... [:: NAME ARGV...]...   time N concurrent copies of each
//	measure benchsum [flags] < go-test-output                    summarise repeated go test -bench lines
//	measure expire   FILE                                        move a token record's expiry into the past
//	measure inittrace [flags] PROGRAM ARGS...                     package init costs (GODEBUG=inittrace=1), medians
//	measure perfsum  [flags] < perf-script-output                 CPU time per phase of start-up, from perf record -g
//
// In burst, a command named @count is not burst: it runs before and after
// each burst and prints a number (e.g. the emulator's refreshes), and
// -want NAME=K requires every burst of NAME to raise it by exactly K.
//
// Wall time is taken with time.Now around exec.Cmd Start and Wait, so it
// includes the launch (fork/exec) cost, which is the same for every command.
// Peak RSS is the child's rusage ru_maxrss (KiB on Linux). Go starts
// children with vfork (CLONE_VM), and the kernel then counts the parent's
// own resident set into the child's ru_maxrss, so that figure can never be
// below this helper's RSS (the "launcher floor", printed with the results);
// a median at the floor is shown as "≤". When GNU time is installed, extra
// untimed runs under it (a small C parent that uses fork) give the "RSS
// (fork)" column, which has no such floor. To keep the floor low (about
// 4 MiB) this helper imports the standard library and internal/privfile
// only, and no networking packages: net/http alone raises the floor to
// about 7 MiB. bench/webget does the HTTP.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"
)

// errFailed means a correctness check failed; its FAIL lines are printed.
var errFailed = errors.New("a check failed (see the FAIL lines)")

func main() {
	// Garbage is collected only between timed runs (see collect), and the
	// heap stays small: this process's RSS is the floor of the children's
	// ru_maxrss (see the package comment).
	debug.SetGCPercent(-1)
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "run":
		err = cmdRun(args)
	case "burst":
		err = cmdBurst(args)
	case "benchsum":
		err = cmdBenchsum(args)
	case "expire":
		err = cmdExpire(args)
	case "inittrace":
		err = cmdInittrace(args)
	case "perfsum":
		err = cmdPerfsum(args)
	default:
		usage()
	}
	switch {
	case errors.Is(err, errFailed):
		os.Exit(3)
	case err != nil:
		fmt.Fprintf(os.Stderr, "measure %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: measure run|burst|benchsum|expire|inittrace|perfsum ... (see bench/README.md)")
	os.Exit(2)
}
