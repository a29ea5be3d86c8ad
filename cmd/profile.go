package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envStore names the default token store backend.
const envStore = "KAKAO_AUTH_STORE"

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
		others, _ := tokenstore.Profiles{Dir: paths.ProfilesDir()}.List()
		return nil, &loginRequiredError{profile: profile, others: others,
			needsClientID: profile != emulatorProfile && d.Getenv(envClientID) == ""}
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
	if errors.Is(err, tokenstore.ErrNotFound) && s.store.Name() == tokenstore.BackendNone {
		// Noted by logout, which keeps the app for the next login.
		return nil, &loginRequiredError{profile: s.profile, reason: "it was logged out; its app settings are kept for the next login"}
	}
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, &loginRequiredError{profile: s.profile, reason: fmt.Sprintf("nothing stored in the %s store", s.store.Name())}
	}
	if err != nil {
		return nil, withStoreHint(withRefusedHint(fmt.Errorf("load profile %q from the %s store: %w", s.profile, s.store.Name(), err), s.profile), s.profile)
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
