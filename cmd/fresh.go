package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// lockWait bounds how long a process waits for another one's refresh: more
// than one token call's timeout, so a slow refresh is waited out.
const lockWait = 45 * time.Second

// refreshResult says what ensureFresh did.
type refreshResult struct {
	refreshed bool // this process refreshed
	byOther   bool // another process refreshed while we waited for the lock
	rotated   bool // Kakao issued a new refresh token
	previous  *tokenstore.Record
}

// ensureFresh returns the profile's record with an access token valid for at
// least minTTL, refreshing it when needed (or always, with force). The
// refresh runs under the profile's cross-process lock, re-reading the record
// after taking it, so concurrent processes make one refresh between them; the
// new record is saved before it is returned, so a rotated refresh token is
// never lost. A failed refresh leaves the stored record untouched.
func ensureFresh(ctx context.Context, d *Deps, s *stored, secret string, minTTL time.Duration, force bool) (*tokenstore.Record, refreshResult, error) {
	rec, err := s.load(ctx)
	if err != nil {
		return nil, refreshResult{}, err
	}
	if !force && rec.Expiry.Sub(d.Now()) > minTTL {
		return rec, refreshResult{}, nil
	}

	unlock, err := tokenstore.Lock(ctx, s.paths, s.profile, lockWait)
	if err != nil {
		return nil, refreshResult{}, err
	}
	defer unlock()

	cur, err := s.load(ctx)
	if err != nil {
		return nil, refreshResult{}, err
	}
	now := d.Now()
	if cur.AccessToken != rec.AccessToken && cur.Expiry.Sub(now) > minTTL {
		return cur, refreshResult{byOther: true, previous: rec}, nil
	}
	if !force && cur.Expiry.Sub(now) > minTTL {
		return cur, refreshResult{}, nil
	}
	if cur.RefreshToken == "" {
		return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "no refresh token is stored"}
	}
	if !cur.RefreshExpiry.IsZero() && !now.Before(cur.RefreshExpiry) {
		return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "the refresh token expired on " + cur.RefreshExpiry.UTC().Format(time.RFC3339)}
	}

	if err := s.checkServers(d, cur); err != nil {
		return nil, refreshResult{}, err
	}
	client := &kakao.Client{
		ClientID:     cur.ClientID,
		ClientSecret: secretFor(d, cur, secret),
		AuthURL:      cur.AuthURL,
		HTTPClient:   d.HTTPClient,
	}
	tok, err := client.Refresh(ctx, cur.RefreshToken)
	if err != nil {
		var ke *kakao.Error
		if errors.As(err, &ke) && ke.OAuthError == "invalid_grant" {
			return nil, refreshResult{}, &loginRequiredError{profile: s.profile, reason: "Kakao rejected the refresh token: " + ke.Error()}
		}
		if errors.As(err, &ke) && ke.KOE == "KOE010" && cur.ClientSecret != "" {
			// The stored secret is the one used; another given now is not.
			return nil, refreshResult{}, &hintedError{err: fmt.Errorf("refresh: %w", err),
				hint: "Kakao refused the client secret stored with the profile (was it reissued?): run " + loginCommand(s.profile) + " with the new one"}
		}
		return nil, refreshResult{}, explainUnreachable(s.profile, cur, fmt.Errorf("refresh: %w", err))
	}
	next := *cur
	next.AccessToken = tok.AccessToken
	next.TokenType = tok.TokenType
	next.Expiry = tok.Expiry
	if len(tok.Scopes) > 0 {
		next.Scopes = tok.Scopes
	}
	if tok.IDToken != "" {
		// Every ID token is verified before it is stored or printed.
		v := &kakao.IDVerifier{ClientID: cur.ClientID, AuthURL: cur.AuthURL, HTTPClient: d.HTTPClient, Now: d.Now}
		if _, err := v.Verify(ctx, tok.IDToken, cur.Nonce, true); err != nil {
			return nil, refreshResult{}, fmt.Errorf("refresh: %w", err)
		}
		next.IDToken = tok.IDToken
	}
	res := refreshResult{refreshed: true, previous: cur}
	// Kakao omits refresh_token unless it rotated it; keep the old one then.
	if tok.RefreshToken != "" {
		next.RefreshToken = tok.RefreshToken
		next.RefreshExpiry = tok.RefreshExpiry
		res.rotated = true
	}
	// A logout waits for this lock, but a profile removed without it (by
	// hand, or by an older kakao-auth) must not come back either.
	if err := s.stillStored(ctx); err != nil {
		return nil, refreshResult{}, err
	}
	if err := s.store.Save(ctx, s.profile, &next); err != nil {
		if res.rotated {
			return nil, res, fmt.Errorf("save the refreshed tokens: %w (Kakao rotated the refresh token, so the stored one no longer works; the login must be repeated if this cannot be fixed)", err)
		}
		return nil, res, fmt.Errorf("save the refreshed tokens: %w", err)
	}
	return &next, res, nil
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

// withToken calls Kakao's API with rec's access token. On Kakao's -401 (the
// token was revoked or expired early) it refreshes once, under the lock, and
// calls again; a second -401 means login required. It returns the record
// last used.
func withToken(ctx context.Context, d *Deps, s *stored, secret string, rec *tokenstore.Record, call func(accessToken string) error) (*tokenstore.Record, error) {
	err := call(rec.AccessToken)
	var ae *kakao.APIError
	if !errors.As(err, &ae) || !ae.InvalidToken() {
		return rec, err
	}
	fresh, _, err := ensureFresh(ctx, d, s, secret, 0, true)
	if err != nil {
		return rec, err
	}
	err = call(fresh.AccessToken)
	if errors.As(err, &ae) && ae.InvalidToken() {
		return fresh, &loginRequiredError{profile: s.profile, reason: "Kakao does not accept the refreshed access token (" + ae.Error() + ")"}
	}
	return fresh, err
}
