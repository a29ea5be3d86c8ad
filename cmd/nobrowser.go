package cmd

import (
	"context"
	"errors"

	"github.com/kakao-auth/kakao-auth/internal/browser"
)

// noBrowserReason says why no browser can show the login page to the
// person at this terminal, or returns "" to try one. A browser command
// they chose (--browser-command, KAKAO_AUTH_BROWSER, BROWSER) is always
// tried. Without a terminal on stdin nobody could paste the address back,
// so the browser is tried as well.
func noBrowserReason(d *Deps, o *LoginOptions) string {
	if !d.StdinIsTerminal || browser.Command(o.BrowserCommand, d.Getenv) != "" {
		return ""
	}
	return browser.Unavailable(d.Getenv)
}

// loginOpener opens the login page with the browser command in effect.
// For --emulator where no browser can be opened, it fails at once with
// the reason, and startEmulator presses Agree itself.
func loginOpener(d *Deps, o *LoginOptions) func(context.Context, string) error {
	if reason := noBrowserReason(d, o); o.Emulator && reason != "" {
		return func(context.Context, string) error { return errors.New(reason) }
	}
	command := browser.Command(o.BrowserCommand, d.Getenv)
	return func(ctx context.Context, url string) error { return d.OpenBrowser(ctx, command, url) }
}

// spinnerWidth returns the width of stderr's terminal for the login's
// spinner, or nil where a line cannot be redrawn in place: stderr is no
// terminal, or TERM is dumb or unset (a terminal without the erase-line
// sequence; Windows' console, which leaves it off unless asked).
func spinnerWidth(d *Deps) func() int {
	if !d.StderrIsTerminal || d.StderrWidth == nil {
		return nil
	}
	switch d.Getenv("TERM") {
	case "", "dumb":
		return nil
	}
	return d.StderrWidth
}
