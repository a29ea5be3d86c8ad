package cmd

import (
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
