package kakao

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// JWKSPath is where Kakao publishes its ID-token signing keys, under the
// auth base.
const JWKSPath = "/.well-known/jwks.json"

// ClockSkew is how far the clocks of this machine and Kakao may disagree
// when checking exp and iat.
const ClockSkew = time.Minute

// IDClaims are the verified claims of a Kakao ID token.
type IDClaims struct {
	Subject  string    `json:"sub"`
	Nickname string    `json:"nickname,omitempty"`
	Picture  string    `json:"picture,omitempty"`
	Email    string    `json:"email,omitempty"`
	Nonce    string    `json:"nonce,omitempty"`
	AuthTime time.Time `json:"-"`
	IssuedAt time.Time `json:"-"`
	Expiry   time.Time `json:"-"`
}

// IDTokenError says why an ID token was refused. Nothing is stored or
// printed when one is.
type IDTokenError struct {
	Reason string
}

func (e *IDTokenError) Error() string { return "ID token refused: " + e.Reason }

// Hint points at the usual causes.
func (e *IDTokenError) Hint() string {
	return "the ID token did not come from the auth server kakao-auth talked to, for this app and this login; check --auth-url and --client-id, and the machine's clock, then log in again"
}

// IDVerifier checks Kakao ID tokens: RS256 signature against the auth
// server's JWKS (kept for the life of the verifier and, with KeyCacheDir,
// on disk for KeyCacheTTL; fetched once more for an unknown kid), iss equal
// to the auth base, aud equal to the client id, exp and iat within
// ClockSkew, and the nonce of the login.
type IDVerifier struct {
	ClientID   string
	AuthURL    string // the auth base; also the expected issuer
	HTTPClient *http.Client
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// KeyCacheDir is where the signing keys are cached between runs, one
	// file per auth server; "" keeps them in memory only.
	KeyCacheDir string

	once  sync.Once
	keys  *keySet
	guard redirectGuard // of the key fetches
}

func (v *IDVerifier) now() time.Time {
	if v.Now == nil {
		return time.Now()
	}
	return v.Now()
}

func (v *IDVerifier) issuer() string {
	if v.AuthURL == "" {
		return DefaultAuthURL
	}
	return strings.TrimRight(v.AuthURL, "/")
}

// Verify checks raw and returns its claims. wantNonce is the nonce sent at
// login; on a refresh pass the login's nonce too: Kakao's refreshed ID
// tokens carry none, and any other value is refused.
func (v *IDVerifier) Verify(ctx context.Context, raw, wantNonce string, refreshed bool) (*IDClaims, error) {
	v.once.Do(func() {
		v.keys = &keySet{issuer: v.issuer(), url: v.issuer() + JWKSPath, dir: v.KeyCacheDir, client: v.guard.client(v.HTTPClient), now: v.now}
	})
	verifier := oidc.NewVerifier(v.issuer(), v.keys, &oidc.Config{
		ClientID:             v.ClientID,
		SupportedSigningAlgs: []string{oidc.RS256},
		Now:                  func() time.Time { return v.now().Add(-ClockSkew) },
	})
	tok, err := verifier.Verify(ctx, raw)
	if err != nil {
		if rerr := v.guard.err(v.issuer(), JWKSPath); rerr != nil {
			return nil, rerr
		}
		return nil, &IDTokenError{Reason: describeOIDCError(err, v.issuer())}
	}
	var c IDClaims
	var times struct {
		AuthTime int64 `json:"auth_time"`
	}
	if err := tok.Claims(&c); err != nil {
		return nil, &IDTokenError{Reason: "its claims do not decode"}
	}
	_ = tok.Claims(&times)
	c.IssuedAt, c.Expiry = tok.IssuedAt, tok.Expiry
	if times.AuthTime > 0 {
		c.AuthTime = time.Unix(times.AuthTime, 0)
	}
	if c.IssuedAt.After(v.now().Add(ClockSkew)) {
		return nil, &IDTokenError{Reason: fmt.Sprintf("it was issued in the future (iat %s)", c.IssuedAt.UTC().Format(time.RFC3339))}
	}
	switch {
	case !refreshed && c.Nonce != wantNonce:
		if c.Nonce == "" {
			return nil, &IDTokenError{Reason: "it has no nonce, but the login sent one"}
		}
		return nil, &IDTokenError{Reason: "its nonce is not the one this login sent"}
	case refreshed && c.Nonce != "" && c.Nonce != wantNonce:
		return nil, &IDTokenError{Reason: "its nonce is not the one of the login it refreshes"}
	}
	return &c, nil
}

// describeOIDCError turns go-oidc's errors into one short reason.
func describeOIDCError(err error, issuer string) string {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return fmt.Sprintf("it expired at %s", expired.Expiry.UTC().Format(time.RFC3339))
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "issued by a different provider"):
		return fmt.Sprintf("its issuer (iss) is not %s", issuer)
	case strings.Contains(msg, "expected audience"):
		return "its audience (aud) is not this app's client id"
	case strings.Contains(msg, "unexpected signature algorithm"), strings.Contains(msg, "unsupported algorithm"), strings.Contains(msg, "not signed"):
		return "it is not signed with RS256"
	case strings.Contains(msg, "fetching keys"), strings.Contains(msg, "get keys failed"):
		return "the auth server's signing keys (" + issuer + JWKSPath + ") could not be fetched"
	case strings.Contains(msg, "verify id token signature"), strings.Contains(msg, "verify signature"):
		return "its signature does not verify against the auth server's keys"
	case strings.Contains(msg, "malformed jwt"):
		return "it is not a well-formed JWT"
	}
	return strings.TrimPrefix(msg, "oidc: ")
}

// PeekIDClaims decodes the claims of an ID token that was verified before
// it was stored, for display; it checks nothing.
func PeekIDClaims(raw string) (*IDClaims, error) {
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, errors.New("not a JWT")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errors.New("not a JWT")
	}
	var c IDClaims
	var times struct {
		AuthTime int64 `json:"auth_time"`
		IssuedAt int64 `json:"iat"`
		Expiry   int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &c) != nil || json.Unmarshal(payload, &times) != nil {
		return nil, errors.New("claims do not decode")
	}
	if times.AuthTime > 0 {
		c.AuthTime = time.Unix(times.AuthTime, 0)
	}
	c.IssuedAt, c.Expiry = time.Unix(times.IssuedAt, 0), time.Unix(times.Expiry, 0)
	return &c, nil
}
