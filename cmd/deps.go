package cmd

import (
	"context"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"

	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Deps are the outside world a command touches. Only DefaultDeps builds the
// real ones; tests build their own.
type Deps struct {
	Stdin  io.Reader
	Stdout io.Writer // data only
	Stderr io.Writer // everything for people
	Getenv func(string) string
	// StderrIsTerminal turns on spinners.
	StderrIsTerminal bool
	// StderrWidth returns the width of the terminal stderr is, or 0 when
	// unknown; a spinner reads it at each redraw, to follow resizes.
	StderrWidth func() int
	// StdinIsTerminal allows confirmation prompts.
	StdinIsTerminal bool
	// StdoutIsTerminal marks a screen others may see (export refuses it).
	StdoutIsTerminal bool
	// OpenBrowser shows url using command (empty: the system default).
	OpenBrowser func(ctx context.Context, command, url string) error
	// SessionDir is where per-run session files live.
	SessionDir func() (string, error)
	// Paths is where profiles, token files and locks live.
	Paths func() (tokenstore.Paths, error)
	// CacheDir is where kakao-auth keeps what it can fetch again: the auth
	// servers' ID-token signing keys. nil keeps nothing on disk.
	CacheDir func() (string, error)
	// OpenStore opens a token store backend by name.
	OpenStore func(name string, p tokenstore.Paths) (tokenstore.Store, error)
	// ReplaceProcess runs the command at path in place of kakao-auth
	// (execve), for exec; it returns only when the command cannot run. Nil
	// (on Windows, and for Main run inside a test) runs it as a child.
	ReplaceProcess func(path string, args, env []string) error
	// HTTPClient makes every call to Kakao or the emulator.
	HTTPClient *http.Client
	// Now is the clock.
	Now func() time.Time
	// NotInstalled reports whether this program runs through "go run" with
	// no kakao-auth on PATH: the commands it suggests then need saying so.
	// Nil means no.
	NotInstalled func() bool
	// CatchInterrupts makes Ctrl-C and SIGTERM call cancel, from now until
	// stop is called (see catchInterrupts). Nil catches nothing: the
	// signals keep their default action.
	CatchInterrupts func(cancel context.CancelFunc) (stop func())

	// masked are the values already hidden from the GitHub Actions log.
	masked map[string]bool
	// warnedServers are the cleartext servers of stored logins warned
	// about this run (checkServers).
	warnedServers map[string]bool
}

// DefaultDeps returns the real dependencies of the process.
//
// It also takes the secret-bearing variables (secretEnv) out of the
// process's environment, keeping them for Getenv alone: every child the
// tool starts — the browser (which may outlive the login), xdg-open, a
// dbus-launch that go-keyring's D-Bus library may start, macOS's security
// tool — then inherits none of them, whoever starts it.
func DefaultDeps() *Deps {
	secrets := map[string]string{}
	for _, k := range secretEnv {
		if v, ok := os.LookupEnv(k); ok {
			secrets[k] = v
			os.Unsetenv(k)
		}
	}
	// No library writes to the person's terminal. What kakao-auth says
	// goes through its one exit point, as an error and a hint, with outside
	// text made safe (printError); a library's log line (x/oauth2's
	// deprecation notices, net/http's complaints about a client of a
	// loopback listener) is neither data nor something the person can act
	// on, and would carry outside text as it came. There is no debug mode
	// to route them to, so they are dropped.
	log.SetOutput(io.Discard)
	d := &Deps{
		Stdin:  os.Stdin,
		Stdout: os.Stdout,
		Stderr: os.Stderr,
		Getenv: func(k string) string {
			if v, ok := secrets[k]; ok {
				return v
			}
			return os.Getenv(k)
		},
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		StdinIsTerminal:  term.IsTerminal(int(os.Stdin.Fd())),
		StdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		OpenStore:        tokenstore.Open,
		ReplaceProcess:   replaceProcess,
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
		Now:              time.Now,
	}
	d.NotInstalled = func() bool {
		exe, err := os.Executable()
		return err == nil && goRunNotInstalled(exe)
	}
	d.StderrWidth = func() int {
		w, _, err := term.GetSize(int(os.Stderr.Fd()))
		if err != nil {
			return 0
		}
		return w
	}
	d.CatchInterrupts = catchSignals
	d.OpenBrowser = func(ctx context.Context, command, url string) error {
		o := &browser.Opener{Command: command}
		return o.Open(ctx, url)
	}
	d.SessionDir = func() (string, error) { return session.DefaultDir(d.Getenv) }
	d.Paths = func() (tokenstore.Paths, error) { return tokenstore.DefaultPaths(d.Getenv) }
	d.CacheDir = func() (string, error) {
		dir, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		return filepath.Join(dir, "kakao-auth"), nil
	}
	return d
}

// goRunNotInstalled reports whether exe is a "go run" build (it lives in
// a go-build temporary directory) and no kakao-auth is found on PATH: a
// go run build next to an installed kakao-auth needs no note.
func goRunNotInstalled(exe string) bool {
	if !strings.Contains(filepath.ToSlash(exe), "/go-build") {
		return false
	}
	_, err := exec.LookPath("kakao-auth")
	return err != nil
}

// keyCacheDir is where ID-token signing keys are cached, or "" for
// nowhere (no cache directory here: the keys are then fetched each run).
func keyCacheDir(d *Deps) string {
	if d.CacheDir == nil {
		return ""
	}
	dir, err := d.CacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "jwks")
}

// catchSignals calls cancel on the first Ctrl-C or SIGTERM, until stop.
func catchSignals(cancel context.CancelFunc) (stop func()) {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sig)
		close(done)
	}
}
