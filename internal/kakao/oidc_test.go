package kakao

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// oidcLogin logs in with openid (and a nonce) and returns the token.
func oidcLogin(t *testing.T, c *Client, nonce string, scopes ...string) *Token {
	t.Helper()
	verifier := NewVerifier()
	code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier, Nonce: nonce, Scopes: append([]string{"openid"}, scopes...)}))
	tok, err := c.Exchange(t.Context(), code, verifier)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestIDVerifier_AcceptsKakaoShapedTokens(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := oidcLogin(t, c, "n0nce", "profile_nickname", "account_email")
	if tok.IDToken == "" {
		t.Fatal("no id_token although openid was requested")
	}
	v := &IDVerifier{ClientID: c.ClientID, AuthURL: base}
	claims, err := v.Verify(t.Context(), tok.IDToken, "n0nce", false)
	if err != nil {
		t.Fatal(err)
	}
	if claims.Subject == "" || claims.Nickname == "" || claims.Email == "" || claims.AuthTime.IsZero() {
		t.Errorf("claims = %+v, want sub, nickname, email and auth_time", claims)
	}
	// A refresh brings a new ID token without nonce; it verifies too.
	fresh, err := c.Refresh(t.Context(), tok.RefreshToken)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.IDToken == "" {
		t.Fatal("no id_token on refresh of an openid grant")
	}
	if _, err := v.Verify(t.Context(), fresh.IDToken, "n0nce", true); err != nil {
		t.Errorf("refreshed ID token refused: %v", err)
	}
	peek, err := PeekIDClaims(fresh.IDToken)
	if err != nil || peek.Subject != claims.Subject {
		t.Errorf("PeekIDClaims() = %+v, %v", peek, err)
	}
}

func TestIDVerifier_RefusesBadTokens(t *testing.T) {
	tests := []struct {
		fault  emulator.IDTokenFault
		reason string
	}{
		{emulator.IDTokenBadSignature, "signature does not verify"},
		{emulator.IDTokenWrongAudience, "audience"},
		{emulator.IDTokenWrongIssuer, "issuer"},
		{emulator.IDTokenExpired, "expired"},
		{emulator.IDTokenWrongNonce, "nonce is not the one"},
		{emulator.IDTokenNoNonce, "no nonce"},
		{emulator.IDTokenUnknownKid, "signature does not verify"},
		{emulator.IDTokenAlgNone, "RS256"},
		{emulator.IDTokenHS256, "RS256"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			emu, base := newEmulator(t, emulator.Config{})
			emu.SetIDTokenFault(tt.fault)
			c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
			tok := oidcLogin(t, c, "n0nce")
			v := &IDVerifier{ClientID: c.ClientID, AuthURL: base}
			_, err := v.Verify(t.Context(), tok.IDToken, "n0nce", false)
			var ie *IDTokenError
			if !errors.As(err, &ie) || !strings.Contains(ie.Reason, tt.reason) {
				t.Fatalf("Verify() = %v, want an IDTokenError about %q", err, tt.reason)
			}
			if ie.Hint() == "" || strings.Contains(err.Error(), tok.IDToken) {
				t.Errorf("error %q: no hint, or it quotes the token", err)
			}
		})
	}
}

func TestIDVerifier_RefetchesKeysOnceForANewKid(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	v := &IDVerifier{ClientID: c.ClientID, AuthURL: base}
	if _, err := v.Verify(t.Context(), oidcLogin(t, c, "a").IDToken, "a", false); err != nil {
		t.Fatal(err)
	}
	fetched := emu.Stats().JWKSRequests
	emu.RotateKey()
	if _, err := v.Verify(t.Context(), oidcLogin(t, c, "b").IDToken, "b", false); err != nil {
		t.Fatalf("token under the rotated key refused: %v", err)
	}
	if got := emu.Stats().JWKSRequests - fetched; got != 1 {
		t.Errorf("JWKS fetched %d more times after rotation, want 1", got)
	}
	// Same kid again: served from the cache.
	fetched = emu.Stats().JWKSRequests
	if _, err := v.Verify(t.Context(), oidcLogin(t, c, "c").IDToken, "c", false); err != nil {
		t.Fatal(err)
	}
	if got := emu.Stats().JWKSRequests - fetched; got != 0 {
		t.Errorf("JWKS fetched %d times for a known kid, want 0", got)
	}
}

func TestIDVerifier_ClockSkew(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	raw := oidcLogin(t, c, "n").IDToken
	for _, tt := range []struct {
		shift time.Duration
		ok    bool
	}{
		{-30 * time.Second, true},            // our clock a little behind
		{-10 * time.Minute, false},           // far behind: issued in the future
		{6*time.Hour + 30*time.Second, true}, // just past exp, within skew
		{6*time.Hour + 5*time.Minute, false}, // well past exp
	} {
		v := &IDVerifier{ClientID: c.ClientID, AuthURL: base, Now: func() time.Time { return time.Now().Add(tt.shift) }}
		_, err := v.Verify(t.Context(), raw, "n", false)
		if (err == nil) != tt.ok {
			t.Errorf("clock %+v: Verify() = %v, want ok=%v", tt.shift, err, tt.ok)
		}
	}
}
