package tokenstore

import "fmt"

// UnavailableError reports a backend that cannot be used at all: no Secret
// Service, a locked keyring nobody unlocked, a D-Bus error, no answer in
// time. It never means "nothing stored" (that is ErrNotFound).
type UnavailableError struct {
	Backend string // e.g. BackendKeyring
	Op      string // what was tried: "load", "save", "delete", "probe"
	Err     error  // the cause; never holds a secret
}

// Error names the backend and the cause.
func (e *UnavailableError) Error() string {
	return fmt.Sprintf("%s store unavailable (%s): %v", e.Backend, e.Op, e.Err)
}

// Unwrap returns the cause.
func (e *UnavailableError) Unwrap() error { return e.Err }

// Hint says how to get going without the backend.
func (e *UnavailableError) Hint() string {
	return "start or unlock your keyring, or use --store file (a private 0600 file) or --store none (keep nothing)"
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
	return `run "kakao-auth login" again (with the same --profile) to replace it`
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
