package kakao

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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
	// RefreshExpiry is zero when Kakao sent no refresh_token_expires_in.
	RefreshExpiry time.Time
	Scopes        []string // granted consent items
	IDToken       string   // only when OpenID Connect is on
}

// Exchange trades an authorization code for tokens. The client's RedirectURI
// must be the one the code was issued for, and verifier the PKCE verifier
// whose challenge went into the authorize URL.
func (c *Client) Exchange(ctx context.Context, code, verifier string) (*Token, error) {
	var g redirectGuard
	tok, err := c.oauth2Config(nil).Exchange(c.ctx(ctx, &g), code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, c.tokenError(ctx, &g, err, code, verifier)
	}
	return fromOAuth2(tok, time.Now())
}

// Refresh trades a refresh token for a new access token. Kakao returns a new
// refresh token only when it rotated the old one; Token.RefreshToken is empty
// otherwise and the old one stays valid.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*Token, error) {
	// x/oauth2 copies the old refresh token into the result when the server
	// sends none; that would hide whether Kakao rotated it, so the raw
	// response decides.
	var g redirectGuard
	src := c.oauth2Config(nil).TokenSource(c.ctx(ctx, &g), &oauth2.Token{RefreshToken: refreshToken})
	tok, err := src.Token()
	if err != nil {
		return nil, c.tokenError(ctx, &g, err, refreshToken)
	}
	t, err := fromOAuth2(tok, time.Now())
	if err != nil {
		return nil, err
	}
	if s, _ := tok.Extra("refresh_token").(string); s == "" {
		t.RefreshToken = ""
		t.RefreshExpiry = time.Time{}
	}
	return t, nil
}

func fromOAuth2(tok *oauth2.Token, now time.Time) (*Token, error) {
	if tok.AccessToken == "" {
		return nil, errors.New("token response has no access_token")
	}
	t := &Token{
		AccessToken:  tok.AccessToken,
		TokenType:    tok.TokenType,
		RefreshToken: tok.RefreshToken,
		Expiry:       tok.Expiry,
	}
	if t.TokenType == "" {
		t.TokenType = "bearer"
	}
	if secs, ok := number(tok.Extra("refresh_token_expires_in")); ok && secs > 0 {
		t.RefreshExpiry = now.Add(time.Duration(secs) * time.Second)
	}
	if s, _ := tok.Extra("scope").(string); s != "" {
		// Kakao answers space-separated; tolerate commas as its docs write them.
		t.Scopes = strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' })
	}
	t.IDToken, _ = tok.Extra("id_token").(string)
	return t, nil
}

// number reads a JSON number that x/oauth2 decoded as float64, or a string
// holding digits (form-encoded answers).
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case string:
		var i int64
		_, err := fmt.Sscan(n, &i)
		return i, err == nil
	}
	return 0, false
}
