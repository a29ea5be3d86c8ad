// Package cmd is kakao-auth's command line: one file per command, one exit
// point (Main) that maps errors to exit codes and hints.
package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

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

// commands is every command of the tree, in the order of the help screen,
// with its help group. Main builds only the one a command line names;
// NewRootCmd builds them all.
var commands = []command{
	{"login", "login", func(d *Deps) *cobra.Command { return NewLoginCmd(d, nil) }},
	{"token", "tokens", func(d *Deps) *cobra.Command { return NewTokenCmd(d, nil) }},
	{"refresh", "tokens", func(d *Deps) *cobra.Command { return NewRefreshCmd(d, nil) }},
	{"status", "login", func(d *Deps) *cobra.Command { return NewStatusCmd(d, nil) }},
	{"logout", "login", func(d *Deps) *cobra.Command { return NewLogoutCmd(d, nil) }},
	{"export", "tokens", func(d *Deps) *cobra.Command { return NewExportCmd(d, nil) }},
	{"exec", "tokens", func(d *Deps) *cobra.Command { return NewExecCmd(d, nil) }},
	{"userinfo", "tokens", func(d *Deps) *cobra.Command { return NewUserinfoCmd(d, nil) }},
	{"api", "tokens", func(d *Deps) *cobra.Command { return NewAPICmd(d, nil) }},
	{"scopes", "tokens", func(d *Deps) *cobra.Command { return NewScopesCmd(d, nil) }},
	{"emulator", "emulator", func(d *Deps) *cobra.Command { return NewEmulatorCmd(d, nil) }},
	{"version", "other", func(d *Deps) *cobra.Command { return NewVersionCmd(d) }},
}

// command is one entry of commands.
type command struct {
	name, group string
	build       func(*Deps) *cobra.Command
}

// NewRootCmd builds the whole command tree, with help topics and shell
// completion: what help, completion and an unknown command need.
func NewRootCmd(d *Deps) *cobra.Command {
	root := newRoot(d)
	root.Version = versionString()
	for _, c := range commands {
		sub := c.build(d)
		sub.GroupID = c.group
		root.AddCommand(sub)
	}
	setUpHelp(root, d)
	return root
}

// newRoot is the root command alone.
func newRoot(d *Deps) *cobra.Command {
	root := &cobra.Command{
		Use:   "kakao-auth",
		Short: "Log in to Kakao from a terminal and hand the tokens to people, scripts and CI",
		Long: `kakao-auth logs you into Kakao (Kakao Login, REST API) from a terminal.

It opens Kakao's login page in your browser, catches the answer on a local
listener at your app's registered redirect URI, and exchanges it for tokens,
with state and PKCE on every login.

Try it with no Kakao app at all, against the built-in emulator:

  kakao-auth login --emulator`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		PersistentPreRunE: noEmptyFileFlag,
	}
	root.SetIn(d.Stdin)
	root.SetOut(d.Stdout)
	root.SetErr(d.Stderr)
	root.SetVersionTemplate("kakao-auth {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{err: err, hint: flagErrorHint(c, err), unparsed: true}
	})
	return root
}

// rootFor builds the tree as far as args need it. Scripts run "kakao-auth
// token" in loops, where building every command with all its flags is most
// of the work after Go's own start-up, so a command line that names a
// command (as cobra finds it: the first word that is not a flag) gets the
// root and that command alone; "--version" alone gets the root alone.
// Everything else, help, completion, an unknown or misspelt command (whose
// error suggests the right one), gets the whole tree. The command runs the
// same either way: its flags, help and errors are its own.
func rootFor(d *Deps, args []string) *cobra.Command {
	if len(args) == 1 && (args[0] == "--version" || args[0] == "-v") {
		root := newRoot(d)
		root.Version = versionString()
		return root
	}
	name := commandWord(args)
	for _, c := range commands {
		if c.name != name {
			continue
		}
		root := newRoot(d)
		for _, g := range helpGroups {
			if g.ID == c.group {
				root.AddGroup(g)
			}
		}
		sub := c.build(d)
		sub.GroupID = c.group
		root.AddCommand(sub)
		// "completion" and "__complete" build the whole tree.
		root.CompletionOptions.DisableDefaultCmd = true
		return root
	}
	return NewRootCmd(d)
}

// commandWord is the first word of args that is not a flag, as cobra's
// Find sees it on the root, which has no flags of its own then: "--flag"
// and "-f" take the next argument as their value, "--flag=v" and "-abc"
// do not, and "--" ends the search.
func commandWord(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return ""
		case strings.HasPrefix(a, "-") && !strings.Contains(a, "=") && (strings.HasPrefix(a, "--") || len(a) == 2):
			i++
		case a != "" && !strings.HasPrefix(a, "-"):
			return a
		}
	}
	return ""
}

// usageHint is the hint of a usage error of c: where its usage is.
func usageHint(c *cobra.Command) string {
	return "run " + termtext.Quoted(append(strings.Fields(c.CommandPath()), "--help")...) + " for usage"
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
	return execute(ctx, rootFor(d, args), args, d)
}

// execute runs args on the tree root and returns the exit code.
func execute(ctx context.Context, root *cobra.Command, args []string, d *Deps) int {
	ctx, stop := withInterrupts(ctx, d.CatchInterrupts)
	defer stop()
	found, _, findErr := root.Find(args)
	if findErr == nil && catchesInterruptsAtStart(found) {
		catchInterrupts(ctx)
	}
	// Whether a command with -o printed anything on stdout: a failure that
	// printed nothing gets the JSON error document (errorJSON). Commands
	// without -o keep stdout as it is (exec hands it to its command).
	var out *countingWriter
	if findErr == nil && outputFlag(found) != nil {
		out = &countingWriter{w: d.Stdout}
		d.Stdout = out
		defer func() { d.Stdout = out.w }()
	}
	root.SetArgs(args)
	c, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	code := exitCode(err)
	if out != nil && out.n == 0 && wantsJSON(c, err) {
		if msg, hint, ok := errorText(c.Name(), err); ok {
			// Best effort: stdout may be what failed.
			_ = writeJSON(d, errorJSON{Error: msg, Hint: hint})
		}
	}
	printError(d.Stderr, c.Name(), err)
	return code
}

// errorJSON is the document a command run with -o json prints on stdout
// when it fails, so that a script reading stdout always reads JSON: the
// error and its hint, as the error and hint lines on stderr say them (the
// exact text; JSON escapes what a terminal would obey). status's failure
// document is this one with fields of its own.
type errorJSON struct {
	Error string `json:"error"`
	Hint  string `json:"hint,omitempty"`
}

// wantsJSON reports whether c ran with -o json (a command line that could
// not be parsed may not have had its -o read: it gets none).
func wantsJSON(c *cobra.Command, err error) bool {
	var ue *usageError
	if isCobraUsage(err) || (errors.As(err, &ue) && ue.unparsed) {
		return false
	}
	f := outputFlag(c)
	return f != nil && f.Value.String() == "json"
}

// outputFlag is c's --output, its own or a parent's (scopes revoke has
// scopes'), or nil.
func outputFlag(c *cobra.Command) *pflag.Flag {
	if f := c.Flags().Lookup("output"); f != nil {
		return f
	}
	return c.InheritedFlags().Lookup("output")
}

// countingWriter counts what is written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
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
// line or start a line of its own. Cobra's own usage errors are made one
// error line and one hint too (cobraUsage).
// An interrupt (Ctrl-C, SIGTERM) names what it interrupted: the command
// that ran.
func printError(w io.Writer, command string, err error) {
	msg, hint, ok := errorText(command, err)
	if !ok {
		return
	}
	fmt.Fprintf(w, "kakao-auth: error: %s\n", termtext.Line(msg))
	if hint != "" {
		fmt.Fprintf(w, "kakao-auth: hint: %s\n", termtext.Line(hint))
	}
}

// errorText is what a failure of command says: its message and hint, as
// they are (printError makes them safe for a terminal); !ok for one that
// says nothing (a command of exec's that failed has said it already).
func errorText(command string, err error) (msg, hint string, ok bool) {
	if status := (*exitStatusError)(nil); errors.As(err, &status) && status.silent() {
		return "", "", false
	}
	if errors.Is(err, authflow.ErrCancelled) || errors.Is(err, context.Canceled) {
		if command == "login" {
			return "login cancelled", "", true
		}
		return command + " interrupted", "", true
	}
	msg = err.Error()
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		hint = h.Hint()
	}
	if isCobraUsage(err) {
		msg, hint = cobraUsage(msg, hint)
	}
	return msg, hint, true
}

// cobraUsage makes one error line and one hint of a usage error cobra
// wrote itself: an unknown command's "Did you mean this?" list, which cobra
// puts on lines of their own under the error, becomes the hint.
func cobraUsage(msg, hint string) (string, string) {
	first, rest, _ := strings.Cut(msg, "\n")
	if hint != "" {
		return first, hint
	}
	hint = "run " + termtext.Quoted("kakao-auth", "--help") + " for usage"
	if strings.HasPrefix(first, "unknown command") {
		hint = "run " + termtext.Quoted("kakao-auth", "--help") + " for the commands"
		if _, list, ok := strings.Cut(rest, "Did you mean this?"); ok {
			if names := strings.Fields(list); len(names) > 0 {
				hint = fmt.Sprintf("did you mean %s? %s", termtext.Quoted("kakao-auth", names[0]), hint)
			}
		}
	}
	return first, hint
}

// flagErrorHint is the hint of a flag cobra could not parse: for an
// unknown flag, the command's flag it looks most like, if one does.
func flagErrorHint(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return usageHint(c)
	}
	if name == "client-secret" {
		return "a client secret is never a flag value, where other users could read it: set " + envClientSecret + ", or use --client-secret-file PATH (- for stdin)"
	}
	best, bestDistance := "", 3 // at most two edits away
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		if d := editDistance(name, f.Name); d < bestDistance || (strings.HasPrefix(f.Name, name) && best == "") {
			best, bestDistance = f.Name, d
		}
	})
	if best == "" {
		return usageHint(c)
	}
	return fmt.Sprintf("did you mean --%s? %s", best, usageHint(c))
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}
