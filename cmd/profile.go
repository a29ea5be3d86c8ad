package cmd

import (
	"context"
	"errors"
	"fmt"

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
		return nil, fmt.Errorf("read profile %q: %w", profile, err)
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
		return nil, fmt.Errorf("load profile %q from the %s store: %w", s.profile, s.store.Name(), err)
	}
	return rec, nil
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
