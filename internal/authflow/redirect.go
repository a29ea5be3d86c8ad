package authflow

import (
	"fmt"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// RedirectError reports a redirect URI the loopback listener cannot serve.
type RedirectError struct {
	URI    string
	Reason string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("redirect URI %q: %s", e.URI, e.Reason)
}

// Hint says what redirect URIs work.
func (e *RedirectError) Hint() string {
	return "use an http:// URI on localhost, 127.0.0.1 or [::1] with a fixed port, e.g. http://localhost:8765/callback, and register it exactly in the Kakao console"
}

// PortInUseError reports that none of the redirect URIs' ports could be bound.
type PortInUseError struct {
	Ports []string
	// another is a redirect URI like the ones tried, on a port none of
	// them uses and that was free when they were tried; "" for none found.
	another string
}

func (e *PortInUseError) Error() string {
	if len(e.Ports) == 1 {
		return fmt.Sprintf("port %s is in use", e.Ports[0])
	}
	return fmt.Sprintf("ports %s are in use", strings.Join(e.Ports, ", "))
}

// Hint says how to free the ports in play or pick another one.
func (e *PortInUseError) Hint() string {
	where := "there"
	switch len(e.Ports) {
	case 0:
	case 1:
		where = "on port " + e.Ports[0]
	default:
		where = "on ports " + strings.Join(e.Ports[:len(e.Ports)-1], ", ") + " and " + e.Ports[len(e.Ports)-1]
	}
	another := "another redirect URI"
	if e.another != "" {
		another += " such as " + e.another
	}
	return fmt.Sprintf("stop whatever listens %s (another kakao-auth login?), or register %s (in the Kakao console, or for kakao-auth emulator with its --redirect-uri) and pass it with --redirect-uri (repeat the flag to try several)", where, another)
}

// maxSuggestProbes bounds how many ports anotherPort tries to bind.
const maxSuggestProbes = 20

// anotherPort returns the last tried URI on the first port after the
// highest in play that none of tried uses and that is free right now (a
// port next to a busy one is often busy too: a second login, a dev
// server); "" when none of the next few is.
func anotherPort(tried []*loopback) string {
	inPlay := map[int]bool{}
	highest := 0
	for _, l := range tried {
		p, _ := strconv.Atoi(l.port)
		inPlay[p] = true
		highest = max(highest, p)
	}
	last := tried[len(tried)-1]
	for p, probes := highest+1, 0; p <= 65535 && probes < maxSuggestProbes; p++ {
		if inPlay[p] {
			continue
		}
		probes++
		uri := (&url.URL{Scheme: "http", Host: net.JoinHostPort(last.host, strconv.Itoa(p)), Path: last.path}).String()
		l, err := parseLoopback(uri)
		if err != nil {
			return ""
		}
		if ls, err := l.listen(); err == nil {
			closeAll(ls)
			return uri
		}
	}
	return ""
}

// loopback is a parsed redirect URI the listener can serve.
type loopback struct {
	uri   string
	host  string // as written: localhost, 127.0.0.1, ::1
	port  string
	path  string
	addrs []string // host:port pairs to bind
}

// parseLoopback checks that uri is http:// on a loopback host with an
// explicit port, and returns the addresses to listen on. Kakao matches
// registered redirect URIs exactly, port included, so the port cannot be
// chosen freely.
func parseLoopback(uri string) (*loopback, error) {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return nil, &RedirectError{URI: uri, Reason: "not an absolute URL"}
	}
	if u.Scheme != "http" {
		return nil, &RedirectError{URI: uri, Reason: fmt.Sprintf("the scheme is %q; the local listener serves only http:// (browsers reach loopback over plain http safely)", u.Scheme)}
	}
	if u.User != nil || u.Fragment != "" {
		return nil, &RedirectError{URI: uri, Reason: "user info and fragments are not allowed"}
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		return nil, &RedirectError{URI: uri, Reason: "no port; give one explicitly"}
	}
	l := &loopback{uri: uri, host: host, port: port, path: u.EscapedPath()}
	if l.path == "" {
		l.path = "/"
	}
	switch {
	case strings.EqualFold(host, "localhost"):
		// Browsers may resolve localhost to either family; serve both.
		l.addrs = []string{net.JoinHostPort("127.0.0.1", port), net.JoinHostPort("::1", port)}
	default:
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return nil, &RedirectError{URI: uri, Reason: fmt.Sprintf("%s is not a loopback address; nothing outside this machine may reach the listener", host)}
		}
		l.addrs = []string{net.JoinHostPort(host, port)}
	}
	return l, nil
}

// listen binds every address of l. For localhost, an IPv6 loopback that
// does not exist on this machine is skipped; one that is taken is not, since
// the browser might reach whatever holds it.
func (l *loopback) listen() ([]net.Listener, error) {
	var ls []net.Listener
	for i, addr := range l.addrs {
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			if i > 0 && !neterr.AddrInUse(err) {
				continue // no ::1 here
			}
			closeAll(ls)
			return nil, err
		}
		ls = append(ls, ln)
	}
	return ls, nil
}

// bindFirst parses every URI first (a bad one is refused before anything
// starts), then returns listeners for the first whose port is free.
func bindFirst(uris []string) (*loopback, []net.Listener, error) {
	var parsed []*loopback
	for _, u := range uris {
		l, err := parseLoopback(u)
		if err != nil {
			return nil, nil, err
		}
		parsed = append(parsed, l)
	}
	var busy []string
	for _, l := range parsed {
		ls, err := l.listen()
		if err == nil {
			return l, ls, nil
		}
		if !neterr.AddrInUse(err) {
			return nil, nil, fmt.Errorf("listen on %s: %w", l.uri, err)
		}
		if !slices.Contains(busy, l.port) {
			busy = append(busy, l.port)
		}
	}
	return nil, nil, &PortInUseError{Ports: busy, another: anotherPort(parsed)}
}

// CheckRedirectURI reports whether the loopback listener can serve uri: an
// http:// URI on a loopback host with an explicit port.
func CheckRedirectURI(uri string) error {
	_, err := parseLoopback(uri)
	return err
}

func closeAll(ls []net.Listener) {
	for _, l := range ls {
		l.Close()
	}
}
