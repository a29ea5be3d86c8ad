package kakao

import (
	"context"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// Token is what Kakao's token endpoint returned, with lifetimes turned into
// absolute times.
type Token struct {
	AccessToken  string
	TokenType    string
	RefreshToken string // empty on a refresh that did not rotate it
	Expiry       time.Time
	// RefreshExpiry is zero when the answer had no refresh token.
	RefreshExpiry time.Time
	Scopes        []string // granted consent items
	IDToken       string   // only when OpenID Connect is on
}

// MaxLifetime bounds every lifetime a token response may state. Kakao's are
// hours and months (Kakao's token lifetimes,
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token);
// ten years is far beyond them, and far from where adding a lifetime to now
// overflows.
const MaxLifetime = 10 * 365 * 24 * time.Hour

// grant says which request a token response answers: what it must hold
// differs.
type grant int

const (
	codeGrant grant = iota
	refreshGrant
)

// Exchange trades an authorization code for tokens. The client's RedirectURI
// must be the one the code was issued for, and verifier the PKCE verifier
// whose challenge went into the authorize URL.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (*Token, error) {
	var g redirectGuard
	tok, err := c.oauth2Config(nil).Exchange(c.ctx(ctx, &g), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, c.tokenError(ctx, &g, err, code, verifier)
	}
	return c.fromOAuth2(tok, c.now(), codeGrant)
}

// Refresh trades a refresh token for a new access token. Kakao returns a new
// refresh token only when it rotated the old one; Token.RefreshToken is empty
// otherwise and the old one stays valid.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	var g redirectGuard
	src := c.oauth2Config(nil).TokenSource(c.ctx(ctx, &g), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := src.Token()
	if err != nil {
		return nil, c.tokenError(ctx, &g, err, refreshToken)
	}
	return c.fromOAuth2(tok, c.now(), refreshGrant)
}

// b64token is RFC 6750 §2.1's syntax of a bearer token: what may follow
// "Authorization: Bearer ". It has no space, quote or control character, so
// an access token that fits is safe in a header, a shell word or an env file.
// Compiled on first use: "kakao-auth token" with a valid token needs none.
var b64token = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9\-._~+/]+=*$`) })

// fromOAuth2 checks a token response and turns it into a Token. Outside
// text is checked where it enters: a response that breaks a rule is refused
// whole, so nothing of it is stored or printed.
func (c *Client) fromOAuth2(tok *oauth2.Token, now time.Time, g grant) (*Token, error) {
	malformed := func(format string, args ...any) error {
		return &UnexpectedResponseError{Reason: "malformed token response: " + fmt.Sprintf(format, args...), BaseURL: c.authBase()}
	}
	if !b64token().MatchString(tok.AccessToken) {
		return nil, malformed("its access_token is not a bearer token (RFC 6750 b64token: letters, digits and -._~+/, then = padding)")
	}
	// token_type becomes the Authorization scheme and is shown and stored:
	// Kakao always sends "bearer" (Token response, "token_type",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token),
	// RFC 6749 §5.1 makes it required and §7.1 case-insensitive. Anything
	// else ("Basic", a CRLF and a header, an escape sequence) is no answer
	// kakao-auth can use.
	if !strings.EqualFold(tok.TokenType, "bearer") {
		if tok.TokenType == "" {
			return nil, malformed("it has no token_type (Kakao always sends bearer)")
		}
		tt := tok.TokenType
		if len(tt) > 40 {
			tt = tt[:40] + "…"
		}
		return nil, malformed("its token_type %q is not bearer", tt)
	}
	t := &Token{AccessToken: tok.AccessToken, TokenType: "bearer"}
	secs, err := lifetime(tok.Extra("expires_in"))
	if err != nil {
		return nil, malformed("its expires_in %v", err)
	}
	t.Expiry = now.Add(time.Duration(secs) * time.Second)

	// The raw field decides, not tok.RefreshToken: x/oauth2 copies the old
	// refresh token there when the server sends none, which would hide
	// whether Kakao rotated it.
	rt, ok := tok.Extra("refresh_token").(string)
	if tok.Extra("refresh_token") != nil && !ok {
		return nil, malformed("its refresh_token is not a string")
	}
	switch {
	case rt != "":
		if !printable(rt) {
			return nil, malformed("its refresh_token has spaces, control or non-ASCII characters")
		}
		// Kakao sends refresh_token_expires_in with every refresh_token
		// (Kakao's "토큰 받기",
		// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
		secs, err := lifetime(tok.Extra("refresh_token_expires_in"))
		if err != nil {
			return nil, malformed("its refresh_token_expires_in %v", err)
		}
		t.RefreshToken, t.RefreshExpiry = rt, now.Add(time.Duration(secs)*time.Second)
	case g == codeGrant:
		// Kakao always sends one on a code exchange (Kakao's "토큰 받기",
		// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
		return nil, malformed("it has no refresh_token, which Kakao always sends on a code exchange")
	}

	if s, ok := tok.Extra("scope").(string); ok && s != "" {
		// Kakao answers space-separated; tolerate commas as its docs write them.
		t.Scopes = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	}
	switch id := tok.Extra("id_token").(type) {
	case nil:
	case string:
		if id != "" && !printable(id) {
			return nil, malformed("its id_token has spaces, control or non-ASCII characters")
		}
		t.IDToken = id
	default:
		return nil, malformed("its id_token is not a string")
	}
	return t, nil
}

// printable reports whether s is one or more printable ASCII characters
// other than space: what a refresh or ID token may be made of.
func printable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

// lifetime reads a lifetime in seconds from a token response: a JSON
// number (x/oauth2 decodes it as float64) or a string of digits (some
// servers, and form-encoded answers). It must be a whole number above zero
// and at most MaxLifetime.
func lifetime(v any) (int64, error) {
	maxSecs := float64(MaxLifetime / time.Second)
	var f float64
	switch n := v.(type) {
	case nil:
		return 0, errors.New("is missing")
	case float64:
		f = n
	case string:
		if n == "" {
			return 0, errors.New("is missing")
		}
		if strings.Trim(n, "0123456789") != "" || len(n) > 12 {
			return 0, errors.New("is not a whole number of seconds")
		}
		i, _ := strconv.ParseInt(n, 10, 64)
		f = float64(i)
	default:
		return 0, errors.New("is not a whole number of seconds")
	}
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f):
		return 0, errors.New("is not a whole number of seconds")
	case f <= 0:
		return 0, errors.New("is not above zero")
	case f > maxSecs:
		return 0, fmt.Errorf("is over %d seconds (10 years)", int64(maxSecs))
	}
	return int64(f), nil
}
