package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// The variables exec sets for its command. KAKAO_API_URL is also what
// kakao-auth reads for --api-url, so a kakao-auth run by the command uses
// the same API server.
const envAccessToken = "KAKAO_ACCESS_TOKEN"

// Exit statuses of exec when its command could not be run, as shells have
// them.
const (
	ExitCannotRun = 126 // found, but not executable
	ExitNotFound  = 127
)

// ExecOptions are the inputs of "kakao-auth exec".
type ExecOptions struct {
	Profile      string
	MinTTL       time.Duration
	ClientSecret string // from the environment or --client-secret-file: env-only mode, or a profile that stored none
	RotatedFile  string // env-only mode: where a rotated refresh token goes
	// Command is the command to run and its arguments.
	Command []string
}

// NewExecCmd builds "kakao-auth exec". runF replaces the action in tests.
func NewExecCmd(d *Deps, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "exec [flags] [--] COMMAND [ARG...]",
		Short: "Run a command with a fresh access token in its environment",
		Long: `Run COMMAND with the profile's access token in its environment as
` + envAccessToken + `, and the profile's API server as ` + envAPIURL + `.

The access token has at least --min-ttl left when COMMAND starts: it is
refreshed first when needed, as "token" and "api" do (env-only mode too:
with KAKAO_REFRESH_TOKEN and KAKAO_CLIENT_ID set, every run refreshes and
touches no store). The API server must be https:// or on this machine, as
for "api". COMMAND
never sees the refresh token or the client secret: ` + envRefreshToken + ` and
` + envClientSecret + ` are not in its environment.

Once the token is ready, kakao-auth becomes COMMAND (on Windows: runs it
and waits): COMMAND has kakao-auth's process id, so every signal reaches
it as if it had been started directly, a kill sent to kakao-auth once and
Ctrl-C, Ctrl-\ or Ctrl-Z typed at the terminal once, and its exit status
is the run's. The status is 127 when COMMAND is not found, 126 when it
cannot be run.

The first argument that is not a flag of exec, or everything after --,
is COMMAND and its arguments, flags included.`,
		Example: `  kakao-auth exec -- sh -c 'curl -H "Authorization: Bearer $KAKAO_ACCESS_TOKEN" "$KAKAO_API_URL/v2/user/me"'
  kakao-auth exec --profile bot --min-ttl 1h -- ./send-report --verbose`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef(fmt.Sprintf("name the command to run after --, as in %q", c.CommandPath()+" -- env"), "exec needs a command to run")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if opts.RotatedFile != "" && d.Getenv(envRefreshToken) == "" {
				return usagef("it applies to env-only mode, with "+envRefreshToken+" set; stored profiles keep rotated tokens themselves", "--rotated-refresh-token-file needs %s", envRefreshToken)
			}
			if err := checkMinTTL(usageHint(c), opts.MinTTL); err != nil {
				return err
			}
			opts.Command = args
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runExec(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	// Flags after COMMAND are COMMAND's.
	fs.SetInterspersed(false)
	flags.register(fs)
	fs.DurationVar(&opts.MinTTL, "min-ttl", DefaultMinTTL, "refresh first unless the access token has at least this left")
	fs.StringVar(&opts.RotatedFile, "rotated-refresh-token-file", "", "env-only mode: write a rotated refresh token to this file (mode 0600)")
	return c
}

func runExec(ctx context.Context, d *Deps, o *ExecOptions) error {
	// A command that cannot run needs no token: look first.
	path, err := lookCommand(o.Command[0])
	if err != nil {
		return err
	}
	// The token comes as for "kakao-auth api": the stored profile's or
	// env-only mode's, refreshed as needed, its servers vetted (the
	// command sends it to the API server).
	u, err := openAPIUser(ctx, d, apiUserOptions{profile: o.Profile, secret: o.ClientSecret, minTTL: o.MinTTL, rotated: o.RotatedFile})
	if err != nil {
		return err
	}
	tok, err := u.tokens.Token()
	if err != nil {
		return u.explain(err)
	}
	if left := tok.Expiry.Sub(d.Now()); left < o.MinTTL {
		return &hintedError{
			err:  fmt.Errorf("the access token has %s left, less than --min-ttl %s, though it was just refreshed", human(left), human(o.MinTTL)),
			hint: "Kakao's access tokens live about 6 hours: ask for less with --min-ttl",
		}
	}
	// The command may print it.
	if err := maskSecrets(d, tok.AccessToken); err != nil {
		return err
	}
	env := commandEnv(os.Environ(), tok.AccessToken, u.base)
	if d.ReplaceProcess != nil {
		// The command takes kakao-auth's place (see exec_unix.go).
		if err := ctx.Err(); err != nil {
			return err
		}
		return cannotRun(o.Command[0], d.ReplaceProcess(path, o.Command, env))
	}
	cmd := &exec.Cmd{
		Path:   path,
		Args:   o.Command,
		Env:    env,
		Stdin:  d.Stdin,
		Stdout: d.Stdout,
		Stderr: d.Stderr,
		// Output copied through kakao-auth (when it is not a file) may be
		// held open by something the command left running: stop waiting
		// for it soon after the command itself ended.
		WaitDelay: time.Second,
	}
	code, err := runCommand(ctx, cmd)
	if err != nil {
		return err
	}
	if code != 0 {
		return &exitStatusError{code: code}
	}
	return nil
}

// commandEnv is the environment of exec's command: environ without the
// secrets kakao-auth reads (DefaultDeps takes them out of the process
// already; whatever a run's Deps, they are not passed on here either),
// with the access token and the login's API server.
func commandEnv(environ []string, accessToken, apiURL string) []string {
	drop := append(slices.Clone(secretEnv), envAccessToken, envAPIURL)
	env := make([]string, 0, len(environ)+2)
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if slices.ContainsFunc(drop, func(d string) bool { return sameEnvName(name, d) }) {
			continue
		}
		env = append(env, kv)
	}
	return append(env, envAccessToken+"="+accessToken, envAPIURL+"="+apiURL)
}

// sameEnvName compares variable names as the system does: Windows ignores
// case.
func sameEnvName(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// lookCommand finds the command as a shell would: a name with a slash is
// a path, any other is looked up in PATH (never in the current directory).
func lookCommand(name string) (string, error) {
	path, err := exec.LookPath(name)
	switch {
	case err == nil:
		return path, nil
	case errors.Is(err, exec.ErrDot):
		return "", &exitStatusError{code: ExitNotFound, err: fmt.Errorf("command %q is in the current directory, which is not searched", name),
			hint: "give its path to run it, e.g. " + termtext.Quoted("./"+name)}
	case errors.Is(err, exec.ErrNotFound), errors.Is(err, fs.ErrNotExist):
		return "", &exitStatusError{code: ExitNotFound, err: fmt.Errorf("command %q not found", name),
			hint: "check its name, or give its path; names without a slash are looked up in PATH"}
	}
	return "", cannotRun(name, err)
}

// cannotRun is a command that was found but could not be started.
func cannotRun(name string, err error) error {
	var ee *exec.Error
	if errors.As(err, &ee) {
		err = ee.Err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	code := ExitCannotRun
	if errors.Is(err, fs.ErrNotExist) {
		// Found, yet "no such file": its interpreter (#!) is missing.
		code = ExitNotFound
	}
	return &exitStatusError{code: code, err: fmt.Errorf("command %q cannot be run: %w", name, err),
		hint: "it must be an executable file (" + termtext.Command("chmod", "+x", name) + ") for this system, with an interpreter (#!) that exists; or run it through its interpreter, e.g. " + termtext.Command("sh", name)}
}

// runCommand runs cmd as a child, where kakao-auth cannot become it
// (Windows; Main run in a test), to its end and returns its exit status,
// 128+N when signal N ended it. Meanwhile every signal of forwardedSignals
// that kakao-auth gets is passed on to the command, unless it reached the
// command too (see reachesCommandItself); kakao-auth itself is not ended
// by them then: the command decides, and kakao-auth ends when it does.
// ctx only keeps a command from starting once the run was interrupted: a
// running command is never killed for it.
func runCommand(ctx context.Context, cmd *exec.Cmd) (int, error) {
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if err := cmd.Start(); err != nil {
		return 0, cannotRun(cmd.Args[0], err)
	}
	done := make(chan struct{})
	forwarding := make(chan struct{})
	go func() {
		defer close(forwarding)
		for {
			select {
			case sig := <-sigs:
				if !reachesCommandItself(sig, cmd.Process.Pid) {
					_ = cmd.Process.Signal(sig)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	<-forwarding
	if cmd.ProcessState == nil {
		return 0, fmt.Errorf("wait for %q: %w", cmd.Args[0], err)
	}
	// An error with a ProcessState is the command's own status, or output
	// cut after WaitDelay: the status is what counts.
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal()), nil
	}
	return cmd.ProcessState.ExitCode(), nil
}

// exitStatusError ends kakao-auth with exit status code: exec's command's
// own, when err is nil (nothing is printed: the command said what it had
// to), or 126 or 127 when it could not be run.
type exitStatusError struct {
	code int
	err  error
	hint string
}

func (e *exitStatusError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("the command exited with status %d", e.code)
	}
	return e.err.Error()
}

func (e *exitStatusError) Unwrap() error { return e.err }

// Hint says how to run the command.
func (e *exitStatusError) Hint() string { return e.hint }

// silent reports whether kakao-auth has nothing to add to how it ends.
func (e *exitStatusError) silent() bool { return e.err == nil }
