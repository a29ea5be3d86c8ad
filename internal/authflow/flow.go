// Package authflow runs one Kakao login from a terminal: it binds a loopback
// listener on the registered redirect URI, writes the per-run session file,
// opens the browser, waits for the callback and exchanges the code with the
// values read back from the session file.
package authflow

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// DefaultTimeout is how long Login waits for the browser to come back.
const DefaultTimeout = 3 * time.Minute

// Options configure one login. ClientSecret is used for the exchange only and
// is never written to the session file.
type Options struct {
	ClientID     string
	ClientSecret string
	AuthURL      string   // Kakao auth base; empty means kakao.DefaultAuthURL
	APIURL       string   // Kakao API base, kept in the session for a resumed login
	RedirectURIs []string // the first whose port is free is used
	Scopes       []string
	Prompt       []string
	LoginHint    string
	ServiceTerms []string
	Profile      string
	// Store and Output go into a two-step login's session (Start), for
	// the resume to finish with.
	Store  string
	Output string

	Sessions session.Dir
	// Timeout bounds the wait for the callback; zero means DefaultTimeout.
	Timeout time.Duration
	// Open opens the browser on the login's one-time start link (never on
	// the authorize URL, whose state, challenge and nonce every local user
	// could read in the browser's arguments: start.go); its failure is
	// reported, not fatal, and withdraws the link. What it has to say
	// meanwhile goes to Messages(ctx, …).
	Open func(ctx context.Context, url string) error
	// NoBrowserReason, when set, says why no browser can be opened here
	// (no display, an SSH session): Open is not called, and the URL is
	// only printed; with PasteFallback, the paste prompt starts at once.
	NoBrowserReason string
	// PasteFallback, when set, is a terminal the person can paste into:
	// when no browser can be opened (NoBrowserReason, or Open fails), the
	// login switches to the paste prompt of --no-browser, with retries,
	// while the listener keeps waiting. nil: the URL and the wait only.
	PasteFallback io.Reader
	// Paste, when set, turns on paste-back (--no-browser): the URL is only
	// printed, and the person pastes the address the browser ended on.
	// Each line read is one attempt. The loopback listener still runs when
	// it can bind; whichever answer comes first wins.
	Paste io.Reader
	// PasteRetry lets a bad paste be corrected (stdin is a terminal);
	// otherwise it ends the login.
	PasteRetry bool
	// Stderr receives every message for people. Nothing written there has
	// colour.
	Stderr io.Writer
	// Width, when set, returns the width of the terminal Stderr is, read
	// at each redraw: the wait shows a spinner fitted to it, and its
	// messages are wrapped to it at spaces. nil, or 0
	// (not a terminal that can redraw a line in place, such as a pipe or
	// TERM=dumb, or an unknown width): one plain line instead.
	Width func() int
	// HTTPClient makes the token call; nil means kakao's default.
	HTTPClient *http.Client
	// CheckServers vets the auth and API base URLs read back from the
	// session file before the code is sent; an error stops the login
	// there. nil checks nothing.
	CheckServers func(authURL, apiURL string) error
	// Now is the clock that judges token lifetimes and ID tokens; nil
	// means time.Now.
	Now func() time.Time
	// KeyCacheDir caches the auth server's signing keys between runs
	// (kakao.IDVerifier.KeyCacheDir); "" fetches them each login.
	KeyCacheDir string
}

// Result is a completed login: the tokens, and the session they were
// obtained with (client id, redirect URI, servers, profile, nonce: refreshed
// ID tokens are checked against it).
type Result struct {
	Token    *kakao.Token
	Session  *session.Session
	Scopes   []string        // granted; those asked for when Kakao does not say
	IDClaims *kakao.IDClaims // verified claims, when Kakao sent an ID token
}

// Login runs the browser login: it creates the session, starts the
// server, announces the URL, waits for the answer and finishes the login
// with it. The session file is removed however it ends.
func Login(ctx context.Context, o Options) (*Result, error) {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	out := &gatedWriter{w: o.Stderr, width: o.Width}
	defer out.close()
	o.Stderr = out
	if err := sweep(o); err != nil {
		return nil, err
	}
	srv, err := listen(o)
	if err != nil {
		return nil, err
	}
	sess, err := createSession(o, srv.uri, os.Getpid())
	if err != nil {
		srv.release()
		return nil, err
	}
	defer o.Sessions.Delete(sess.State)

	l := &login{o: o, out: out, sess: sess, srv: srv, spin: &spinner{out: out, width: o.Width}, pasted: make(chan error, 1)}
	if l.opensBrowser() {
		if l.link, err = newStartLink(srv.uri, authorizeURL(sess, o), "login"); err != nil {
			srv.release()
			return nil, err
		}
	}
	srv.start(sess.State, l.link)
	var cb callback
	// A serve error has ended the wait already; stop only cleans up.
	defer func() { _ = srv.stop(cb.shown) }()
	l.announce(ctx)
	if cb, err = l.wait(ctx); err != nil {
		return nil, err
	}
	return finish(ctx, o, sess, cb)
}

// login is one run of Login while it waits: what the announce step
// started, for the wait step to watch.
type login struct {
	o    Options
	out  *gatedWriter
	sess *session.Session
	srv  *server
	spin *spinner
	// link is the one-time start link the browser is opened on; nil when
	// no browser is opened.
	link *startLink
	// launched brings the browser launch's outcome; nil when none is
	// under way.
	launched chan error
	// pasted brings what the paste prompt could not turn into a callback
	// (errStdinClosed at the end of its input).
	pasted chan error
	// prompted: a paste prompt was started; pasting: it still reads.
	prompted, pasting bool
}

// createSession writes the session file of a new login: a fresh state,
// PKCE verifier and, when an ID token is asked for, nonce. owner is the
// process that finishes the login; 0 lets any process resume it.
func createSession(o Options, redirectURI string, owner int) (*session.Session, error) {
	state, err := kakao.NewState()
	if err != nil {
		return nil, err
	}
	sess := &session.Session{
		State:       state,
		Verifier:    kakao.NewVerifier(),
		ClientID:    o.ClientID,
		RedirectURI: redirectURI,
		AuthURL:     o.AuthURL,
		APIURL:      o.APIURL,
		Scopes:      o.Scopes,
		Profile:     o.Profile,
		Store:       o.Store,
		Output:      o.Output,
		Nonce:       newNonce(),
		OwnerPID:    owner,
	}
	if _, err := o.Sessions.Create(sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// authorizeURL builds the authorize URL from the session's values.
func authorizeURL(sess *session.Session, o Options) string {
	client := &kakao.Client{ClientID: sess.ClientID, RedirectURI: sess.RedirectURI, AuthURL: sess.AuthURL}
	return client.AuthorizeURL(kakao.AuthorizeRequest{
		State:        sess.State,
		Verifier:     sess.Verifier,
		Scopes:       sess.Scopes,
		Prompt:       o.Prompt,
		LoginHint:    o.LoginHint,
		ServiceTerms: o.ServiceTerms,
		Nonce:        sess.Nonce,
	})
}

// newNonce returns a fresh nonce for a login, whatever its scopes: an app with
// OpenID Connect on sends an ID token for a login that asks for no scope at all
// (Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token),
// and a nonce is what ties that token to this login. The session keeps it, and
// refreshed ID tokens are checked against it later.
func newNonce() string {
	// crypto/rand does not fail since Go 1.24 (it never returns an error).
	n, _ := kakao.NewState()
	return n
}
