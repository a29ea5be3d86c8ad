package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// Pending is a login started with Start and finished later with Resume,
// possibly by another process.
type Pending struct {
	AuthorizeURL string
	State        string
	RedirectURI  string
	ExpiresAt    time.Time
}

// Start writes the session file of a two-step login and returns the URL to
// approve. Nothing listens: the person brings the address the browser ended
// on to Resume within session.Lifetime.
func Start(o Options) (*Pending, error) {
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	if len(o.RedirectURIs) == 0 {
		return nil, errors.New("no redirect URI")
	}
	uri := o.RedirectURIs[0]
	if err := CheckPasteRedirectURI(uri); err != nil {
		return nil, err
	}
	if err := sweep(o); err != nil {
		return nil, err
	}
	sess, err := createSession(o, uri, 0)
	if err != nil {
		return nil, err
	}
	return &Pending{AuthorizeURL: authorizeURL(sess, o), State: sess.State, RedirectURI: uri, ExpiresAt: sess.ExpiresAt}, nil
}

// ResumeError explains why a pasted address has no pending login.
type ResumeError struct {
	Reason string
}

func (e *ResumeError) Error() string { return e.Reason }

// Hint says how to start over.
func (e *ResumeError) Hint() string {
	return "start a new login with " + termtext.Quoted("kakao-auth", "login", "--no-wait") + " and resume it within 10 minutes"
}

// Resume finishes a two-step login: it finds the session by the pasted
// address's state, claims it (a second resume of the same address is
// refused), and exchanges the code with the client id, redirect URI and
// verifier from the session file. The session is gone afterwards, whatever
// the outcome: the code is single-use at Kakao.
func Resume(ctx context.Context, o Options, pasted string) (*Result, error) {
	pending, err := PendingFor(o.Sessions, pasted)
	if err != nil {
		return nil, err
	}
	// Vetted before the claim, so that a refused server leaves the pending
	// login for a run that may use it.
	if err := checkServers(o, pending); err != nil {
		return nil, err
	}
	state := pending.State
	sess, err := o.Sessions.Claim(state)
	if err != nil {
		return nil, noPendingLogin(o.Sessions, state, err)
	}
	defer o.Sessions.Release(state)
	code, err := ParseCallback(pasted, sess.State, sess.RedirectURI)
	if err != nil {
		return nil, err
	}
	return exchangeFor(ctx, o, sess, code)
}

// PendingFor is the pending login that the pasted address belongs to, found
// and not taken; for an address that belongs to none, the error says why
// (a bare code, no state, a login already resumed or expired). A resume
// can ask it before anything else, so that is what a person hears first.
func PendingFor(sessions session.Dir, pasted string) (*session.Session, error) {
	u, err := parseAddress(pasted, "")
	if err != nil {
		return nil, err
	}
	state := u.Query().Get("state")
	if state == "" {
		// Error answers too: one without state belongs to no login.
		return nil, &PasteError{Reason: "the address has no state parameter, so it cannot be matched to a pending login", hint: pasteHint("")}
	}
	sess, err := sessions.Find(state)
	if err != nil {
		return nil, noPendingLogin(sessions, state, err)
	}
	return sess, nil
}

// noPendingLogin explains a session not found (or not taken) for state.
func noPendingLogin(sessions session.Dir, state string, err error) error {
	switch {
	case errors.Is(err, session.ErrNotFound):
		return &ResumeError{Reason: "no pending login matches this address: it was already used (codes work once), it expired and was swept, or it was started by another user or on another machine"}
	case errors.Is(err, session.ErrExpired):
		sessions.Delete(state)
		return &ResumeError{Reason: fmt.Sprintf("the pending login expired (logins must be resumed within %s)", session.Lifetime)}
	}
	return err
}

// sweep clears stale session files before a login adds its own. A session
// directory that is not private (or is a link) stops the login: no session
// goes there. Anything else only weakens the cleanup, and is a warning.
func sweep(o Options) error {
	_, err := o.Sessions.Sweep()
	var ie *session.InsecureError
	if errors.As(err, &ie) {
		return err
	}
	if err != nil {
		fmt.Fprintf(o.Stderr, "kakao-auth: warning: %s\n", termtext.Line(err.Error()))
	}
	return nil
}
