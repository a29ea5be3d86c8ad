package profile

import (
	"context"
	"errors"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Shared is a store a fleet shares (etcd or Redis) as a Store. Its Name is
// its URL without the password, which is also what a profile note of a
// login stored there keeps, so that Config.Open finds it again. Its
// versions are real: a Save over a record written since it was read is
// ErrChanged, whatever the lease.
func Shared(s *sharedstore.Store) Store { return shared{s} }

type shared struct{ s *sharedstore.Store }

func (sh shared) Name() string { return sh.s.String() }

func (sh shared) Load(ctx context.Context, profile string) (*tokenstore.Record, Version, error) {
	r, v, err := sh.s.Load(ctx, profile)
	return r, v, err
}

func (sh shared) Save(ctx context.Context, profile string, r *tokenstore.Record, v Version) error {
	err := sh.s.Save(ctx, profile, r, v)
	if errors.Is(err, tokenstore.ErrChanged) {
		return ErrChanged
	}
	return err
}

func (sh shared) Delete(ctx context.Context, profile string) error {
	err := sh.s.Delete(ctx, profile)
	if errors.Is(err, tokenstore.ErrChanged) {
		return ErrChanged
	}
	return err
}

func (sh shared) Lock(ctx context.Context, profile string, wait time.Duration) (func() error, error) {
	return sh.s.Lock(ctx, profile, wait)
}

// SharedStore returns the shared store s stands for, if it is one.
func SharedStore(s Store) (*sharedstore.Store, bool) {
	sh, ok := s.(shared)
	return sh.s, ok
}

// ClearShared logs profile name out of the shared store s: under its
// lease (a refresh in flight saves first and is then removed), it removes
// the record, whatever state it is in. Nothing on this machine is
// touched. A profile with no record there is a *NothingStoredError.
func (c *Config) ClearShared(ctx context.Context, name string, s Store) error {
	unlock, err := c.In(name, s).lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	_, _, err = s.Load(ctx, name)
	var ce *tokenstore.CorruptError
	switch {
	case errors.Is(err, tokenstore.ErrNotFound):
		return &NothingStoredError{Profile: name}
	case err != nil && !errors.As(err, &ce):
		return err
	}
	return s.Delete(ctx, name)
}

// awaitOther is how a runner waits while another one holds a shared
// store's lease, before it takes the lease itself: it reads the record
// again now and then, and when the other has stored an access token as
// fresh as w asks, returns it, with no lease taken and nothing written. So
// a burst of runners on an expired token makes one refresh, and the rest
// each read, instead of taking the lease one after another. It returns nil
// once the lease is free (or cannot be read): the caller goes on to
// Update, which takes the lease and reads again under it.
func (p *Profile) awaitOther(ctx context.Context, rec *tokenstore.Record, w Want) *tokenstore.Record {
	s, ok := SharedStore(p.Store)
	if !ok {
		return nil
	}
	wait := p.cfg.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	deadline := time.Now().Add(wait)
	var notice *time.Timer
	if p.cfg.OnLockWait != nil {
		said := make(chan struct{})
		notice = time.AfterFunc(lockNoticeAfter, func() { defer close(said); p.cfg.OnLockWait(p.Name) })
		defer func() {
			if !notice.Stop() {
				<-said
			}
		}()
	}
	if p.cfg.BeforeWait != nil {
		p.cfg.BeforeWait(ctx)
	}
	poll := awaitPoll
	for time.Now().Before(deadline) {
		held, err := s.LeaseHeld(ctx, p.Name)
		if err != nil || !held {
			return nil
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(sharedstore.Jitter(poll)):
		}
		// A quick refresh is seen at once; a Kakao that hangs is not
		// asked about by a whole fleet forty times a second.
		poll = min(poll*3/2, maxAwaitPoll)
		if now, ok := p.reread(ctx, rec, w, ""); ok {
			return now
		}
	}
	return nil
}

// awaitPoll is how soon awaitOther first looks again: a refresh takes a
// Kakao round trip, so a runner learns of a quick one about this much
// later; it then looks less and less often, down to maxAwaitPoll.
const (
	awaitPoll    = 25 * time.Millisecond
	maxAwaitPoll = 400 * time.Millisecond
)
