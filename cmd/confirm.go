package cmd

import (
	"bufio"
	"errors"
	"fmt"
	"strings"
)

// confirm asks the person at the terminal a yes-or-no question on stderr,
// before something is replaced or withdrawn. --yes (yes) answers it ahead.
// Without a terminal on stdin nobody can answer, so it is a usage error
// saying what needed confirming (noTerminal) and that --yes does.
func confirm(d *Deps, yes bool, question, noTerminal string) error {
	if yes {
		return nil
	}
	if !d.StdinIsTerminal {
		return usagef("pass --yes to go ahead without a prompt", "%s, and stdin is not a terminal to ask on", noTerminal)
	}
	fmt.Fprintf(d.Stderr, "%s [y/N] ", question)
	answer, _ := bufio.NewReader(d.Stdin).ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
		return &cancelledError{errors.New("not confirmed; nothing was changed")}
	}
	return nil
}
