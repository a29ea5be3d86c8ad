package cmd

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

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
