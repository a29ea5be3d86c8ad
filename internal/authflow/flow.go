// Package authflow runs one Kakao login from a terminal: it binds a loopback
// listener on the registered redirect URI, writes the per-run session file,
// opens the browser, waits for the callback and exchanges the code with the
// values read back from the session file.
package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// DefaultTimeout is how long Login waits for the browser to come back.
const DefaultTimeout = 3 * time.Minute

// ErrCancelled means the user interrupted the login (Ctrl-C, SIGTERM).
var ErrCancelled = errors.New("login cancelled")

// TimeoutError means no callback arrived in time.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string {
	return fmt.Sprintf("no answer from the browser within %s", e.After)
}

// Hint points at the browser, where Kakao shows setup errors.
func (e *TimeoutError) Hint() string {
	return "Kakao shows setup errors (KOE006 unregistered redirect URI, KOE101 wrong app key, …) on its own page instead of coming back: look at the browser tab, fix what it says, then run the login again (or raise --timeout)"
}

// DeniedError is an error=… callback from Kakao: the user pressed Cancel,
// consent was required, and so on.
type DeniedError struct {
	Code        string
	Description string
}

func (e *DeniedError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("kakao returned %s: %s", e.Code, e.Description)
	}
	return "kakao returned " + e.Code
}

// Hint says what to do for the known error values.
func (e *DeniedError) Hint() string {
	switch e.Code {
	case "access_denied":
		return "the login was cancelled in the browser; run the login again and press Agree to continue"
	case "consent_required", "login_required", "interaction_required":
		return "--prompt none cannot show Kakao's pages; run the login without --prompt none"
	case "invalid_scope":
		return "a requested scope is not set up for the app; check --scope and the app's consent items"
	}
	return ""
}

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
	// Open shows the URL to the person; its failure is reported, not fatal.
	Open func(ctx context.Context, url string) error
	// Paste, when set, turns on paste-back (--no-browser): the URL is only
	// printed, and the person pastes the address the browser ended on.
	// Each line read is one attempt. The loopback listener still runs when
	// it can bind; whichever answer comes first wins.
	Paste io.Reader
	// PasteRetry lets a bad paste be corrected (stdin is a terminal);
	// otherwise it ends the login.
	PasteRetry bool
	// Stderr receives every message for people.
	Stderr io.Writer
	// Interactive turns on the spinner (stderr is a terminal).
	Interactive bool
	// HTTPClient makes the token call; nil means kakao's default.
	HTTPClient *http.Client
	// CheckServers vets the auth and API base URLs read back from the
	// session file before the code is sent; an error stops the login
	// there. nil checks nothing.
	CheckServers func(authURL, apiURL string) error
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

// Login runs the browser login. The session file is removed however it ends.
func Login(ctx context.Context, o Options) (*Result, error) {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	out := &gatedWriter{w: o.Stderr}
	defer out.close()
	o.Stderr = out
	if err := sweep(o); err != nil {
		return nil, err
	}
	lb, listeners, err := bindFirst(o.RedirectURIs)
	if err != nil {
		// Paste-back needs no listener: a busy port or a redirect URI
		// elsewhere (an https:// one of a web app) is fine then.
		if o.Paste == nil || !pasteOnlyOK(err) {
			return nil, err
		}
		if lb, err = pasteOnly(o.RedirectURIs[0]); err != nil {
			return nil, err
		}
	}
	state, err := kakao.NewState()
	if err != nil {
		closeAll(listeners)
		return nil, err
	}
	sess := &session.Session{
		State:       state,
		Verifier:    kakao.NewVerifier(),
		ClientID:    o.ClientID,
		RedirectURI: lb.uri,
		AuthURL:     o.AuthURL,
		APIURL:      o.APIURL,
		Scopes:      o.Scopes,
		Profile:     o.Profile,
		Nonce:       nonceFor(o.Scopes),
		OwnerPID:    os.Getpid(),
	}
	if _, err := o.Sessions.Create(sess); err != nil {
		closeAll(listeners)
		return nil, err
	}
	defer o.Sessions.Delete(state)

	handler := newCallbackHandler(lb.path, state)
	srv := newServer(handler)
	var serving sync.WaitGroup
	for _, ln := range listeners {
		serving.Add(1)
		go func(ln net.Listener) {
			defer serving.Done()
			_ = srv.Serve(ln)
		}(ln)
	}
	var answered callback
	defer func() {
		// Let the browser have its page, then release the port at once:
		// waiting for idle connections would wait for the browser's
		// speculative ones too.
		if answered.shown != nil {
			select {
			case <-answered.shown:
			case <-time.After(3 * time.Second):
			}
		}
		srv.Close()
		serving.Wait()
	}()

	authURL := authorizeURL(sess, o)
	pasteErr := make(chan error, 1)
	if o.Paste != nil {
		fmt.Fprintf(o.Stderr, "Open this URL in a browser on any device and approve:\n\n  %s\n\n", authURL)
		fmt.Fprintf(o.Stderr, "The browser then goes to %s (it may show an error page there: that is fine).\nCopy the whole address from its address bar and paste it here.\n", lb.uri)
		go readPaste(o, handler, sess, pasteErr, len(listeners) > 0)
	} else {
		fmt.Fprintf(o.Stderr, "Opening Kakao's login page in your browser. If it does not open, visit:\n\n  %s\n\n", authURL)
		go func() {
			if o.Open == nil {
				return
			}
			if err := o.Open(ctx, authURL); err != nil && ctx.Err() == nil {
				fmt.Fprintf(o.Stderr, "kakao-auth: warning: could not open a browser: %s; open the URL above yourself\n", termtext.Line(err.Error()))
			}
		}()
	}

	cb, err := wait(ctx, handler.results, handler.refusals, pasteErr, o, lb.uri)
	if err != nil {
		return nil, err
	}
	answered = cb
	if cb.errCode != "" {
		denied := &DeniedError{Code: cb.errCode, Description: cb.description}
		cb.reply <- page{Status: http.StatusOK, Title: "Login did not complete", Message: "Kakao answered with an error, so kakao-auth has no token.", Detail: denied.Error(), Next: denied.Hint()}
		return nil, denied
	}
	if cb.code == "" {
		cb.reply <- page{Status: http.StatusBadRequest, Title: "Login did not complete", Message: "The answer from Kakao had neither a code nor an error.", Next: "Run the login again from the terminal."}
		return nil, errors.New("the callback carried neither code nor error")
	}
	res, err := exchange(ctx, o, state, cb.code)
	if err != nil {
		cb.reply <- failurePage(err)
		return nil, err
	}
	cb.reply <- pageSuccess
	return res, nil
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

// exchange trades the code using the client id, redirect URI and verifier
// read back from the session file: the file, not memory, is the single source
// of the in-flight values.
func exchange(ctx context.Context, o Options, state, code string) (*Result, error) {
	sess, err := o.Sessions.Find(state)
	if err != nil {
		return nil, fmt.Errorf("read back the session: %w", err)
	}
	if err := checkServers(o, sess); err != nil {
		return nil, err
	}
	res, err := exchangeFor(ctx, o, sess, code)
	if err != nil && ctx.Err() != nil {
		return nil, ErrCancelled
	}
	return res, err
}

// exchangeFor trades code for tokens with sess's values and verifies any ID
// token before anything is returned.
func exchangeFor(ctx context.Context, o Options, sess *session.Session, code string) (*Result, error) {
	client := &kakao.Client{
		ClientID:     sess.ClientID,
		ClientSecret: o.ClientSecret,
		RedirectURI:  sess.RedirectURI,
		AuthURL:      sess.AuthURL,
		HTTPClient:   o.HTTPClient,
	}
	tok, err := client.Exchange(ctx, code, sess.Verifier)
	if err != nil {
		return nil, fmt.Errorf("exchange the code: %w", err)
	}
	res := &Result{Token: tok, Session: sess, Scopes: tok.Scopes}
	if len(res.Scopes) == 0 {
		res.Scopes = sess.Scopes
	}
	switch {
	case tok.IDToken != "":
		v := &kakao.IDVerifier{ClientID: sess.ClientID, AuthURL: sess.AuthURL, HTTPClient: o.HTTPClient}
		if res.IDClaims, err = v.Verify(ctx, tok.IDToken, sess.Nonce, false); err != nil {
			return nil, err
		}
	case slices.Contains(sess.Scopes, "openid"):
		return nil, &kakao.IDTokenError{Reason: "Kakao sent no id_token although openid was requested (is OpenID Connect on for the app, under [카카오 로그인] > [OpenID Connect]?)"}
	}
	return res, nil
}

// checkServers runs o.CheckServers on the base URLs of sess.
func checkServers(o Options, sess *session.Session) error {
	if o.CheckServers == nil {
		return nil
	}
	return o.CheckServers(sess.AuthURL, sess.APIURL)
}

// nonceFor returns a fresh nonce when the login asks for an ID token.
func nonceFor(scopes []string) string {
	if !slices.Contains(scopes, "openid") {
		return ""
	}
	n, err := kakao.NewState()
	if err != nil {
		return ""
	}
	return n
}

func failurePage(err error) page {
	p := page{Status: http.StatusOK, Title: "Login did not complete", Message: "Kakao sent you back, but kakao-auth could not get a token.", Detail: err.Error(), Next: "The terminal says what to do next."}
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		p.Next = h.Hint()
	}
	return p
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}
