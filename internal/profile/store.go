package profile

import (
	"context"
	"errors"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Version is a stored record's version as its store tells it: opaque to
// everyone but the store. A store that cannot tell versions gives nil.
type Version any

// Store holds profiles' records: a local backend of tokenstore (file,
// keyring, none, through Local) or a store shared between machines. Update
// writes only under Lock and only over the version it read, so a store
// that can tell versions never lets one writer's record replace another's
// unseen.
type Store interface {
	// Name is the backend's name, for messages and profile notes.
	Name() string
	// Load returns profile's record and its version, or
	// tokenstore.ErrNotFound.
	Load(ctx context.Context, profile string) (*tokenstore.Record, Version, error)
	// Save writes r as profile's record if the stored one is still at
	// version v (nil: whatever is stored, for a login replacing it), and
	// ErrChanged when it is not. A store whose Lock already keeps every
	// other writer out (the local ones) may ignore v.
	Save(ctx context.Context, profile string, r *tokenstore.Record, v Version) error
	// Delete removes profile's record; none is not an error.
	Delete(ctx context.Context, profile string) error
	// Lock keeps other kakao-auth writers of profile out until unlock is
	// called, waiting at most wait for one that holds it; unlock may be
	// called more than once. A lock that can outlive its holder (a lease)
	// must last longer than a refresh.
	Lock(ctx context.Context, profile string, wait time.Duration) (unlock func() error, err error)
}

// ErrChanged is Save's answer when the stored record is no longer the
// version it was read at.
var ErrChanged = errors.New("the stored login changed meanwhile")

// Local is a tokenstore backend as a Store: versions are nil (the lock,
// tokenstore.Lock on a file under p, keeps other writers out), and
// Backend gives the backend back.
func Local(s tokenstore.Store, p tokenstore.Paths) Store {
	return &local{s: s, paths: p}
}

type local struct {
	s     tokenstore.Store
	paths tokenstore.Paths
}

func (l *local) Name() string { return l.s.Name() }

func (l *local) Load(ctx context.Context, profile string) (*tokenstore.Record, Version, error) {
	r, err := l.s.Load(ctx, profile)
	return r, nil, err
}

func (l *local) Save(ctx context.Context, profile string, r *tokenstore.Record, _ Version) error {
	return l.s.Save(ctx, profile, r)
}

func (l *local) Delete(ctx context.Context, profile string) error {
	return l.s.Delete(ctx, profile)
}

func (l *local) Lock(ctx context.Context, profile string, wait time.Duration) (func() error, error) {
	return tokenstore.Lock(ctx, l.paths, profile, wait)
}

// Backend returns the tokenstore backend l stands for.
func (l *local) Backend() tokenstore.Store { return l.s }
