// Package kakao is the client side of Kakao Login (REST API): it builds the
// authorize URL, exchanges codes and refreshes tokens through
// golang.org/x/oauth2, and turns Kakao's KOE errors into messages with hints.
package kakao

import (
	"context"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Kakao's production hosts. Every endpoint path is appended to these bases, so
// pointing a base at the emulator (or any Kakao-compatible server) moves the
// whole flow there.
const (
	DefaultAuthURL = "https://kauth.kakao.com"
	DefaultAPIURL  = "https://kapi.kakao.com"
)

// Endpoint paths under the auth base, as Kakao names them.
const (
	AuthorizePath = "/oauth/authorize"
	TokenPath     = "/oauth/token"
)

// DefaultHTTPTimeout bounds every call to Kakao when the caller gives no
// client of its own.
const DefaultHTTPTimeout = 30 * time.Second

// Client talks to Kakao's auth server on behalf of one app (one REST API key).
type Client struct {
	// ClientID is the app's REST API key.
	ClientID string
	// ClientSecret is sent (client_secret_post) only when non-empty; Kakao
	// requires it when the key's client-secret setting is on.
	ClientSecret string
	// RedirectURI must be byte-identical in the authorize and token calls.
	RedirectURI string
	// AuthURL is the auth base; empty means DefaultAuthURL.
	AuthURL string
	// HTTPClient makes the token calls; nil means a client with
	// DefaultHTTPTimeout. Whatever it is, redirects are refused.
	HTTPClient *http.Client
	// Now is the clock that turns lifetimes into expiry times; nil means
	// time.Now.
	Now func() time.Time
}

func (c *Client) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Client) authBase() string {
	if c.AuthURL == "" {
		return DefaultAuthURL
	}
	return strings.TrimRight(c.AuthURL, "/")
}

// oauth2Config is the x/oauth2 view of the client. Kakao accepts client
// credentials only in the form body (client_secret_post), never Basic auth.
func (c *Client) oauth2Config(scopes []string) *oauth2.Config {
	base := c.authBase()
	return &oauth2.Config{
		ClientID:     c.ClientID,
		ClientSecret: c.ClientSecret,
		RedirectURL:  c.RedirectURI,
		Scopes:       scopes,
		Endpoint: oauth2.Endpoint{
			AuthURL:   base + AuthorizePath,
			TokenURL:  base + TokenPath,
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// ctx carries the HTTP client x/oauth2 uses for one token call: the
// caller's, refusing redirects into g.
func (c *Client) ctx(ctx context.Context, g *redirectGuard) context.Context {
	return context.WithValue(ctx, oauth2.HTTPClient, g.client(c.HTTPClient))
}
