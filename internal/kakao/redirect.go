package kakao

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
)

// RedirectError is a Kakao call answered with a redirect. kakao-auth never
// follows one: a 307 or 308 would carry the form (client secret, code,
// refresh token) or the Authorization header to the Location, and its
// answer would be taken for Kakao's. Kakao answers these calls itself.
type RedirectError struct {
	HTTPStatus int
	// Location is where the answer pointed: scheme, host and path only,
	// with any sent secret redacted.
	Location string
	BaseURL  string // the base URL that answered
	endpoint string // "" means the token endpoint
}

func (e *RedirectError) Error() string {
	what := "the token endpoint"
	if e.endpoint != "" {
		what = e.endpoint
	}
	return fmt.Sprintf("%s answered with a redirect (HTTP %d) to %s; kakao-auth never follows redirects with secrets", what, e.HTTPStatus, e.Location)
}

// Hint points at the usual cause.
func (e *RedirectError) Hint() string {
	flag := "--auth-url"
	if e.endpoint != "" && e.endpoint != JWKSPath {
		flag = "--api-url"
	}
	return fmt.Sprintf("check that %s (%s) is the server's exact base URL (https, host and port, no extra path); Kakao itself never redirects these calls, so a server that does is misconfigured or not Kakao", flag, e.BaseURL)
}

// errRedirect stops an http.Client at a redirect; redirectGuard keeps the
// details.
var errRedirect = errors.New("redirect refused")

// redirectGuard records the first redirect a client was refused. One guard
// serves one call, or one verifier's key fetches.
type redirectGuard struct {
	mu       sync.Mutex
	status   int
	location *url.URL
}

// client returns a copy of c (nil: a client with DefaultHTTPTimeout) that
// refuses every redirect and records it in g. Everything else about c (its
// transport, timeout, cookie jar) is kept, so a caller's client is honoured
// except for following redirects.
func (g *redirectGuard) client(c *http.Client) *http.Client {
	var cp http.Client
	if c != nil {
		cp = *c
	} else {
		cp.Timeout = DefaultHTTPTimeout
	}
	cp.CheckRedirect = func(req *http.Request, _ []*http.Request) error {
		g.mu.Lock()
		defer g.mu.Unlock()
		if g.location == nil {
			g.location = req.URL
			if req.Response != nil {
				g.status = req.Response.StatusCode
			}
		}
		return errRedirect
	}
	return &cp
}

// err returns the refused redirect as a *RedirectError, or nil when there was
// none. The Location keeps scheme, host and path only, and sent is redacted
// from it: a hostile server may put the secrets it was sent into it.
func (g *redirectGuard) err(base, endpoint string, sent ...string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.location == nil {
		return nil
	}
	loc := url.URL{Scheme: g.location.Scheme, Host: g.location.Host, Path: g.location.Path}
	return &RedirectError{HTTPStatus: g.status, Location: redact(loc.String(), sent...), BaseURL: base, endpoint: endpoint}
}
