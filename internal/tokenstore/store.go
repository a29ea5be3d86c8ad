// Package tokenstore keeps the tokens of each kakao-auth profile (one Kakao
// login) between runs: in the OS keyring, in a private file, or nowhere.
// It also remembers which backend holds each profile, and provides the
// per-profile cross-process lock that every command writing a profile
// takes (a refresh across read → refresh → write; login, logout and scopes
// revoke around their writes), so two scripts refreshing at once cannot
// lose a rotated refresh token.
package tokenstore

import (
	"context"
	"errors"
	"fmt"
)

// KeyringService is the keyring service name; one item per profile, user = profile name.
const KeyringService = "kakao-auth"

// Backend names, as users type them in --store / KAKAO_AUTH_STORE.
const (
	BackendKeyring = "keyring"
	BackendFile    = "file"
	BackendNone    = "none"
)

// Store keeps records by profile name.
type Store interface {
	// Name is the backend name, one of the Backend constants.
	Name() string
	// Load returns the record of profile, or ErrNotFound when there is none.
	Load(ctx context.Context, profile string) (*Record, error)
	// Save stores r as the record of profile, replacing any previous one.
	Save(ctx context.Context, profile string, r *Record) error
	// Delete removes the record of profile; an absent record is not an error.
	Delete(ctx context.Context, profile string) error
}

// ErrNotFound is returned by Load, and by Profiles.Backend, for a profile
// that has nothing stored.
var ErrNotFound = errors.New("no stored login")

var (
	_ Store = (*Keyring)(nil)
	_ Store = (*File)(nil)
	_ Store = None{}
)

// Open returns the backend named name ("keyring", "file" or "none"); the
// file backend keeps its records in p.TokensDir().
func Open(name string, p Paths) (Store, error) {
	switch name {
	case BackendKeyring:
		return &Keyring{}, nil
	case BackendFile:
		if p.Root == "" {
			// TokensDir would be relative: tokens wherever the CLI was started.
			return nil, errors.New("file store: no config directory")
		}
		return &File{Dir: p.TokensDir()}, nil
	case BackendNone:
		return None{}, nil
	}
	return nil, fmt.Errorf("unknown store %q: want %s, %s or %s", name, BackendKeyring, BackendFile, BackendNone)
}
