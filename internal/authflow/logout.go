package authflow

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// LogoutOptions configure one Kakao Account logout.
type LogoutOptions struct {
	ClientID string
	AuthURL  string // Kakao auth base; empty means kakao.DefaultAuthURL
	// RedirectURI is the logout redirect URI: one registered for the app
	// under [카카오 로그인] > [고급], served here on the loopback.
	RedirectURI string
	// Timeout bounds the wait for the browser; zero means DefaultTimeout.
	Timeout time.Duration
	// Open opens the browser on the logout's one-time start link (never
	// on Kakao's URL, whose state every local user could read in the
	// browser's arguments); its failure is reported, not fatal. nil opens
	// nothing: Kakao's URL is printed instead.
	Open func(ctx context.Context, url string) error
	// Stderr receives every message for people.
	Stderr io.Writer
}

// LogoutTimeoutError means the browser did not come back in time.
type LogoutTimeoutError struct {
	After       time.Duration
	RedirectURI string
}

func (e *LogoutTimeoutError) Error() string {
	return fmt.Sprintf("no answer from the browser within %s, so the Kakao Account logout is not confirmed", e.After)
}

// Hint points at the usual cause, Kakao's KOE007 page.
func (e *LogoutTimeoutError) Hint() string {
	return fmt.Sprintf("Kakao shows KOE007 on its own page instead of coming back when the logout redirect URI is not registered: look at the browser tab; register %s as a Logout Redirect URI of the app ([카카오 로그인] > [고급]) or pass a registered one with --logout-redirect-uri, then run the logout again (or raise --timeout)", e.RedirectURI)
}

// LogoutPortInUseError means the logout redirect URI's port is taken.
type LogoutPortInUseError struct {
	RedirectURI string
	Port        string
}

func (e *LogoutPortInUseError) Error() string {
	return fmt.Sprintf("port %s of the logout redirect URI %s is in use", e.Port, e.RedirectURI)
}

// Hint says how to free or change it.
func (e *LogoutPortInUseError) Hint() string {
	return "stop whatever listens there (a kakao-auth login?), or register another Logout Redirect URI for the app and pass it with --logout-redirect-uri"
}

// AccountLogout ends the person's Kakao Account session in the browser (Kakao's
// "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount),
// for shared machines, where revoking the tokens leaves the browser logged in
// to Kakao. It listens on exactly the logout redirect URI (host, port and
// path), opens Kakao's logout page with a fresh state, through a one-time start
// link on the same listener (start.go), and returns once the browser comes back
// there with that state, having shown it a page. It touches no token.
func AccountLogout(ctx context.Context, o LogoutOptions) error {
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
	lb, err := parseLoopback(o.RedirectURI)
	if err != nil {
		return err
	}
	listeners, err := lb.listen()
	if err != nil {
		if neterr.AddrInUse(err) {
			return &LogoutPortInUseError{RedirectURI: o.RedirectURI, Port: lb.port}
		}
		return fmt.Errorf("listen on %s: %w", o.RedirectURI, err)
	}
	state, err := kakao.NewState()
	if err != nil {
		closeAll(listeners)
		return err
	}
	h := &logoutHandler{path: lb.path, state: state, done: make(chan struct{})}
	client := &kakao.Client{ClientID: o.ClientID, AuthURL: o.AuthURL}
	logoutURL := client.AccountLogoutURL(o.RedirectURI, state)
	var link *startLink
	if o.Open != nil {
		// The browser gets a one-time link, not the URL with the state
		// (start.go).
		if link, err = newStartLink(lb.uri, logoutURL, "logout"); err != nil {
			closeAll(listeners)
			return err
		}
	}
	srv := &server{uri: lb.uri, path: lb.path, listeners: listeners, failed: make(chan error, len(listeners))}
	guard := newPeerGuard("logout", lb.path, link, withStart{link: link, next: h})
	srv.serve(guard)
	// The handler puts its page on the wire before it closes done.
	defer srv.stop(nil)

	var launched chan error
	if link == nil {
		fmt.Fprintf(o.Stderr, "Open this URL in a browser to log it out of Kakao:\n\n  %s\n\n", logoutURL)
	} else {
		fmt.Fprintf(o.Stderr, "Opening Kakao's logout page in your browser. If it does not open, visit this link (it works once):\n\n  %s\n\n", link.url)
		launched = make(chan error, 1)
		go func() { launched <- o.Open(ctx, link.url) }()
	}
	fmt.Fprintf(o.Stderr, "Waiting for the browser to come back to %s (timeout %s)...\n", o.RedirectURI, o.Timeout)
	timer := time.NewTimer(o.Timeout)
	defer timer.Stop()
	for {
		select {
		case <-h.done:
			return nil
		case err := <-launched:
			launched = nil
			if err == nil || ctx.Err() != nil {
				continue
			}
			// As for a login (launchFailed): the link is withdrawn, and
			// one used already may have gone to someone else.
			if link.withdraw() {
				return &StartReusedError{What: "logout", LaunchFailed: true}
			}
			fmt.Fprintf(o.Stderr, "kakao-auth: warning: could not open a browser: %s\nOpen this URL in a browser yourself to log it out of Kakao:\n\n  %s\n\n", termtext.Line(err.Error()), logoutURL)
		case <-link.reusedC():
			return &StartReusedError{What: "logout"}
		case err := <-guard.refusedC():
			return err
		case err := <-srv.failed:
			return err
		case <-timer.C:
			return &LogoutTimeoutError{After: o.Timeout, RedirectURI: o.RedirectURI}
		case <-ctx.Done():
			return fmt.Errorf("kakao account logout: %w", ctx.Err())
		}
	}
}

// logoutHandler serves exactly GET on the logout redirect URI's path. The
// first request with the logout's state ends the wait, once its page is on
// the wire; every other request changes nothing.
type logoutHandler struct {
	path    string
	state   string
	claimed atomic.Bool
	done    chan struct{}
}

func (h *logoutHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.EscapedPath() != h.path {
		http.NotFound(w, r)
		return
	}
	if r.URL.Query().Get("state") != h.state {
		pageLogoutWrongState.render(w)
		return
	}
	if !h.claimed.CompareAndSwap(false, true) {
		pageLogoutDone.render(w)
		return
	}
	pageLoggedOut.render(w)
	// The server closes as soon as done is: the page must be sent first.
	_ = http.NewResponseController(w).Flush()
	close(h.done)
}

var (
	pageLoggedOut = page{
		Status:  http.StatusOK,
		OK:      true,
		Title:   "You are logged out of Kakao",
		Message: "Kakao ended your Kakao Account session in this browser. You can close this tab and return to the terminal.",
	}
	pageLogoutWrongState = page{
		Status:  http.StatusBadRequest,
		Title:   "This logout answer is not for the running kakao-auth",
		Message: "The address this tab opened does not belong to the logout kakao-auth is waiting for (it may be an old tab, or a link from somewhere else). Nothing was done with it.",
		Next:    "Use the link kakao-auth printed in your terminal.",
	}
	pageLogoutDone = page{
		Status:  http.StatusConflict,
		Title:   "This logout has already finished",
		Message: "kakao-auth already received the answer for this logout.",
		Next:    "Check your terminal.",
	}
)
