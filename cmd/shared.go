package cmd

import (
	"context"
	"errors"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// sharedStoreURL is the shared store (etcd://…, redis://…, rediss://…)
// that KAKAO_AUTH_STORE names, or "". With one named, every command but
// login finds its profiles there and never in this machine's notes: a
// fleet runner has nothing of its own.
func sharedStoreURL(d *Deps) string {
	if v := d.Getenv(envStore); sharedstore.IsURL(v) {
		return v
	}
	return ""
}

// openShared opens the shared store url names, its credentials from the
// environment. Nothing is dialled yet; a URL or a setting that is wrong is
// a usage error (exit 2) that never shows the password.
func openShared(d *Deps, url string) (profile.Store, error) {
	s, err := sharedstore.OpenStore(url, d.Getenv)
	if err != nil {
		return nil, usagef(`see "kakao-auth help environment" for --store and `+envStore, "%v", err)
	}
	return profile.Shared(s), nil
}

// leaseMargin is how much longer than a lease a runner waits for it: a
// holder that died is waited out, never taken for a stuck lock.
const leaseMargin = 15 * time.Second

// waitFor sets cfg's lock wait for store st: for a shared store, longer
// than its lease, so that a runner killed while it refreshed delays the
// others by at most the lease and never fails them.
func waitFor(cfg *profile.Config, st profile.Store) {
	if s, ok := profile.SharedStore(st); ok {
		cfg.LockWait = max(profile.DefaultLockWait, s.Lease()+leaseMargin)
	}
}

// openLoginStore opens the store a login keeps its tokens in: a backend
// of this machine by name, or a shared store by URL. A store that cannot
// take the tokens fails here, before the browser opens (or the code would
// be spent): a keyring is probed, a shared store read once.
func openLoginStore(ctx context.Context, d *Deps, name string, paths tokenstore.Paths, profileName string) (profile.Store, error) {
	if sharedstore.IsURL(name) {
		st, err := openShared(d, name)
		if err != nil {
			return nil, err
		}
		// A record that does not decode is no reason not to log in: the
		// login replaces it. An engine that does not answer is.
		var ee *sharedstore.EngineError
		if _, _, err := st.Load(ctx, profileName); errors.As(err, &ee) {
			return nil, err
		}
		if s, ok := profile.SharedStore(st); ok {
			if w := s.Durability(ctx); w != "" {
				warnf(d, "%s", w)
			}
		}
		return st, nil
	}
	store, err := d.OpenStore(name, paths)
	if err != nil {
		return nil, err
	}
	if k, ok := store.(interface{ Probe(context.Context) error }); ok {
		if err := k.Probe(ctx); err != nil {
			return nil, err
		}
	}
	return profile.Local(store, paths), nil
}
