package authflow

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// ErrCancelled means the user interrupted the login (Ctrl-C, SIGTERM).
var ErrCancelled = errors.New("login cancelled")

// TimeoutError means no callback arrived in time.
type TimeoutError struct {
	After       time.Duration
	AuthURL     string // the auth server the browser was sent to
	RedirectURI string // where the browser was to come back
}

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from the browser within %s", e.After)
}

// Hint points at the browser, where Kakao shows setup errors, and at
// paste-back for a browser that cannot come back to this machine. For an
// auth server on this machine, an emulator, it also names the emulator's
// own way to register the redirect URI.
func (e *TimeoutError) Hint() string {
	hint := "Kakao shows setup errors (KOE006 unregistered redirect URI, KOE101 wrong app key, …) on its own page instead of coming back: look at the browser tab, fix what it says, then run the login again (or raise --timeout); if the browser cannot reach this machine (SSH, another device), log in with --no-browser and paste the address it ends on"
	if e.RedirectURI != "" && loopbackURL(e.AuthURL) {
		hint += fmt.Sprintf("; an emulator you run (%s) registers a redirect URI with its own flag: %s", termtext.Command("kakao-auth", "emulator"), termtext.Command("--redirect-uri", e.RedirectURI))
	}
	return hint
}

// DeniedError is an error=… callback from Kakao: the user pressed Cancel,
// consent was required, and so on.
type DeniedError struct {
	Code        string
	Description string
}

func (e *DeniedError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("kakao returned %s: %s", e.Code, e.Description)
	}
	return "kakao returned " + e.Code
}

// Hint says what to do for the known error values.
func (e *DeniedError) Hint() string {
	switch e.Code {
	case "access_denied":
		return "the login was cancelled in the browser; run the login again and press Agree to continue"
	case "consent_required", "login_required", "interaction_required":
		return "--prompt none cannot show Kakao's pages; run the login without --prompt none"
	case "invalid_scope":
		return "a requested scope is not set up for the app; check --scope and the app's consent items"
	}
	return ""
}

// loopbackURL reports whether raw is an http(s) URL on this machine.
func loopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Hostname(), "localhost") {
		return true
	}
	ip := net.ParseIP(u.Hostname())
	return ip != nil && ip.IsLoopback()
}
