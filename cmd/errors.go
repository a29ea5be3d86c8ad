package cmd

// The errors that commands share, each with the exit code and hint it
// stands for (see exitCode and printError in root.go), and the commands
// that hints name.

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// ErrLoginRequired means there is no usable login; the user must run
// "kakao-auth login".
var ErrLoginRequired = errors.New("login required")

// usageError is a mistake in the command line itself.
type usageError struct {
	err  error
	hint string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }
func (e *usageError) Hint() string  { return e.hint }

func usagef(hint, format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...), hint: hint}
}

// hintedError attaches a hint to an error.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

// cancelledError is a user's "no": exit 3.
type cancelledError struct{ err error }

func (e *cancelledError) Error() string { return e.err.Error() }
func (e *cancelledError) Unwrap() error { return e.err }

// loginRequiredError says that the profile has no usable login, and why.
type loginRequiredError struct {
	profile string
	reason  string // e.g. "the refresh token was rejected (KOE322)"
}

func (e *loginRequiredError) Error() string {
	if e.reason == "" {
		return fmt.Sprintf("not logged in (profile %q)", e.profile)
	}
	return fmt.Sprintf("login required (profile %q): %s", e.profile, e.reason)
}

func (e *loginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

func (e *loginRequiredError) Hint() string {
	return "run " + loginCommand(e.profile)
}

// loginCommand is the command that logs profile in again.
func loginCommand(profile string) string {
	if profile == emulatorProfile {
		return `"kakao-auth login --emulator"`
	}
	if profile == DefaultProfile {
		return `"kakao-auth login"`
	}
	return fmt.Sprintf(`"kakao-auth login --profile %s"`, profile)
}

// logoutCommand is the command that removes profile's stored login.
func logoutCommand(profile string) string {
	if profile == DefaultProfile {
		return `"kakao-auth logout"`
	}
	return fmt.Sprintf(`"kakao-auth logout --profile %s"`, profile)
}

// refusedFileError is a stored file of profile that kakao-auth will not
// trust (a link, the wrong mode or owner). Its hint never says to delete
// the file by hand: it may hold the only copy of a rotated refresh token.
// Logout removes it deliberately.
type refusedFileError struct {
	err     error
	refused *privfile.InsecureError
	profile string
}

func (e *refusedFileError) Error() string { return e.err.Error() }
func (e *refusedFileError) Unwrap() error { return e.err }
func (e *refusedFileError) Hint() string {
	return e.refused.Hint() + "; to drop this login instead, run " + logoutCommand(e.profile) + " and log in again"
}

// withRefusedHint gives err the hint of a refused stored file, if that is
// what it is.
func withRefusedHint(err error, profile string) error {
	var ie *privfile.InsecureError
	if errors.As(err, &ie) {
		return &refusedFileError{err: err, refused: ie, profile: profile}
	}
	return err
}

// emulatorGoneError says that the loopback server a profile logged in
// against is not running any more. The built-in emulator of "login
// --emulator" lives only as long as that login, so this is what its
// profiles meet at their first refresh; "cannot reach … check the network
// connection" would send people looking in the wrong place.
type emulatorGoneError struct {
	profile string
	url     string
	err     error
}

func (e *emulatorGoneError) Error() string {
	return fmt.Sprintf("the Kakao emulator that profile %q logged in against (%s) is no longer running", e.profile, e.url)
}

func (e *emulatorGoneError) Unwrap() error { return e.err }

// Hint gives the command that makes a working login again, and the way to
// logins that keep refreshing.
func (e *emulatorGoneError) Hint() string {
	login := "kakao-auth login --emulator"
	if e.profile != emulatorProfile {
		login += " --profile " + e.profile
	}
	return fmt.Sprintf(`log in again with %q (it starts a new emulator for the login); for a login that keeps refreshing, keep an emulator running with "kakao-auth emulator" and log in against it (see "kakao-auth emulator --help")`, login)
}

// explainUnreachable turns "connection refused" from a profile's loopback
// server into an emulatorGoneError; any other error is returned as it is.
func explainUnreachable(profile string, rec *tokenstore.Record, err error) error {
	var ne *kakao.NetworkError
	if err == nil || rec == nil || !errors.As(err, &ne) || ne.Timeout || !errors.Is(err, syscall.ECONNREFUSED) {
		return err
	}
	if !isLoopbackURL(rec.AuthURL) {
		return err
	}
	return &emulatorGoneError{profile: profile, url: rec.AuthURL, err: err}
}
