package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envStore names the default token store backend.
const envStore = "KAKAO_AUTH_STORE"

// profiles is the token lifecycle (package profile) as this run's Deps
// make it: its stores, clock and HTTP client, the lock notice on stderr,
// Ctrl-C caught before anything waits, and the cleartext check of a
// login's servers before a refresh sends them a secret.
func profiles(d *Deps) (*profile.Config, error) {
	paths, err := d.Paths()
	if err != nil {
		return nil, err
	}
	cfg := lifecycle(d)
	cfg.Paths = paths
	cfg.Open = func(name string) (profile.Store, error) {
		s, err := d.OpenStore(name, paths)
		if err != nil {
			return nil, err
		}
		return profile.Local(s, paths), nil
	}
	return cfg, nil
}

// lifecycle is profiles without the stores, for env-only mode, which has
// none.
func lifecycle(d *Deps) *profile.Config {
	return &profile.Config{
		HTTPClient:  d.HTTPClient,
		Now:         d.Now,
		KeyCacheDir: keyCacheDir(d),
		OnLockWait: func(name string) {
			notef(d, "waiting for another kakao-auth using profile %q…", name)
		},
		BeforeWait: catchInterrupts,
		Vet: func(name string, rec *tokenstore.Record) error {
			return checkServers(d, name, rec)
		},
		Warnf: func(format string, args ...any) { warnf(d, format, args...) },
	}
}

// stored is a stored profile as commands use it: the core's Profile, and
// where this machine keeps profiles, for messages.
type stored struct {
	*profile.Profile
	paths tokenstore.Paths
}

// openStored finds the backend that holds profile. A profile never stored
// is a login-required error.
func openStored(d *Deps, name string) (*stored, error) {
	cfg, err := profiles(d)
	if err != nil {
		return nil, err
	}
	if url := sharedStoreURL(d); url != "" {
		st, err := openShared(d, url)
		if err != nil {
			return nil, err
		}
		waitFor(cfg, st)
		return &stored{Profile: cfg.In(name, st), paths: cfg.Paths}, nil
	}
	p, err := cfg.Find(name)
	if errors.Is(err, tokenstore.ErrNotFound) {
		others, _ := tokenstore.Profiles{Dir: cfg.Paths.ProfilesDir()}.List()
		return nil, &loginRequiredError{profile: name, others: others,
			needsClientID: name != emulatorProfile && d.Getenv(envClientID) == ""}
	}
	if err != nil {
		return nil, withRefusedHint(err, name)
	}
	return &stored{Profile: p, paths: cfg.Paths}, nil
}

// load reads the profile's record; a missing one means login required.
func (s *stored) load(ctx context.Context) (*tokenstore.Record, error) {
	rec, err := s.Load(ctx)
	if err != nil {
		return nil, s.explain(nil, err)
	}
	return rec, nil
}

// fresh is the profile's record with an access token as fresh as w asks
// (profile.Fresh, the one refresh path), its errors explained.
func (s *stored) fresh(ctx context.Context, d *Deps, secret string, w profile.Want) (*tokenstore.Record, profile.Result, error) {
	w.Secret, w.SecretApp = secret, d.Getenv(envClientID)
	rec, res, err := s.Fresh(ctx, w)
	if err != nil {
		return nil, res, s.explain(res.Previous, err)
	}
	return rec, res, nil
}

// userAPI is Kakao's user API for a stored profile, calling with tokens
// from its token source (which minTTL keeps fresh). rec is the profile's
// record as loaded, whose servers it vets before anything is sent.
func (s *stored) userAPI(ctx context.Context, d *Deps, rec *tokenstore.Record, secret string, minTTL time.Duration) (*kakao.API, *profile.Source, error) {
	if err := checkServers(d, s.Name, rec); err != nil {
		return nil, nil, err
	}
	tokens := s.TokenSource(ctx, rec, profile.Want{MinTTL: minTTL, Secret: secret, SecretApp: d.Getenv(envClientID)})
	return &kakao.API{BaseURL: rec.APIURL, Tokens: tokens, HTTPClient: d.HTTPClient}, tokens, nil
}

// warnMinTTLUnmet warns when a refresh this run made (res) left the access
// token, rec's, with less than minTTL: Kakao's access tokens do not live
// that long, so every run with this --min-ttl refreshes again, in vain, and
// a loop of them meets Kakao's rate limit. A token another process
// refreshed meanwhile is never short: Fresh takes it only when it has more
// than minTTL left.
func warnMinTTLUnmet(d *Deps, rec *tokenstore.Record, res profile.Result, minTTL time.Duration) {
	if left := rec.Expiry.Sub(d.Now()); res.Refreshed && left < minTTL {
		warnf(d, "the access token has %s left though it was just refreshed, less than --min-ttl %s: Kakao's access tokens do not live that long, so every run refreshes; ask for less with --min-ttl", human(left), human(minTTL))
	}
}

// describeStore says where a backend keeps tokens, for messages.
func describeStore(name string, p tokenstore.Paths, profile string) string {
	switch name {
	case tokenstore.BackendKeyring:
		return fmt.Sprintf("the OS keyring (service %q, item %q)", tokenstore.KeyringService, profile)
	case tokenstore.BackendFile:
		return fmt.Sprintf("the file %s/%s.json", p.TokensDir(), profile)
	}
	if sharedstore.IsURL(name) {
		return name + " (key profiles/" + profile + ")"
	}
	return "nowhere (--store none)"
}
