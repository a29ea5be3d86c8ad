package cmd

// The errors that commands share, each with the exit code and hint it
// stands for (see exitCode and printError in root.go), and the commands
// that hints name.

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// ErrLoginRequired means there is no usable login; the user must run
// "kakao-auth login". It is the token lifecycle's: its errors of that kind
// are this one too.
var ErrLoginRequired = profile.ErrLoginRequired

// usageError is a mistake in the command line itself; unparsed says the
// flags could not be parsed (so -o may not have been read).
type usageError struct {
	err      error
	hint     string
	unparsed bool
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
	// A profile never logged in: a login of it needs the app's client id
	// (needsClientID: none in the environment), and others names the
	// profiles that do exist.
	needsClientID bool
	others        []string
}

func (e *loginRequiredError) Error() string {
	if e.reason == "" {
		return fmt.Sprintf("not logged in (profile %q)", e.profile)
	}
	return fmt.Sprintf("login required (profile %q): %s", e.profile, e.reason)
}

func (e *loginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

func (e *loginRequiredError) Hint() string {
	var args []string
	if e.needsClientID {
		args = []string{"--client-id", "YOUR-REST-API-KEY"}
	}
	hint := "run " + loginCommand(e.profile, args...)
	if len(e.others) > 0 {
		hint += fmt.Sprintf(" (profiles logged in here: %s)", strings.Join(e.others, ", "))
	}
	return hint
}

// suggest is a command line for a hint to name, in quotes: kakao-auth,
// the command's words, --profile when the profile is not the default one,
// then args. Every "run …" hint of a command is built here, so it carries
// the profile in use, and termtext.Quoted quotes each word for the shell.
func suggest(command, profile string, args ...string) string {
	words := append([]string{"kakao-auth"}, strings.Fields(command)...)
	if profile != DefaultProfile {
		words = append(words, "--profile", profile)
	}
	return termtext.Quoted(append(words, args...)...)
}

// loginCommand is the command that logs profile in again: the emulator's
// profile logs in against a new built-in emulator.
func loginCommand(profile string, args ...string) string {
	if profile == emulatorProfile {
		return suggest("login --emulator", DefaultProfile, args...)
	}
	return suggest("login", profile, args...)
}

// logoutCommand is the command that removes profile's stored login.
func logoutCommand(profile string) string {
	return suggest("logout", profile)
}

// withStoreHint gives a keyring failure met outside login a hint its
// reader can follow: a store is chosen at login, so that is the command
// to name, not a --store flag this command does not have.
func withStoreHint(err error, profile string) error {
	var ue *tokenstore.UnavailableError
	if !errors.As(err, &ue) {
		return err
	}
	return &hintedError{err: err, hint: ue.Fix() + "; or keep this profile's tokens in a private file instead: run " + loginCommand(profile, "--store", tokenstore.BackendFile)}
}

// withLogoutStoreHint gives a keyring failure of logout a hint it can
// follow: logout takes no --store (the keyring's own hint offers one, for
// login), and a login kept in the keyring can only be removed from there,
// so the fix is the keyring's, then the same logout again.
func withLogoutStoreHint(err error, profile string) error {
	var ue *tokenstore.UnavailableError
	if !errors.As(err, &ue) {
		return err
	}
	return &hintedError{err: err, hint: ue.Fix() + "; then run " + logoutCommand(profile) + " again (the login stays in the keyring until then)"}
}

// withAPIHint gives a kapi error of a stored profile a hint that names its
// profile: -402 is the login command that asks for the missing consent
// items (Kakao's additional consent), and -401 after a refresh means the
// login itself is gone (the app unlinked, say).
func withAPIHint(profile string, err error) error {
	var ae *kakao.APIError
	switch {
	case !errors.As(err, &ae):
		return err
	case ae.InvalidToken():
		return &loginRequiredError{profile: profile, reason: "Kakao does not accept the refreshed access token (" + ae.Error() + ")"}
	case ae.Code == -402:
		return &hintedError{err: err, hint: ae.ConsentHint(loginCommand(profile, "--scope", strings.Join(ae.RequiredScopes, ",")))}
	}
	return err
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
// what it is. A refused lock file keeps its own hint: logout would need
// that very lock.
func withRefusedHint(err error, profile string) error {
	var ie *privfile.InsecureError
	if errors.As(err, &ie) && !ie.LockFile {
		return &refusedFileError{err: err, refused: ie, profile: profile}
	}
	return err
}

// emulatorGoneError says that the loopback server a profile logged in
// against is not running any more. The built-in emulator of "login
// --emulator" lives only as long as that login, so this is what its
// profiles meet at their first refresh; "cannot reach … check the network
// connection" would send people looking in the wrong place. An emulator
// the user runs may be started again, and with its state file the login
// then works again: its hint says so, and never offers the throwaway
// built-in emulator in its place.
type emulatorGoneError struct {
	profile string
	url     string
	builtin bool // the login was made by "login --emulator" (madeByBuiltinEmulator)
	err     error
}

func (e *emulatorGoneError) Error() string {
	return fmt.Sprintf("the Kakao emulator that profile %q logged in against (%s) is no longer running", e.profile, e.url)
}

func (e *emulatorGoneError) Unwrap() error { return e.err }

// Hint gives the command that makes a working login again: for the
// built-in emulator a new one, and the way to logins that keep refreshing;
// for one the user ran, starting it again where it was, or a login against
// another server.
func (e *emulatorGoneError) Hint() string {
	if e.builtin {
		// "login --emulator" logs in to profile "emulator" unless told.
		login := []string{"kakao-auth", "login", "--emulator"}
		if e.profile != emulatorProfile {
			login = append(login, "--profile", e.profile)
		}
		return fmt.Sprintf(`log in again with %s (it starts a new emulator for the login); for a login that keeps refreshing, keep an emulator running with %s and log in against it (see %s)`,
			termtext.Quoted(login...), termtext.Quoted("kakao-auth", "emulator"), termtext.Quoted("kakao-auth", "emulator", "--help"))
	}
	addr := e.url
	if u, err := url.Parse(e.url); err == nil && u.Host != "" {
		addr = u.Host
	}
	return fmt.Sprintf(`start the emulator again at %s (for %s: %s, and the --state-file it had, which keeps this login valid), or log in against another server: run %s`,
		e.url, termtext.Quoted("kakao-auth", "emulator"), termtext.Command("--addr", addr), suggest("login", e.profile, "--auth-url", "URL", "--api-url", "URL"))
}

// madeByBuiltinEmulator reports whether profile's login rec was made
// against the built-in emulator of "login --emulator", which is gone for
// good once that login ends. The record says so (builtin_emulator), but a
// record written before it did, and the app a profile note stands in with
// when the record cannot be read, never say: for those, a login to the
// "emulator" profile with the emulator's client id and a loopback auth
// server is taken for one, which is what "login --emulator" makes unless
// given another profile or client id.
func madeByBuiltinEmulator(profile string, rec *tokenstore.Record) bool {
	if rec == nil {
		return false
	}
	if rec.BuiltinEmulator {
		return true
	}
	return profile == emulatorProfile && rec.ClientID == emulator.DefaultClientID && isLoopbackURL(rec.AuthURL)
}

// explainUnreachable turns "connection refused" from a profile's loopback
// server into an emulatorGoneError; any other error is returned as it is.
func explainUnreachable(profile string, rec *tokenstore.Record, err error) error {
	var ne *kakao.NetworkError
	if err == nil || rec == nil || !errors.As(err, &ne) || ne.Timeout || !neterr.Refused(err) {
		return err
	}
	if !isLoopbackURL(ne.URL) {
		return err
	}
	return &emulatorGoneError{profile: profile, url: ne.URL, builtin: madeByBuiltinEmulator(profile, rec), err: err}
}

// explain gives an error of s's login (rec, when known: what was sent to
// its servers) the hint it calls for: the token lifecycle's
// (withLifecycleHint), a kapi error's (withAPIHint), a gone emulator's
// (explainUnreachable), a refused file's or an unavailable keyring's.
// Every error of a stored profile's login goes through it.
func (s *stored) explain(rec *tokenstore.Record, err error) error {
	name := s.Name
	return withStoreHint(withRefusedHint(withAPIHint(name, explainUnreachable(name, rec, withLifecycleHint(err))), name), name)
}

// withLifecycleHint gives an error of the token lifecycle (package
// profile) the command that fixes it.
func withLifecycleHint(err error) error {
	var lr *profile.LoginRequiredError
	var sr *profile.StoredSecretRefusedError
	switch {
	case errors.As(err, &lr):
		return &hintedError{err: err, hint: "run " + loginCommand(lr.Profile)}
	case errors.As(err, &sr):
		return &hintedError{err: err, hint: "Kakao refused the client secret stored with the profile (was it reissued?): run " + loginCommand(sr.Profile) + " with the new one"}
	}
	return err
}
