package emulator

import (
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The emulator hands out tokens, messages and a signing key to whoever
// reaches it, trusting that only programs on this machine do. Two browser
// tricks would get a web page past that: DNS rebinding (a page on a name
// the attacker controls, rebound to 127.0.0.1, reads the emulator as its
// own origin) and cross-site form posts (a page auto-submits a form to
// the emulator's own paths). guard refuses both before anything is served.
//
// The rule, as the README states it:
//   - Host must name the emulator: "localhost", an IP address (a browser
//     can only reach an address that leads here), or Config.PublicURL's
//     host. Ports are not compared: a proxy or a port forward may change
//     them, and a rebound name is refused whatever its port. Anything else
//     is 421 Misdirected Request (RFC 9110 §15.5.20: this server does not
//     answer for that authority), never served and never advertised as an
//     issuer.
//   - A state-changing request to the emulator's own paths (a POST or any
//     other non-GET to /_emulator/…, and the consent form's POST) is 403
//     when a browser says it comes from another origin: Sec-Fetch-Site
//     other than same-origin or none, or an Origin other than the
//     emulator's own. Programs (curl, an app's backend, kakao-auth) send
//     neither header and are not affected; nor are Kakao's own endpoints
//     (/oauth/token, kapi), which servers call and which need a code or a
//     token a foreign page does not have.
func (s *Server) guard(w http.ResponseWriter, r *http.Request) bool {
	if !s.servesHost(r.Host) {
		http.Error(w, "kakao-auth emulator: this server does not answer for the host "+quoteHost(r.Host)+
			": it answers to its address, localhost and its --public-url's host (start it with --public-url to be reached by another name)",
			http.StatusMisdirectedRequest)
		return false
	}
	if changesOwnState(r) && !s.sameOrigin(r) {
		http.Error(w, "kakao-auth emulator: refused a request from another origin to "+r.URL.Path+
			": the emulator's own paths and its consent form take requests from its own pages and from programs only",
			http.StatusForbidden)
		return false
	}
	return true
}

// servesHost reports whether host, a request's Host header, names this
// emulator (see guard).
func (s *Server) servesHost(host string) bool {
	name := hostname(host)
	switch {
	case name == "":
		return false
	case name == "localhost":
		return true
	case net.ParseIP(name) != nil:
		return true
	}
	return s.publicURL != "" && name == hostname(urlHost(s.publicURL))
}

// hostname is host without its port or brackets, lowercased, without a
// trailing dot: "LocalHost.:9339" is "localhost", "[::1]:80" is "::1".
func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// urlHost is raw's host and port, or "" when raw does not parse.
func urlHost(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

// quoteHost quotes a Host header for an error message, bounded in length
// and with anything unprintable escaped.
func quoteHost(host string) string {
	if len(host) > 100 {
		host = host[:100] + "…"
	}
	return strconv.QuoteToASCII(host)
}

// changesOwnState reports whether r would change the emulator's state
// through one of its own paths: any method but GET and HEAD to
// /_emulator/… (the sink excepted: it stands for a foreign server and
// records whatever reaches it), and the consent form's POST.
func changesOwnState(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return false
	}
	p := r.URL.Path
	return (strings.HasPrefix(p, "/_emulator/") && p != sinkPath) || p == "/oauth/authorize/consent"
}

// sameOrigin reports whether r comes from the emulator's own pages, or
// from a program that says nothing of an origin. A browser states its
// origin in Sec-Fetch-Site (Chromium, Firefox, Safari since 2023) and in
// Origin on every POST: either one naming another origin refuses r. A
// page on another port of 127.0.0.1 is "same-site" but not same-origin.
func (s *Server) sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return false // "null" included: a sandboxed or opaque origin
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	// Behind a reverse proxy that rewrites Host, the browser's origin is
	// the public URL.
	return s.publicURL != "" && strings.EqualFold(origin, s.publicURL)
}
