package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// UnavailableError reports a backend that cannot be used at all: no Secret
// Service, a locked keyring nobody unlocked, a D-Bus error, no answer in
// time. It never means "nothing stored" (that is ErrNotFound).
type UnavailableError struct {
	Backend string // e.g. BackendKeyring
	Op      string // what was tried: "load", "save", "delete", "probe"
	Err     error  // the cause; never holds a secret
}

// Error says in a person's terms what is wrong; the library's own words
// (exec: "dbus-launch": …, dial unix …) stay in Err, for Unwrap.
func (e *UnavailableError) Error() string {
	return "the OS keyring is unavailable: " + e.problem().what
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Hint says how to fix the keyring or get going without it (at login,
// where a store is chosen).
func (e *UnavailableError) Hint() string {
	return e.Fix() + "; or use --store file (a private 0600 file) or --store none (keep nothing)"
}

// Fix says how to fix the keyring itself.
func (e *UnavailableError) Fix() string { return e.problem().fix }

// keyringProblem is a keyring failure told for people: what is wrong and
// what to do about it.
type keyringProblem struct{ what, fix string }

// problem recognises the usual ways a keyring is missing. go-keyring has no
// typed errors for them, so the shapes of godbus's and the Secret Service's
// errors decide; anything else is reported without the library's text.
func (e *UnavailableError) problem() keyringProblem {
	err := e.Err
	var execErr *exec.Error
	var opErr *net.OpError
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return keyringProblem{"it did not answer in time (is it waiting for you to unlock it?)", "unlock your keyring, then try again"}
	case errors.As(err, &execErr) && strings.Contains(execErr.Name, "dbus-launch"):
		// godbus tries dbus-launch when DBUS_SESSION_BUS_ADDRESS is empty.
		return keyringProblem{"this session has no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", "log in to a desktop session, or run inside dbus-run-session with a keyring started"}
	case errors.As(err, &opErr) && opErr.Op == "dial":
		return keyringProblem{"this session's D-Bus cannot be reached (DBUS_SESSION_BUS_ADDRESS names a bus that is gone)", "start a new desktop or dbus-run-session session"}
	case strings.Contains(msg, "org.freedesktop.secrets") && (strings.Contains(msg, "not provided") || strings.Contains(msg, "ServiceUnknown")):
		return keyringProblem{"there is no Secret Service on this session's D-Bus", "install and start one (gnome-keyring, or KeePassXC with its Secret Service integration)"}
	case strings.Contains(msg, "unlock") || strings.Contains(msg, "locked"):
		return keyringProblem{"the keyring is locked", "unlock your keyring (your desktop's login keyring, or gnome-keyring-daemon --unlock), then try again"}
	case strings.Contains(msg, "org.freedesktop.DBus.Error") || strings.Contains(msg, "dbus"):
		return keyringProblem{"the Secret Service on this session's D-Bus refused the " + e.Op, "check that your keyring is running and unlocked"}
	}
	return keyringProblem{"the system keyring refused the " + e.Op, "check that your keyring is running and unlocked"}
}

// CorruptError reports a stored record that does not decode. The record is
// left in place: this package never deletes what it cannot read.
type CorruptError struct {
	Where string // the file or keyring item; empty when unknown
	Err   error  // what is wrong; never quotes the record
}

// Error says where the record is and what is wrong with it.
func (e *CorruptError) Error() string {
	if e.Where == "" {
		return fmt.Sprintf("stored login is unreadable: %v", e.Err)
	}
	return fmt.Sprintf("stored login in %s is unreadable: %v", e.Where, e.Err)
}

// Unwrap returns what is wrong.
func (e *CorruptError) Unwrap() error { return e.Err }

// Hint says how to replace the record.
func (e *CorruptError) Hint() string {
	return "run " + termtext.Quoted("kakao-auth", "login") + " again (with the same --profile) to replace it"
}

// recordTooLargeError reports a record over what every keyring can hold
// (max), or over what this one accepted (max 0).
type recordTooLargeError struct{ size, max int }

func (e *recordTooLargeError) Error() string {
	if e.max == 0 {
		return fmt.Sprintf("login record is %d bytes, too large for the keyring", e.size)
	}
	return fmt.Sprintf("login record is %d bytes, over the keyring limit of %d", e.size, e.max)
}

func (e *recordTooLargeError) Hint() string {
	return "use --store file, or log in with fewer scopes"
}
