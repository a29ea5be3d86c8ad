package cmd

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// Deps are the outside world a command touches. Only DefaultDeps builds the
// real ones; tests build their own.
type Deps struct {
	Stdin  io.Reader
	Stdout io.Writer // data only
	Stderr io.Writer // everything for people
	Getenv func(string) string
	// StderrIsTerminal turns on spinners and colour-free progress lines.
	StderrIsTerminal bool
	// OpenBrowser shows url using command (empty: the system default).
	OpenBrowser func(ctx context.Context, command, url string) error
	// SessionDir is where per-run session files live.
	SessionDir func() (string, error)
	// HTTPClient makes every call to Kakao or the emulator.
	HTTPClient *http.Client
	// Now is the clock.
	Now func() time.Time
}

// DefaultDeps returns the real dependencies of the process.
func DefaultDeps() *Deps {
	d := &Deps{
		Stdin:            os.Stdin,
		Stdout:           os.Stdout,
		Stderr:           os.Stderr,
		Getenv:           os.Getenv,
		StderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		HTTPClient:       &http.Client{Timeout: 30 * time.Second},
		Now:              time.Now,
	}
	d.OpenBrowser = func(ctx context.Context, command, url string) error {
		o := &browser.Opener{Command: command, Output: d.Stderr}
		return o.Open(ctx, url)
	}
	d.SessionDir = func() (string, error) { return session.DefaultDir(d.Getenv) }
	return d
}
