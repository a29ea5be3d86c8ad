package authflow

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/user"
	"strconv"
	"sync"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// Another local user at the listener.
//
// The start link is in the browser's arguments, which every local user can
// read, and a script watching /proc asks for it within milliseconds, while
// a browser starting cold takes about a second: the one-time rule alone
// (start.go) loses that race. So on Linux the listener asks the kernel who
// is at the other end of each request for the start link or the callback:
// the client's socket is in /proc/net/tcp (or tcp6) with the uid that
// owns it (peer_linux.go). A request from a process of another user is
// refused without the link's target and ends the run; the callback is
// checked the same way, as a second line: only the start link's requester
// or the person (the printed URL, a paste) knows the state it carries.
//
// Our own uid is let through (the person's browser; an SSH port forward,
// whose sshd child runs as the person), and so is root, who can read the
// session file anyway. A client that is not in this namespace's tables is
// let through as before, under the one-time rule: another local user of
// this network namespace always is in them, so "not found" only means "not
// a local process of this namespace" (a container's port proxy, WSL's
// relay, a browser on another machine through a tunnel), or a system
// without /proc/net/tcp (macOS, Windows: peer_other.go).

// peerGuard serves next, except to another local user's process asking
// for one of paths: that request is refused, and the run is ended through
// refused.
type peerGuard struct {
	what  string // "login" or "logout"
	paths []string
	next  http.Handler
	self  int // our uid
	// refused carries the run's end, once.
	refused chan error
	once    sync.Once
}

// newPeerGuard guards the callback path and, when there is one, the start
// link's path of a run's listener.
func newPeerGuard(what, callbackPath string, link *startLink, next http.Handler) *peerGuard {
	paths := []string{callbackPath}
	if link != nil {
		paths = append(paths, link.path)
	}
	return &peerGuard{what: what, paths: paths, next: next, self: os.Getuid(), refused: make(chan error, 1)}
}

// refusedC brings the run's end when another user was refused; nil (never
// ready) for no guard.
func (g *peerGuard) refusedC() <-chan error {
	if g == nil {
		return nil
	}
	return g.refused
}

func (g *peerGuard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !g.guards(r.URL.EscapedPath()) {
		g.next.ServeHTTP(w, r)
		return
	}
	uid, found := requestPeer(r)
	if !refusePeer(uid, found, g.self) {
		g.next.ServeHTTP(w, r)
		return
	}
	takeoverPage(g.what).render(w)
	_ = http.NewResponseController(w).Flush()
	g.once.Do(func() {
		g.refused <- &TakeoverError{What: g.what, UID: uid, Name: userName(uid)}
	})
}

func (g *peerGuard) guards(path string) bool {
	for _, p := range g.paths {
		if path == p {
			return true
		}
	}
	return false
}

// refusePeer is the rule: refuse a client positively known to be another
// user's, unless that user is root.
func refusePeer(uid int, found bool, self int) bool {
	return found && uid != self && uid != 0
}

// requestPeer finds who owns the client's end of r's connection; found is
// false when that cannot be told.
func requestPeer(r *http.Request) (uid int, found bool) {
	remote, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return 0, false
	}
	addr, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr)
	if !ok {
		return 0, false
	}
	local, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return 0, false
	}
	return peerOwner(netip.AddrPortFrom(remote.Addr().Unmap(), remote.Port()), netip.AddrPortFrom(local.Addr().Unmap(), local.Port()))
}

// userLookupTimeout bounds the look-up of a user's name: NSS may ask a
// directory server.
const userLookupTimeout = 2 * time.Second

// userName returns the login name of uid, or "" when it cannot be had in
// time.
func userName(uid int) string {
	name := make(chan string, 1)
	go func() {
		u, err := user.LookupId(strconv.Itoa(uid))
		if err != nil {
			name <- ""
			return
		}
		name <- u.Username
	}()
	select {
	case n := <-name:
		return n
	case <-time.After(userLookupTimeout):
		return ""
	}
}

// TakeoverError means a process of another local user asked this run's
// listener for its start link or its callback. It got a refusal page and
// nothing else, and the run was stopped: whoever reads the browser's
// arguments should not get a second try.
type TakeoverError struct {
	What string // "login" or "logout"
	UID  int
	Name string // the user's login name; "" when unknown
}

func (e *TakeoverError) Error() string {
	who := fmt.Sprintf("uid %d", e.UID)
	if e.Name != "" {
		who = fmt.Sprintf("user %s (uid %d)", termtext.Line(e.Name), e.UID)
	}
	return fmt.Sprintf("someone else on this machine, %s, tried to take over this %s: their request to its local link was refused and the %s was stopped; kakao-auth sent nothing to Kakao", who, e.What, e.What)
}

// Hint says how to go on.
func (e *TakeoverError) Hint() string {
	if e.What == "login" {
		return "log in again; if it happens again, log in with --no-browser, which puts no link in any process's arguments (and ask whoever runs that account what it is doing)"
	}
	return "run the logout again; if it happens again, ask whoever runs that account what it is doing"
}

func takeoverPage(what string) page {
	return page{
		Status:  http.StatusForbidden,
		Title:   "This link belongs to another user",
		Message: fmt.Sprintf("This kakao-auth %s was started by another user on this computer, and its links answer only that user's own programs. Your request was refused and the %s was stopped.", what, what),
	}
}
