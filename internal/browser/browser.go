// Package browser opens a URL for the person at the terminal: with a command
// they chose (--browser-command, KAKAO_AUTH_BROWSER, BROWSER), else the
// system's default browser through github.com/pkg/browser.
package browser

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/google/shlex"
	pkgbrowser "github.com/pkg/browser"
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
}

// LaunchError is a browser that could not be opened, with what its
// launcher printed (bounded). The output is kept off the screen while a
// login waits; it is worth showing only when the launch failed.
type LaunchError struct {
	Err    error
	output string
}

func (e *LaunchError) Error() string { return e.Err.Error() }

func (e *LaunchError) Unwrap() error { return e.Err }

// LauncherOutput is what the launcher wrote to stdout and stderr before it
// failed: outside text, to be made safe before it is shown.
func (e *LaunchError) LauncherOutput() string { return e.output }

// pkgMu guards github.com/pkg/browser's package-level Stdout/Stderr.
var pkgMu sync.Mutex

// Open starts the browser on url. It returns once the command has started
// (or, for the system default, once the launcher returned); it does not
// wait for the browser window to close. What the launcher and the browser
// print is kept off stdout and stderr; a failure carries it in a
// *LaunchError.
func (o *Opener) Open(ctx context.Context, url string) error {
	out, err := newOutput()
	if err != nil {
		return fmt.Errorf("open a browser: %w", err)
	}
	if err := o.launch(ctx, url, out); err != nil {
		return &LaunchError{Err: err, output: out.text()}
	}
	return nil
}

func (o *Opener) launch(ctx context.Context, url string, out *output) error {
	if strings.TrimSpace(o.Command) == "" {
		pkgMu.Lock()
		defer pkgMu.Unlock()
		pkgbrowser.Stdout, pkgbrowser.Stderr = out.w, out.w
		err := pkgbrowser.OpenURL(url)
		out.started()
		if err != nil {
			return fmt.Errorf("open the default browser: %w", err)
		}
		return nil
	}
	defer out.started()
	args, err := shlex.Split(o.Command)
	if err != nil {
		return fmt.Errorf("browser command %q: %w", o.Command, err)
	}
	if len(args) == 0 {
		return errors.New("browser command is empty")
	}
	args = append(args, url)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = out.w, out.w
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start browser command %q: %w", args[0], err)
	}
	out.started()
	// Reap the process in the background; a browser that is still running
	// when the login ends is left alone, as a person's browser would be.
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		// A command that exits at once (xdg-open, open, a script) tells us
		// whether it worked.
		if err != nil {
			return fmt.Errorf("browser command %q: %w", args[0], err)
		}
		return nil
	case <-time.After(startTimeout):
		return nil
	case <-ctx.Done():
		return nil
	}
}
