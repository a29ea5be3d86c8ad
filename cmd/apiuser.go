package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// apiUser is the login a command calls Kakao's user API as: a stored
// profile's, or env-only mode's (KAKAO_REFRESH_TOKEN).
type apiUser struct {
	api     *kakao.API
	base    string             // the API base URL, the one place its access token goes
	profile string             // "" in env-only mode
	s       *stored            // nil in env-only mode
	rec     *tokenstore.Record // the stored login as loaded; nil in env-only mode
	tokens  *profile.Source    // the login's tokens as handed out
}

// apiUserOptions are what openAPIUser needs beyond the profile.
type apiUserOptions struct {
	profile string
	secret  string        // the client secret given for this run, if any
	minTTL  time.Duration // a stored access token with less left is refreshed first
	rotated string        // env-only mode: where a rotated refresh token goes
}

// openAPIUser finds the login to call Kakao as, vetting its servers; no
// token is sent yet. In env-only mode the first call refreshes.
func openAPIUser(ctx context.Context, d *Deps, o apiUserOptions) (*apiUser, error) {
	if d.Getenv(envRefreshToken) != "" {
		env, err := envLogin(d, o.secret, true)
		if err != nil {
			return nil, err
		}
		tokens := envSource(ctx, d, env, o.secret, o.rotated, "")
		return &apiUser{api: &kakao.API{BaseURL: env.APIURL, Tokens: tokens, HTTPClient: d.HTTPClient}, base: env.APIURL, tokens: tokens}, nil
	}
	s, err := openStored(d, o.profile)
	if err != nil {
		return nil, err
	}
	rec, err := s.load(ctx)
	if err != nil {
		return nil, err
	}
	api, tokens, err := s.userAPI(ctx, d, rec, o.secret, o.minTTL)
	if err != nil {
		return nil, err
	}
	return &apiUser{api: api, base: baseURL(rec.APIURL, kakao.DefaultAPIURL), profile: o.profile, s: s, rec: rec, tokens: tokens}, nil
}

// warnMinTTLUnmet warns, as "token" does, when this run's refreshes left
// the stored profile's access token with less than minTTL. Env-only mode
// refreshes on every run whatever --min-ttl says: nothing to warn about.
func (u *apiUser) warnMinTTLUnmet(d *Deps, minTTL time.Duration) {
	if u.s != nil {
		warnMinTTLUnmet(d, u.tokens.Record(), u.tokens.Result(), minTTL)
	}
}

// newCISecret is the way to a new CI secret in env-only mode: a login
// (with args) where a browser is, then an export.
func newCISecret(args ...string) string {
	return loginCommand(DefaultProfile, args...) + " on a machine with a browser, then " + suggest("export", DefaultProfile) + " to refresh the CI secret"
}

// explain gives a kapi error the hint its login calls for: for a stored
// profile withAPIHint's, naming the profile (or, for a login against a
// loopback emulator that is gone, how to get a working one); in env-only
// mode, the way to a new CI secret.
func (u *apiUser) explain(err error) error {
	if u.s != nil {
		return u.s.explain(u.rec, err)
	}
	var ae *kakao.APIError
	switch {
	case !errors.As(err, &ae):
		return explainEnvRefresh(err)
	case ae.InvalidToken():
		return &hintedError{err: fmt.Errorf("%w: Kakao does not accept the access token just refreshed with %s (%w)", ErrLoginRequired, envRefreshToken, ae),
			hint: "the login is gone (the app unlinked, say): run " + newCISecret()}
	case ae.Code == -402:
		return &hintedError{err: err, hint: ae.ConsentHint(newCISecret("--scope", strings.Join(ae.RequiredScopes, ",")))}
	}
	return err
}
