package cmd

import (
	"time"

	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
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
