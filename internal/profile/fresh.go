package profile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Want is how fresh a caller needs the access token to be, and the client
// secret given for this run.
type Want struct {
	// MinTTL is the least life left that needs no refresh.
	MinTTL time.Duration
	// Force refreshes even so, unless another process refreshed while
	// this one waited for the lock.
	Force bool
	// Refused is an access token Kakao refused (-401): it is refreshed
	// unless the store already holds another one.
	Refused string
	// Secret is the client secret given for this run (environment or
	// file), for a login that stored none; SecretApp, when set, is the
	// app (client id) it was given for: a login of another app does not
	// get it.
	Secret, SecretApp string
}

// Result says what a refresh did.
type Result struct {
	Refreshed bool // this process refreshed
	Refused   bool // it refreshed because Kakao refused the access token
	ByOther   bool // another process refreshed while this one waited for the lock
	Rotated   bool // Kakao issued a new refresh token (saved)
	// Previous is the record before: the one this process refreshed, or
	// the one it read before another process refreshed it.
	Previous *tokenstore.Record
}

// Fresh is the one refresh path of a stored profile. It returns the
// profile's record with an access token as fresh as w asks, refreshing it
// when needed. A token fresh enough is used as read, with no lock and no
// write. Otherwise the refresh runs in Update (lock, re-read, refresh only
// if still due, save, unlock), so concurrent processes make one refresh
// between them, and the new record is saved before it is returned, so a
// rotated refresh token is never lost. A failed refresh leaves the stored
// record untouched. On an error, Result.Previous is the record as read
// (nil when none could be), for the error's explanation.
func (p *Profile) Fresh(ctx context.Context, w Want) (*tokenstore.Record, Result, error) {
	rec, err := p.Load(ctx)
	if err != nil {
		return nil, Result{}, err
	}
	return p.fresh(ctx, rec, w)
}

// fresh is Fresh with the record already read.
func (p *Profile) fresh(ctx context.Context, rec *tokenstore.Record, w Want) (*tokenstore.Record, Result, error) {
	if w.Force && w.Refused == "" {
		// Forcing means: this token is not good enough.
		w.Refused = rec.AccessToken
	}
	if w.Refused == "" && rec.Expiry.Sub(p.cfg.now()) > w.MinTTL {
		return rec, Result{}, nil
	}
	if now := p.awaitOther(ctx, rec, w); now != nil {
		return now, Result{ByOther: true, Previous: rec}, nil
	}
	var res Result
	refused := "" // the refresh token Kakao refused, when it did
	next, err := p.update(ctx, false, func(cur *tokenstore.Record) error {
		now := p.cfg.now()
		if cur.Expiry.Sub(now) > w.MinTTL && (w.Refused == "" || cur.AccessToken != w.Refused) {
			// Fresh enough: another process refreshed while this one waited.
			res = Result{ByOther: cur.AccessToken != rec.AccessToken, Previous: rec}
			return nil
		}
		if cur.RefreshToken == "" {
			return &LoginRequiredError{Profile: p.Name, Reason: "no refresh token is stored"}
		}
		if !cur.RefreshExpiry.IsZero() && !now.Before(cur.RefreshExpiry) {
			return &LoginRequiredError{Profile: p.Name, Reason: "the refresh token expired on " + cur.RefreshExpiry.UTC().Format(time.RFC3339)}
		}
		if p.cfg.Vet != nil {
			if err := p.cfg.Vet(p.Name, cur); err != nil {
				return err
			}
		}
		prev := clone(cur)
		rotated, err := p.cfg.refresh(ctx, cur, secretFor(cur, w))
		if err != nil {
			var ke *kakao.Error
			switch {
			case errors.As(err, &ke) && ke.OAuthError == "invalid_grant":
				// Read under the lock: the store holds the very token
				// Kakao refused, not one another process got since (a
				// shared store's lease may have run out meanwhile: see
				// reread).
				refused = cur.RefreshToken
				return &LoginRequiredError{Profile: p.Name, Reason: "Kakao rejected the refresh token" + ke.Detail()}
			case errors.As(err, &ke) && ke.KOE == "KOE010" && prev.ClientSecret != "":
				// The stored secret is the one used; another given now is not.
				return &StoredSecretRefusedError{Profile: p.Name, Err: err}
			}
			return err
		}
		res = Result{Refreshed: true, Refused: w.Refused != "" && !w.Force, Rotated: rotated, Previous: prev}
		return nil
	})
	if err != nil && (refused != "" || errors.Is(err, ErrChanged)) {
		// The record changed behind this process's back (a shared store
		// whose lease ran out while Kakao was slow): the write was refused,
		// or Kakao refused a token another runner had rotated away. The
		// record stored now may serve; only when it still holds the token
		// Kakao refused is a new login needed.
		if now, ok := p.reread(ctx, rec, w, refused); ok {
			return now, Result{ByOther: true, Previous: rec}, nil
		}
	}
	var se *SaveError
	switch {
	case errors.As(err, &se) && res.Rotated:
		return nil, res, fmt.Errorf("save the refreshed tokens: %w (Kakao rotated the refresh token, so the stored one no longer works; the login must be repeated if this cannot be fixed)", se.Err)
	case errors.As(err, &se):
		return nil, res, fmt.Errorf("save the refreshed tokens: %w", se.Err)
	case err != nil:
		return nil, Result{Previous: rec}, err
	}
	return next, res, nil
}

// reread loads the record again after a refresh that failed because the
// record changed behind this process's back, and returns it when its
// access token is as fresh as w asks and it no longer holds refused (the
// refresh token Kakao refused, "" when the failure was the write).
func (p *Profile) reread(ctx context.Context, rec *tokenstore.Record, w Want, refused string) (*tokenstore.Record, bool) {
	now, _, err := p.Store.Load(ctx, p.Name)
	switch {
	case err != nil,
		refused != "" && now.RefreshToken == refused,
		now.Expiry.Sub(p.cfg.now()) <= w.MinTTL,
		w.Refused != "" && now.AccessToken == w.Refused,
		now.AccessToken == rec.AccessToken:
		return nil, false
	}
	p.saw(now)
	return now, true
}

// refresh is the one refresh of a login, stored or env-only: it trades
// rec's refresh token for new tokens, verifies any ID token against the
// login's nonce before anything else sees it, and updates rec (unsaved).
// It reports whether Kakao rotated the refresh token; on an error rec is
// as it was.
func (c *Config) refresh(ctx context.Context, rec *tokenstore.Record, secret string) (rotated bool, err error) {
	if c.BeforeWait != nil {
		c.BeforeWait(ctx)
	}
	client := &kakao.Client{
		ClientID:     rec.ClientID,
		ClientSecret: secret,
		AuthURL:      rec.AuthURL,
		HTTPClient:   c.HTTPClient,
		Now:          c.Now,
	}
	tok, err := client.Refresh(ctx, rec.RefreshToken)
	if err != nil {
		return false, fmt.Errorf("refresh: %w", err)
	}
	if tok.IDToken != "" {
		v := &kakao.IDVerifier{ClientID: rec.ClientID, AuthURL: client.AuthURL, HTTPClient: c.HTTPClient, Now: c.Now, KeyCacheDir: c.KeyCacheDir}
		if _, err := v.Verify(ctx, tok.IDToken, rec.Nonce, true); err != nil {
			return false, fmt.Errorf("refresh: %w", err)
		}
	}
	return Apply(rec, tok), nil
}

// Apply is the one mapping of a token response onto a login's record, for
// a login and for every refresh. It reports whether the response brought
// a new refresh token.
func Apply(rec *tokenstore.Record, tok *kakao.Token) (rotated bool) {
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

// secretFor picks the client secret a stored login refreshes with. A
// secret stays with its app: the one stored at login wins. The secret
// given for this run serves only a login that stored none, and not one of
// another app than the one it was given for.
func secretFor(rec *tokenstore.Record, w Want) string {
	if rec.ClientSecret != "" {
		return rec.ClientSecret
	}
	if w.SecretApp != "" && w.SecretApp != rec.ClientID {
		return ""
	}
	return w.Secret
}
