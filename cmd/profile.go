package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envStore names the default token store backend.
const envStore = "KAKAO_AUTH_STORE"

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

// stored is a profile together with the store that holds it.
type stored struct {
	profile string
	paths   tokenstore.Paths
	store   tokenstore.Store
	warned  map[string]bool // cleartext servers warned about this run
}

// openStored finds the backend that holds profile. A profile never stored
// is a login-required error.
func openStored(d *Deps, profile string) (*stored, error) {
	paths, err := d.Paths()
	if err != nil {
		return nil, err
	}
	backend, err := (tokenstore.Profiles{Dir: paths.ProfilesDir()}).Backend(profile)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, &loginRequiredError{profile: profile}
	}
	if err != nil {
		return nil, withRefusedHint(fmt.Errorf("read profile %q: %w", profile, err), profile)
	}
	store, err := d.OpenStore(backend, paths)
	if err != nil {
		return nil, err
	}
	return &stored{profile: profile, paths: paths, store: store}, nil
}

// load reads the profile's record; a missing one means login required.
func (s *stored) load(ctx context.Context) (*tokenstore.Record, error) {
	rec, err := s.store.Load(ctx, s.profile)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, &loginRequiredError{profile: s.profile, reason: fmt.Sprintf("nothing stored in the %s store", s.store.Name())}
	}
	if err != nil {
		return nil, withRefusedHint(fmt.Errorf("load profile %q from the %s store: %w", s.profile, s.store.Name(), err), s.profile)
	}
	return rec, nil
}

// stillStored checks, under the profile's lock, that the profile is still
// where s found it: noted for s's store, with a record there. A refresh
// checks it before saving, so a logout that ran meanwhile is not undone.
func (s *stored) stillStored(ctx context.Context) error {
	gone := &loginRequiredError{profile: s.profile, reason: "it was logged out while its tokens were being refreshed; nothing was saved"}
	backend, err := (tokenstore.Profiles{Dir: s.paths.ProfilesDir()}).Backend(s.profile)
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		return gone
	case err != nil:
		return withRefusedHint(fmt.Errorf("read profile %q: %w", s.profile, err), s.profile)
	case backend != s.store.Name():
		return gone
	}
	if _, err := s.store.Load(ctx, s.profile); errors.Is(err, tokenstore.ErrNotFound) {
		return gone
	} else if err != nil {
		return withRefusedHint(fmt.Errorf("load profile %q from the %s store: %w", s.profile, s.store.Name(), err), s.profile)
	}
	return nil
}

// describeStore says where a backend keeps tokens, for messages.
func describeStore(name string, p tokenstore.Paths, profile string) string {
	switch name {
	case tokenstore.BackendKeyring:
		return fmt.Sprintf("the OS keyring (service %q, item %q)", tokenstore.KeyringService, profile)
	case tokenstore.BackendFile:
		return fmt.Sprintf("the file %s/%s.json", p.TokensDir(), profile)
	}
	return "nowhere (--store none)"
}
