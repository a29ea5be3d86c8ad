package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// refreshResult says what ensureFresh did.
type refreshResult struct {
	refreshed bool // this process refreshed
	byOther   bool // another process refreshed while we waited for the lock
	rotated   bool // Kakao issued a new refresh token
	previous  *tokenstore.Record
}

// freshness is how fresh a caller needs the access token to be.
type freshness struct {
	// minTTL is the least life left that needs no refresh.
	minTTL time.Duration
	// force refreshes even so, unless another process refreshed while
	// this one waited for the lock.
	force bool
	// refused is an access token Kakao refused (-401): it is refreshed
	// unless the store already holds another one.
	refused string
}

// ensureFresh is the one refresh path of a stored profile. It returns the
// profile's record with an access token as fresh as f asks, refreshing it
// when needed. The refresh runs under the profile's cross-process lock,
// re-reading the record after taking it, so concurrent processes make one
// refresh between them; the new record is saved before it is returned, so a
// rotated refresh token is never lost. A failed refresh leaves the stored
// record untouched.
func ensureFresh(ctx context.Context, d *Deps, s *stored, secret string, f freshness) (*tokenstore.Record, refreshResult, error) {
	rec, err := s.load(ctx)
	if err != nil {
		return nil, refreshResult{}, err
	}
	if f.force && f.refused == "" {
		// Forcing means: this token is not good enough.
		f.refused = rec.AccessToken
	}
	if f.refused == "" && rec.Expiry.Sub(d.Now()) > f.minTTL {
		return rec, refreshResult{}, nil
	}

	// From here on a Ctrl-C must end the wait or the refresh cleanly,
	// letting go of the lock.
	catchInterrupts(ctx)
	unlock, err := lockProfile(ctx, d, s.paths, s.profile)
	if err != nil {
		return nil, refreshResult{}, err
	}
	defer unlock()

	cur, err := s.load(ctx)
	if err != nil {
		return nil, refreshResult{}, err
	}
	now := d.Now()
	if cur.Expiry.Sub(now) > f.minTTL && (f.refused == "" || cur.AccessToken != f.refused) {
		// Fresh enough: another process refreshed while this one waited.
		return cur, refreshResult{byOther: cur.AccessToken != rec.AccessToken, previous: rec}, nil
	}
	if cur.RefreshToken == "" {
		return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "no refresh token is stored"}
	}
	if !cur.RefreshExpiry.IsZero() && !now.Before(cur.RefreshExpiry) {
		return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "the refresh token expired on " + rfc3339(cur.RefreshExpiry)}
	}
	if err := s.checkServers(d, cur); err != nil {
		return nil, refreshResult{}, err
	}
	next, rotated, err := refreshRecord(ctx, d, cur, secretFor(d, cur, secret))
	if err != nil {
		var ke *kakao.Error
		if errors.As(err, &ke) && ke.OAuthError == "invalid_grant" {
			return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "Kakao rejected the refresh token" + ke.Detail()}
		}
		if errors.As(err, &ke) && ke.KOE == "KOE010" && cur.ClientSecret != "" {
			// The stored secret is the one used; another given now is not.
			return nil, refreshResult{}, &hintedError{err: err,
				hint: "Kakao refused the client secret stored with the profile (was it reissued?): run " + loginCommand(s.profile) + " with the new one"}
		}
		return nil, refreshResult{}, s.explain(cur, err)
	}
	res := refreshResult{refreshed: true, rotated: rotated, previous: cur}
	// A logout waits for this lock, but a profile removed without it (by
	// hand, or by an older kakao-auth) must not come back either.
	if err := s.stillStored(ctx); err != nil {
		return nil, refreshResult{}, err
	}
	if err := s.store.Save(ctx, s.profile, next); err != nil {
		if res.rotated {
			return nil, res, withStoreHint(fmt.Errorf("save the refreshed tokens: %w (Kakao rotated the refresh token, so the stored one no longer works; the login must be repeated if this cannot be fixed)", err), s.profile)
		}
		return nil, res, withStoreHint(fmt.Errorf("save the refreshed tokens: %w", err), s.profile)
	}
	return next, res, nil
}

// warnMinTTLUnmet warns when a refresh this run made (res) left the access
// token, rec's, with less than minTTL: Kakao's access tokens do not live
// that long, so every run with this --min-ttl refreshes again, in vain, and
// a loop of them meets Kakao's rate limit. A token another process
// refreshed meanwhile is never short: ensureFresh takes it only when it
// has more than minTTL left.
func warnMinTTLUnmet(d *Deps, rec *tokenstore.Record, res refreshResult, minTTL time.Duration) {
	if left := rec.Expiry.Sub(d.Now()); res.refreshed && left < minTTL {
		warnf(d, "the access token has %s left though it was just refreshed, less than --min-ttl %s: Kakao's access tokens do not live that long, so every run refreshes; ask for less with --min-ttl", human(left), human(minTTL))
	}
}

// refreshRecord is the one refresh of a login, stored or env-only: it
// trades cur's refresh token for new tokens, verifies any ID token against
// the login's nonce before anything else sees it, and returns cur updated
// (not saved) and whether Kakao rotated the refresh token.
func refreshRecord(ctx context.Context, d *Deps, cur *tokenstore.Record, secret string) (*tokenstore.Record, bool, error) {
	client := &kakao.Client{
		ClientID:     cur.ClientID,
		ClientSecret: secret,
		AuthURL:      cur.AuthURL,
		HTTPClient:   d.HTTPClient,
		Now:          d.Now,
	}
	tok, err := client.Refresh(ctx, cur.RefreshToken)
	if err != nil {
		return nil, false, fmt.Errorf("refresh: %w", err)
	}
	if tok.IDToken != "" {
		v := &kakao.IDVerifier{ClientID: cur.ClientID, AuthURL: client.AuthURL, HTTPClient: d.HTTPClient, Now: d.Now, KeyCacheDir: keyCacheDir(d)}
		if _, err := v.Verify(ctx, tok.IDToken, cur.Nonce, true); err != nil {
			return nil, false, fmt.Errorf("refresh: %w", err)
		}
	}
	next := *cur
	rotated := applyToken(&next, tok)
	return &next, rotated, nil
}

// applyToken is the one mapping of a token response onto a login's record,
// for a login and for every refresh. It reports whether the response
// brought a new refresh token.
func applyToken(rec *tokenstore.Record, tok *kakao.Token) (rotated bool) {
	rec.AccessToken = tok.AccessToken
	rec.TokenType = tok.TokenType
	rec.Expiry = tok.Expiry
	if len(tok.Scopes) > 0 {
		rec.Scopes = tok.Scopes
	}
	if tok.IDToken != "" {
		rec.IDToken = tok.IDToken
	}
	// Kakao omits refresh_token unless it rotated it; keep the old one then.
	if tok.RefreshToken == "" {
		return false
	}
	rec.RefreshToken, rec.RefreshExpiry = tok.RefreshToken, tok.RefreshExpiry
	return true
}

// secretFor picks the client secret a stored profile refreshes with. A
// secret stays with its app: the one stored at login wins. The secret
// given for this run (KAKAO_CLIENT_SECRET or --client-secret-file) serves
// only a profile that stored none, and not when KAKAO_CLIENT_ID names
// another app than the profile's.
func secretFor(d *Deps, rec *tokenstore.Record, given string) string {
	if rec.ClientSecret != "" {
		return rec.ClientSecret
	}
	if id := d.Getenv(envClientID); id != "" && id != rec.ClientID {
		return ""
	}
	return given
}
