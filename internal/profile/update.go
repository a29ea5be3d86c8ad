package profile

import (
	"context"
	"fmt"
	"slices"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// SaveError is a change that was made but could not be stored.
type SaveError struct {
	Profile string
	Err     error
}

func (e *SaveError) Error() string {
	return fmt.Sprintf("save profile %q: %v", e.Profile, e.Err)
}

func (e *SaveError) Unwrap() error { return e.Err }

// Update changes the profile's login: it takes the profile's lock,
// re-reads the record, checks that it is still the login p is of (the one
// it last read or saved), calls change with a copy, saves the copy when
// change changed it (over the version it read) and lets go of the lock.
// It returns the record as stored. A profile logged out meanwhile is a
// *LoginRequiredError and one logged in again a *ReplacedError: change is
// not called, and nothing is written. An error from change is returned
// as it is, and nothing is written either.
func (p *Profile) Update(ctx context.Context, change func(*tokenstore.Record) error) (*tokenstore.Record, error) {
	return p.update(ctx, true, change)
}

// update is Update; with thisLogin false, change gets whatever login the
// profile holds now (a refresh serves any login of the profile).
func (p *Profile) update(ctx context.Context, thisLogin bool, change func(*tokenstore.Record) error) (*tokenstore.Record, error) {
	unlock, err := p.lock(ctx)
	if err != nil {
		return nil, err
	}
	defer unlock()
	cur, v, err := p.current(ctx)
	if err != nil {
		return nil, err
	}
	if thisLogin && !p.isOf(cur) {
		return nil, &ReplacedError{Profile: p.Name}
	}
	next := clone(cur)
	if err := change(next); err != nil {
		return nil, err
	}
	if next.Equal(cur) {
		p.saw(cur)
		return cur, nil
	}
	// change may have taken a while (a refresh): a profile removed
	// meanwhile by something that does not take the lock (a person, an
	// older kakao-auth) must not come back. A store that tells versions
	// refuses the write then anyway.
	if _, _, err := p.current(ctx); err != nil {
		return nil, err
	}
	if err := p.Store.Save(ctx, p.Name, next, v); err != nil {
		return nil, &SaveError{Profile: p.Name, Err: err}
	}
	p.saw(next)
	return next, nil
}

// clone is a copy of r that shares nothing with it.
func clone(r *tokenstore.Record) *tokenstore.Record {
	c := *r
	c.Scopes = slices.Clone(r.Scopes)
	return &c
}
