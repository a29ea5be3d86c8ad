package authflow

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// The one-time start link.
//
// The browser is opened on a loopback address of the run's own listener,
// http://HOST:PORT/start/RANDOM, which redirects to Kakao's authorize (or
// logout) URL, never on that URL itself: every local user can read the
// arguments of every process (ps, /proc/PID/cmdline), the browser's and
// xdg-open's included, and the authorize URL carries the state, the PKCE
// challenge and the nonce. Another user holding them can approve the login
// with their own Kakao account and send their browser to this listener
// with this state: the run would be logged in as them ("login CSRF"), and
// the next "send to me" message would go to them. A Kakao Account logout
// would be confirmed by their browser's logout while the person's browser
// stays logged in.
//
// The start link is in argv too, so it is no secret; what makes it safe is
// that it works once. The first GET gets the redirect, and with it the
// state; every later GET gets an error page and ends the run. If the
// browser asks first, the other user gets nothing but that page (and the
// run ends all the same: the listener cannot tell which request was the
// browser's). If the other user asks first, the browser's request is the
// second one and the run ends with an error saying so, instead of going
// on with a state someone else holds. The link is printed for the person
// as well (a browser that did not come up): opening it by hand is the same
// first request. That alone leaves a race the other user can win: a script
// watching /proc opens the link, goes through Kakao and comes back within
// milliseconds, while a browser starting cold asks only after a second.
// On Linux the listener therefore refuses the link, and the callback, to
// a process of another local user and ends the run (peer.go); elsewhere
// the race remains, and --no-browser keeps every URL out of every
// process's arguments.
//
// A failed launch withdraws the link, and the full URL is printed on the
// terminal instead, which only the person reads: a browser that never
// started cannot come for the link, so a later request can only be someone
// else's, and gets a page that carries nothing. A link that was already
// used when the launch failed may have gone to someone else: that ends
// the run too.

// startPrefix is the path of every start link; the rest is random.
const startPrefix = "/start/"

// Where a start link stands.
const (
	linkOpen      = iota // not yet requested
	linkUsed             // requested once: its target was handed out
	linkWithdrawn        // the launch failed before anyone requested it
)

// startLink is the one-time start link of one login or logout.
type startLink struct {
	url    string // the link itself
	path   string
	target string // Kakao's URL, with the state
	what   string // "login" or "logout", for its pages and errors

	mu     sync.Mutex
	status int
	// reused is closed at the first request after the link was used.
	reused     chan struct{}
	reusedOnce sync.Once
}

// newStartLink makes the start link for target on the listener of
// redirectURI: the same scheme, host and port, so that the browser reaches
// the very listener the answer comes back to.
func newStartLink(redirectURI, target, what string) (*startLink, error) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		return nil, fmt.Errorf("start link: %w", err)
	}
	random, err := kakao.NewState()
	if err != nil {
		return nil, err
	}
	path := startPrefix + random
	link := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: path}
	return &startLink{url: link.String(), path: path, target: target, what: what, reused: make(chan struct{})}, nil
}

// reusedC is closed when the link is requested a second time; nil (never
// ready) for no link.
func (s *startLink) reusedC() <-chan struct{} {
	if s == nil {
		return nil
	}
	return s.reused
}

// withdraw takes the link out of use after a failed launch. It reports
// whether the link had been used already.
func (s *startLink) withdraw() (used bool) {
	if s == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == linkOpen {
		s.status = linkWithdrawn
	}
	return s.status == linkUsed
}

// ServeHTTP answers the start link's path; only a GET can use it (a HEAD
// would hand out the target in its Location just the same).
func (s *startLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	s.mu.Lock()
	status := s.status
	if status == linkOpen {
		s.status = linkUsed
	}
	s.mu.Unlock()
	switch status {
	case linkOpen:
		h := w.Header()
		h.Set("Location", s.target)
		// Neither a cache nor the next site may keep the link's target.
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		w.WriteHeader(http.StatusSeeOther)
	case linkUsed:
		startUsedPage(s.what).render(w)
		_ = http.NewResponseController(w).Flush()
		s.reusedOnce.Do(func() { close(s.reused) })
	default:
		startWithdrawnPage(s.what).render(w)
	}
}

// withStart serves the start link's path with link and everything else
// with next.
type withStart struct {
	link *startLink
	next http.Handler
}

func (h withStart) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.link != nil && r.URL.EscapedPath() == h.link.path {
		h.link.ServeHTTP(w, r)
		return
	}
	h.next.ServeHTTP(w, r)
}

// StartReusedError means the one-time start link was requested a second
// time (or was used before a launch that then failed), so someone other
// than the person's browser may hold the state: the run was stopped
// rather than let their answer through.
type StartReusedError struct {
	What         string // "login" or "logout"
	LaunchFailed bool
}

func (e *StartReusedError) Error() string {
	if e.LaunchFailed {
		return fmt.Sprintf("the browser could not be opened, yet this %s's one-time link had been opened already, so the %s was stopped: someone else on this machine may have opened it (every local user can see a browser's arguments)", e.What, e.What)
	}
	return fmt.Sprintf("this %s's one-time link was opened a second time, so the %s was stopped: someone else on this machine may have opened it first (every local user can see a browser's arguments), and the %s could have been theirs", e.What, e.What, e.What)
}

// Hint says how to go on.
func (e *StartReusedError) Hint() string {
	if e.What == "login" {
		return "run the login again and open its link only once; if it happens again, log in with --no-browser, which prints Kakao's URL on this terminal only"
	}
	return "run the logout again and open its link only once"
}

func startUsedPage(what string) page {
	return page{
		Status:  http.StatusConflict,
		Title:   "This link was already used",
		Message: fmt.Sprintf("kakao-auth opens Kakao's page through a link that works once, and it had been opened already, perhaps by someone else on this computer. So that you are not signed in to someone else's Kakao account, kakao-auth stopped the %s.", what),
		Next:    fmt.Sprintf("Run the %s again in the terminal, and open its link only once.", what),
	}
}

func startWithdrawnPage(what string) page {
	return page{
		Status:  http.StatusGone,
		Title:   "This link is no longer in use",
		Message: fmt.Sprintf("kakao-auth could not open a browser on this link, so it printed Kakao's address in the terminal instead. The %s goes on there.", what),
		Next:    "Use the address printed in your terminal.",
	}
}
