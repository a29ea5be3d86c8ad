package sharedstore

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// DefaultLeaseTTL is how long a refresh lease lives when its holder dies
// without releasing it: longer than a refresh may take (the token request
// is bounded well under it), short enough that a killed process delays the
// others by at most this much.
const DefaultLeaseTTL = 60 * time.Second

// lockRetry is how often Lock tries again while another runner holds the
// lease: short next to a refresh, long enough not to load the engine.
const lockRetry = 50 * time.Millisecond

// Store keeps profiles' records in a shared engine: the record of profile
// P at Prefix+"profiles/"+P, its lease at Prefix+"locks/"+P. Its method set
// is the profile package's store seam; Version values are Version.
type Store struct {
	Engine   Engine
	Prefix   string
	LeaseTTL time.Duration // DefaultLeaseTTL when zero
	cfg      *Config
}

// OpenStore parses a --store URL and returns its Store; nothing is dialled
// yet.
func OpenStore(raw string, getenv func(string) string) (*Store, error) {
	c, err := Parse(raw, getenv)
	if err != nil {
		return nil, err
	}
	e, err := Open(c)
	if err != nil {
		return nil, err
	}
	return &Store{Engine: e, Prefix: c.Prefix, LeaseTTL: c.LeaseTTL, cfg: c}, nil
}

// Name returns EngineEtcd or EngineRedis.
func (s *Store) Name() string { return s.Engine.Name() }

// String is the store's URL without its password, for messages.
func (s *Store) String() string {
	if s.cfg != nil {
		return s.cfg.String()
	}
	return s.Engine.Name() + "://" + s.Engine.Addr() + "/" + s.Prefix
}

// Close frees the engine's connections.
func (s *Store) Close() error { return s.Engine.Close() }

func (s *Store) recordKey(profile string) (string, error) {
	if err := tokenstore.CheckProfile(profile); err != nil {
		return "", err
	}
	return s.Prefix + "profiles/" + profile, nil
}

// Load returns the record of profile and its version (a Version), or
// tokenstore.ErrNotFound. A record that does not decode is a
// *tokenstore.CorruptError naming the key; it is left as it is.
func (s *Store) Load(ctx context.Context, profile string) (*tokenstore.Record, any, error) {
	key, err := s.recordKey(profile)
	if err != nil {
		return nil, nil, err
	}
	data, v, err := s.Engine.Get(ctx, key)
	if err != nil {
		return nil, nil, err
	}
	if v == "" {
		return nil, nil, tokenstore.ErrNotFound
	}
	r, err := tokenstore.Decode(data)
	if err != nil {
		var ce *tokenstore.CorruptError
		if errors.As(err, &ce) {
			ce.Where = fmt.Sprintf("%s key %q", s.Engine.Name(), key)
		}
		return nil, nil, err
	}
	return r, v, nil
}

// version turns what Load returned back into a Version; nil is "absent".
func version(v any) (Version, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case Version:
		return v, nil
	}
	return "", fmt.Errorf("not a shared-store version: %T", v)
}

// Save writes r as the record of profile only if the stored one is still
// at version v; tokenstore.ErrChanged when it is not: another runner wrote
// it since it was read. A nil v is a login's save, which replaces whatever
// is stored (the profile's seam): it is still a compare-and-set, on the
// version read just before, so it too fails rather than overwrite a
// record written in between.
func (s *Store) Save(ctx context.Context, profile string, r *tokenstore.Record, v any) error {
	key, err := s.recordKey(profile)
	if err != nil {
		return err
	}
	ver, err := version(v)
	if err != nil {
		return err
	}
	if v == nil {
		if _, ver, err = s.Engine.Get(ctx, key); err != nil {
			return err
		}
	}
	return s.put(ctx, key, r, ver)
}

// Create writes r as the record of profile only if there is none:
// tokenstore.ErrChanged when there is.
func (s *Store) Create(ctx context.Context, profile string, r *tokenstore.Record) error {
	key, err := s.recordKey(profile)
	if err != nil {
		return err
	}
	return s.put(ctx, key, r, "")
}

func (s *Store) put(ctx context.Context, key string, r *tokenstore.Record, ver Version) error {
	data, err := tokenstore.Encode(r)
	if err != nil {
		return err
	}
	ok, err := s.Engine.CompareAndSwap(ctx, key, ver, data)
	if err != nil {
		return err
	}
	if !ok {
		return tokenstore.ErrChanged
	}
	return nil
}

// Delete removes the record of profile; none is not an error. It reads the
// version first and deletes only that one, so a login saved meanwhile by
// another runner is never removed: that is tokenstore.ErrChanged.
func (s *Store) Delete(ctx context.Context, profile string) error {
	key, err := s.recordKey(profile)
	if err != nil {
		return err
	}
	_, v, err := s.Engine.Get(ctx, key)
	if err != nil || v == "" {
		return err
	}
	ok, err := s.Engine.DeleteIf(ctx, key, v)
	if err != nil {
		return err
	}
	if !ok {
		return tokenstore.ErrChanged
	}
	return nil
}

// Profiles returns the names of the profiles stored, sorted.
func (s *Store) Profiles(ctx context.Context) ([]string, error) {
	pre := s.Prefix + "profiles/"
	keys, err := s.Engine.List(ctx, pre)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, k := range keys {
		name := strings.TrimPrefix(k, pre)
		if tokenstore.CheckProfile(name) == nil {
			names = append(names, name)
		}
	}
	return names, nil
}

// Lease is how long a lease of s lasts when its holder dies.
func (s *Store) Lease() time.Duration {
	if s.LeaseTTL <= 0 {
		return DefaultLeaseTTL
	}
	return s.LeaseTTL
}

// Lock takes the lease of profile, waiting at most wait for another
// runner's to be released or to expire: a *tokenstore.LockTimeoutError
// when it is still held then. unlock releases it only if it is still this
// lease (one that expired meanwhile may be someone else's now); calling it
// again does nothing.
func (s *Store) Lock(ctx context.Context, profile string, wait time.Duration) (unlock func() error, err error) {
	if err := tokenstore.CheckProfile(profile); err != nil {
		return nil, err
	}
	release, err := Acquire(ctx, s.Engine, s.Prefix+"locks/"+profile, s.Lease(), wait)
	if errors.Is(err, ErrHeld) {
		return nil, &tokenstore.LockTimeoutError{Profile: profile, Waited: wait}
	}
	if err != nil {
		return nil, err
	}
	var once sync.Once
	var uerr error
	return func() error {
		once.Do(func() {
			// Not the caller's ctx: a cancelled run still frees its lease
			// rather than make the others wait out its TTL.
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			uerr = release(ctx)
		})
		return uerr
	}, nil
}

// Durability warns, once at login, of an engine set up so that a restart
// can lose a write: a Redis without an append-only file. "" when all is
// well or the engine will not say.
func (s *Store) Durability(ctx context.Context) string {
	if r, ok := s.Engine.(*redis); ok {
		return r.durability(ctx)
	}
	return ""
}

// LeaseHeld reports whether someone holds the lease of profile now: one
// read, no lease taken.
func (s *Store) LeaseHeld(ctx context.Context, profile string) (bool, error) {
	if err := tokenstore.CheckProfile(profile); err != nil {
		return false, err
	}
	_, v, err := s.Engine.Get(ctx, s.Prefix+"locks/"+profile)
	return v != "", err
}

// Acquire tries e.Acquire until it succeeds, ctx ends or wait has passed
// (ErrHeld then); a wait of zero or less means one try.
func Acquire(ctx context.Context, e Engine, key string, ttl, wait time.Duration) (func(context.Context) error, error) {
	deadline := time.Now().Add(wait)
	for {
		release, err := e.Acquire(ctx, key, ttl)
		if !errors.Is(err, ErrHeld) {
			return release, err
		}
		if !time.Now().Add(lockRetry).Before(deadline) {
			return nil, ErrHeld
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(Jitter(lockRetry)):
		}
	}
}

// Jitter is d give or take a quarter, so that runners which started
// waiting together do not all ask the engine again at the same moment.
func Jitter(d time.Duration) time.Duration {
	return d*3/4 + time.Duration(rand.Int64N(int64(d/2)+1))
}
