// Package browser opens a URL for the person at the terminal: with a command
// they chose (--browser-command, KAKAO_AUTH_BROWSER, BROWSER), else the
// system's launcher for the default browser (xdg-open, open, rundll32).
//
// Either way the browser is a child process that may live on after the
// login, so it is started without the secrets of the tool's environment.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"github.com/google/shlex"
)

// EnvVar is the environment variable naming the tool's own browser command;
// BROWSER is the conventional fallback.
const EnvVar = "KAKAO_AUTH_BROWSER"

// startTimeout bounds how long a browser command may take to start.
const startTimeout = 10 * time.Second

// Command picks the browser command: the flag, else KAKAO_AUTH_BROWSER, else
// BROWSER. Empty means the system default.
func Command(flag string, getenv func(string) string) string {
	for _, c := range []string{flag, getenv(EnvVar), getenv("BROWSER")} {
		if strings.TrimSpace(c) != "" {
			return c
		}
	}
	return ""
}

// Opener opens URLs.
type Opener struct {
	// Command is split like a shell would and gets the URL as its last
	// argument; empty means the system default browser.
	Command string
	// Output receives the browser's stdout and stderr, so nothing it prints
	// mixes with the tool's data on stdout.
	Output io.Writer
	// SecretEnv names the environment variables the browser must not
	// inherit, such as KAKAO_CLIENT_SECRET: a browser started here may
	// outlive the login, and its environment is readable by its
	// extensions, crash reports and child processes.
	SecretEnv []string
}

// Open starts the browser on url. It returns once the command has exited,
// or has run for a while (a browser that stays open), or ctx ended; it does
// not wait for the browser window to close.
func (o *Opener) Open(ctx context.Context, url string) error {
	out := o.Output
	if out == nil {
		out = io.Discard
	}
	args, err := o.argv(url)
	if err != nil {
		return err
	}
	// github.com/pkg/browser, used before, has no way to set the child's
	// environment: unsetting the secrets process-wide around its call would
	// race with the rest of the login. Its launchers are run here instead.
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = withoutVars(os.Environ(), o.SecretEnv)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", o.what(args[0]), err)
	}
	// Reap the process in the background; a browser that is still running
	// when the login ends is left alone, as a person's browser would be.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// A command that exits at once (xdg-open, open, a script) tells us
		// whether it worked.
		if err != nil {
			return fmt.Errorf("%s: %w", o.what(args[0]), err)
		}
		return nil
	case <-time.After(startTimeout):
		return nil
	case <-ctx.Done():
		return nil
	}
}

// argv is the command line that opens url: the chosen command with url
// last, or the system's launcher.
func (o *Opener) argv(url string) ([]string, error) {
	if strings.TrimSpace(o.Command) == "" {
		launcher, err := systemLauncher()
		if err != nil {
			return nil, fmt.Errorf("open the default browser: %w", err)
		}
		return append(launcher, url), nil
	}
	args, err := shlex.Split(o.Command)
	if err != nil {
		return nil, fmt.Errorf("browser command %q: %w", o.Command, err)
	}
	if len(args) == 0 {
		return nil, errors.New("browser command is empty")
	}
	return append(args, url), nil
}

func (o *Opener) what(name string) string {
	if strings.TrimSpace(o.Command) == "" {
		return "the default browser (" + name + ")"
	}
	return fmt.Sprintf("browser command %q", name)
}

// systemLauncher is the program that opens a URL in the default browser,
// as github.com/pkg/browser picks it: on Linux the first of xdg-open,
// x-www-browser and www-browser found on PATH, xdg-open on the BSDs, open
// on macOS. On Windows pkg/browser calls ShellExecute in-process, which
// hands the browser this process's whole environment; rundll32 running
// url.dll's FileProtocolHandler opens the URL the same way from a child
// whose environment is set here.
func systemLauncher() ([]string, error) {
	switch runtime.GOOS {
	case "darwin":
		return []string{"open"}, nil
	case "windows":
		return []string{"rundll32", "url.dll,FileProtocolHandler"}, nil
	case "linux":
		providers := []string{"xdg-open", "x-www-browser", "www-browser"}
		for _, p := range providers {
			if _, err := exec.LookPath(p); err == nil {
				return []string{p}, nil
			}
		}
		return nil, &exec.Error{Name: strings.Join(providers, ","), Err: exec.ErrNotFound}
	case "freebsd", "openbsd", "netbsd", "dragonfly":
		return []string{"xdg-open"}, nil
	}
	return nil, fmt.Errorf("no known way to open a browser on %s; pass --browser-command", runtime.GOOS)
}

// withoutVars returns env (KEY=value entries) without the named variables;
// names match case-insensitively on Windows, as its environment does.
func withoutVars(env, names []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		drop := false
		for _, n := range names {
			if name == n || (runtime.GOOS == "windows" && strings.EqualFold(name, n)) {
				drop = true
				break
			}
		}
		if !drop {
			out = append(out, kv)
		}
	}
	return out
}
