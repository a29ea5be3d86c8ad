// Package cmd is kakao-auth's command line: one file per command, one exit
// point (Main) that maps errors to exit codes and hints.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/authflow"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// Exit codes, documented in the README.
const (
	ExitOK            = 0
	ExitFailure       = 1
	ExitUsage         = 2
	ExitCancelled     = 3 // denied in the browser or interrupted
	ExitLoginRequired = 4
)

// version is set at build time with -ldflags "-X …/cmd.version=v1.2.3".
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

// NewRootCmd builds the command tree.
func NewRootCmd(d *Deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "kakao-auth",
		Short: "Log in to Kakao from a terminal and hand the tokens to people, scripts and CI",
		Long: `kakao-auth logs you into Kakao (Kakao Login, REST API) from a terminal.

It opens Kakao's login page in your browser, catches the answer on a local
listener at your app's registered redirect URI, and exchanges it for tokens,
with state and PKCE on every login.

Try it with no Kakao app at all, against the built-in emulator:

  kakao-auth login --emulator`,
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(d.Stdin)
	root.SetOut(d.Stdout)
	root.SetErr(d.Stderr)
	root.SetVersionTemplate("kakao-auth {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, hint: usageHint(c)}
	})
	root.AddCommand(
		NewLoginCmd(d, nil),
		NewTokenCmd(d, nil),
		NewRefreshCmd(d, nil),
		NewStatusCmd(d, nil),
		NewLogoutCmd(d, nil),
		NewExportCmd(d, nil),
		NewExecCmd(d, nil),
		NewUserinfoCmd(d, nil),
		NewAPICmd(d, nil),
		NewScopesCmd(d, nil),
		NewEmulatorCmd(d, nil),
	)
	setUpHelp(root, d)
	return root
}

// usageHint is the hint of a usage error of c: where its usage is.
func usageHint(c *cobra.Command) string {
	return fmt.Sprintf("run %q for usage", c.CommandPath()+" --help")
}

// noArgs refuses positional arguments with a usage error.
func noArgs(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef(usageHint(c), "unexpected argument %q", args[0])
	}
	return nil
}

// Main runs the command line and returns the process exit code.
func Main(ctx context.Context, args []string, d *Deps) int {
	root := NewRootCmd(d)
	root.SetArgs(args)
	c, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	printError(d.Stderr, c.Name(), err)
	return code
}

func exitCode(err error) int {
	var ue *usageError
	var denied *authflow.DeniedError
	var cancelled *cancelledError
	var status *exitStatusError
	switch {
	case errors.As(err, &status):
		return status.code
	case errors.As(err, &ue), isCobraUsage(err):
		return ExitUsage
	case errors.Is(err, authflow.ErrCancelled), errors.Is(err, context.Canceled), errors.As(err, &denied), errors.As(err, &cancelled):
		return ExitCancelled
	case errors.Is(err, ErrLoginRequired):
		return ExitLoginRequired
	}
	return ExitFailure
}

// isCobraUsage recognises the errors cobra makes itself for a bad command
// line (it has no typed errors for them).
func isCobraUsage(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "unknown flag") ||
		strings.HasPrefix(msg, "unknown shorthand flag") || strings.HasPrefix(msg, "invalid argument")
}

// printError is where every failure reaches a person. Errors carry outside
// text (Kakao's error texts, callback parameters, pasted addresses), so the
// message and the hint are each shown as one line with every control
// character made visible: nothing in them can move the cursor, erase a
// line or start a line of its own. Only cobra's usage errors, whose lines
// are cobra's own ("Did you mean this?"), keep their line breaks.
// An interrupt (Ctrl-C, SIGTERM) names what it interrupted: the command
// that ran.
func printError(w io.Writer, command string, err error) {
	if status := (*exitStatusError)(nil); errors.As(err, &status) && status.silent() {
		return
	}
	if errors.Is(err, authflow.ErrCancelled) || errors.Is(err, context.Canceled) {
		if command == "login" {
			fmt.Fprintln(w, "kakao-auth: error: login cancelled")
		} else {
			fmt.Fprintf(w, "kakao-auth: error: %s interrupted\n", command)
		}
		return
	}
	msg := termtext.Line(err.Error())
	if isCobraUsage(err) {
		msg = strings.TrimRight(termtext.Lines(err.Error()), "\n")
	}
	fmt.Fprintf(w, "kakao-auth: error: %s\n", msg)
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		fmt.Fprintf(w, "kakao-auth: hint: %s\n", termtext.Line(h.Hint()))
	} else if isCobraUsage(err) {
		fmt.Fprintln(w, `kakao-auth: hint: run "kakao-auth --help" for usage`)
	}
}
