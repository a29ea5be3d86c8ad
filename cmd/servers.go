package cmd

import (
	"fmt"
	"net/url"
	"strconv"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Cleartext servers. kakao-auth sends the code, the client secret and the
// refresh token to the auth server, and the access token to the API server.
// Over http:// anyone on the way reads them, so a base URL must be https://,
// or http:// on this machine (a loopback host: the emulator, tests). Any
// other http:// server is refused unless the user opts in, and then every
// run that talks to it warns.
const (
	flagAllowInsecureHTTP = "allow-insecure-http"
	envAllowInsecureHTTP  = "KAKAO_AUTH_ALLOW_INSECURE_HTTP"
)

// How to opt in, for hints.
const (
	optInFlagOrEnv = "pass --" + flagAllowInsecureHTTP + " or set " + envAllowInsecureHTTP + "=1"
	optInEnv       = "set " + envAllowInsecureHTTP + "=1"
)

// allowInsecureEnv reports whether the environment opts in to cleartext
// servers (KAKAO_AUTH_ALLOW_INSECURE_HTTP=1, or true).
func allowInsecureEnv(d *Deps) bool {
	on, _ := strconv.ParseBool(d.Getenv(envAllowInsecureHTTP))
	return on
}

// cleartext reports whether raw is an http:// URL on a host other than
// this machine. Anything but an http(s) URL with a host is an error.
func cleartext(raw string) (bool, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return false, fmt.Errorf("%q is not an http(s) URL", raw)
	}
	return u.Scheme == "http" && !isLoopbackURL(raw), nil
}

// server is a base URL about to be used, with what the messages say of it.
type server struct {
	url   string
	where string // where it came from: "--auth-url or KAKAO_AUTH_URL", `profile "x"`, …
	role  string // "auth" or "API"
}

// cleartextPolicy decides, for one run, whether its servers may be used.
type cleartextPolicy struct {
	allow bool   // the user opted in
	fix   string // the hint's first part when refused: how to use https
	optIn string // the hint's second part: how to opt in
	// warned are the URLs warned about this run; nil: within one check.
	warned map[string]bool
}

// check vets the base URLs a run is about to send secrets to. A cleartext
// one is a usage error, unless the user opted in; then it is a warning, once
// per URL of the run.
func (p *cleartextPolicy) check(d *Deps, servers ...server) error {
	warned := p.warned
	if warned == nil {
		warned = map[string]bool{}
	}
	for i, s := range servers {
		clear, err := cleartext(s.url)
		if err != nil {
			return usagef("a base URL is https://host[:port], or http:// on localhost, 127.0.0.1 or [::1]", "the Kakao %s server URL (%s): %v", s.role, s.where, err)
		}
		if !clear || warned[s.url] {
			continue
		}
		// One message per URL: the auth and API servers are often one
		// (an emulator).
		role, what := s.role, "the code, the client secret and the refresh token"
		if s.role == "API" {
			what = "the access token"
		}
		for _, o := range servers[i+1:] {
			if o.url == s.url && o.role != s.role {
				role, what = "auth and API", "the code, the client secret, the refresh token and the access token"
			}
		}
		if !p.allow {
			return usagef(p.fix+"; if the server is on a network you trust (an emulator in a container, say), "+p.optIn,
				"the Kakao %s server %s (%s) is not https and not on this machine: %s would cross the network in the clear", role, s.url, s.where, what)
		}
		warnf(d, "the Kakao %s server %s (%s) is not https and not on this machine: %s cross the network in the clear (allowed by --%s or %s)", role, s.url, s.where, what, flagAllowInsecureHTTP, envAllowInsecureHTTP)
		warned[s.url] = true
	}
	return nil
}

// useHTTPS is the usual fix for a cleartext server given on this run.
const useHTTPS = "use https://, or http:// only on localhost, 127.0.0.1 or [::1]"

// checkAppServers vets the servers named by the command line and the
// environment.
func checkAppServers(d *Deps, a app) error {
	p := cleartextPolicy{allow: a.AllowInsecureHTTP, fix: useHTTPS, optIn: optInFlagOrEnv}
	return p.check(d, server{a.AuthURL, "--auth-url or " + envAuthURL, "auth"}, server{a.APIURL, "--api-url or " + envAPIURL, "API"})
}

// insecureServers reports whether a login to these servers needs the
// opt-in, which is then stored with it.
func insecureServers(urls ...string) bool {
	for _, u := range urls {
		if clear, _ := cleartext(u); clear {
			return true
		}
	}
	return false
}

// checkServers vets the servers of profile's stored login rec before
// anything is sent to them, warning once per run. A login stored with the
// opt-in keeps it.
func checkServers(d *Deps, profile string, rec *tokenstore.Record) error {
	if d.warnedServers == nil {
		d.warnedServers = map[string]bool{}
	}
	p := cleartextPolicy{
		allow:  rec.AllowInsecureHTTP || allowInsecureEnv(d),
		fix:    "run " + loginCommand(profile) + " again with https:// --auth-url and --api-url",
		optIn:  optInEnv,
		warned: d.warnedServers,
	}
	where := fmt.Sprintf("profile %q", profile)
	return p.check(d, server{firstNonEmpty(rec.AuthURL, kakao.DefaultAuthURL), where, "auth"}, server{firstNonEmpty(rec.APIURL, kakao.DefaultAPIURL), where, "API"})
}
