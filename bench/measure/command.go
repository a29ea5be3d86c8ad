package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// command is one named command line.
type command struct {
	name string
	argv []string // argv[0] is an absolute path
}

// parseGroups reads "NAME ARGV... :: NAME ARGV...".
func parseGroups(args []string) ([]command, error) {
	var cmds []command
	var cur []string
	flush := func() error {
		if len(cur) < 2 {
			return fmt.Errorf("want NAME PROGRAM [ARGS...] per command, got %q", cur)
		}
		path, err := exec.LookPath(cur[1])
		if err != nil {
			return err
		}
		if path, err = filepath.Abs(path); err != nil {
			return err
		}
		if hasCommand(cmds, cur[0]) {
			return fmt.Errorf("command name %q used twice", cur[0])
		}
		cmds = append(cmds, command{name: cur[0], argv: append([]string{path}, cur[2:]...)})
		cur = nil
		return nil
	}
	for _, a := range args {
		if a == "::" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		cur = append(cur, a)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return cmds, nil
}

func hasCommand(cmds []command, name string) bool {
	return slices.ContainsFunc(cmds, func(c command) bool { return c.name == name })
}

// parseBaselines reads the -baseline flag: comma-separated names of cmds.
func parseBaselines(list string, cmds []command) ([]string, error) {
	var bases []string
	for _, b := range strings.Split(list, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if !hasCommand(cmds, b) {
			return nil, fmt.Errorf("baseline %q is not one of the commands", b)
		}
		bases = append(bases, b)
	}
	return bases, nil
}

// newCmd prepares one run of c with the given stdout and stderr files.
func newCmd(c command, stdout, stderr *os.File) *exec.Cmd {
	return &exec.Cmd{Path: c.argv[0], Args: c.argv, Stdout: stdout, Stderr: stderr}
}

// failure explains a failed run, with the command's stderr.
func failure(c command, err error, stderr []byte) error {
	msg := strings.TrimSpace(string(stderr))
	if len(msg) > 800 {
		msg = msg[:800] + "…"
	}
	return fmt.Errorf("%s (%s): %v\n%s", c.name, strings.Join(c.argv, " "), err, msg)
}

// rerunForStderr runs c once more to show why it failed: timed runs send
// stderr to /dev/null.
func rerunForStderr(c command, devnull *os.File, first error) error {
	var buf bytes.Buffer
	cmd := &exec.Cmd{Path: c.argv[0], Args: c.argv, Stdout: devnull, Stderr: &buf}
	_ = cmd.Run()
	return failure(c, first, buf.Bytes())
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }
