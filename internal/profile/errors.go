package profile

import (
	"errors"
	"fmt"
)

// ErrLoginRequired is what every *LoginRequiredError is: there is no
// usable login, and only a new one helps.
var ErrLoginRequired = errors.New("login required")

// LoginRequiredError says that profile has no usable login, and why.
type LoginRequiredError struct {
	Profile string
	Reason  string // e.g. "no refresh token is stored"
}

func (e *LoginRequiredError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("not logged in (profile %q)", e.Profile)
	}
	return fmt.Sprintf("login required (profile %q): %s", e.Profile, e.Reason)
}

// Is makes errors.Is(err, ErrLoginRequired) hold.
func (e *LoginRequiredError) Is(target error) bool { return target == ErrLoginRequired }

// ReplacedError is Update's answer when the profile now holds another
// login than the one the change was meant for (logged in again
// meanwhile): nothing was changed.
type ReplacedError struct {
	Profile string
}

func (e *ReplacedError) Error() string {
	return fmt.Sprintf("profile %q was logged in again meanwhile; its new login was left as it is", e.Profile)
}

// StoredSecretRefusedError is a refresh that Kakao refused for the client
// secret stored with the login (KOE010): the app's secret was reissued, and
// only a login with the new one helps.
type StoredSecretRefusedError struct {
	Profile string
	Err     error
}

func (e *StoredSecretRefusedError) Error() string { return e.Err.Error() }
func (e *StoredSecretRefusedError) Unwrap() error { return e.Err }

// NothingStoredError is Clear's answer for a profile with no record, and
// no note or one that says it is logged out: there is nothing to log out.
// Known says that the profile's app is kept; Forgotten that it was just
// forgotten (forget).
type NothingStoredError struct {
	Profile          string
	Known, Forgotten bool
}

func (e *NothingStoredError) Error() string {
	return fmt.Sprintf("profile %q holds no login", e.Profile)
}
