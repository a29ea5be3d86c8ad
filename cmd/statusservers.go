package cmd

import (
	"context"
	"net"
	"net/url"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// serverProbeTimeout bounds the look at a loopback server: a refused
// connection answers at once, and status --all stays quick.
const serverProbeTimeout = 300 * time.Millisecond

// loginServers describes the servers of profile's login rec for status, as
// gh auth status names each host: "" when they are Kakao's. gone says that
// the login's emulator is gone: that of "login --emulator" stopped with its
// login, and nothing listens at a loopback one any more (asked of this
// machine only, so status --all stays offline).
func loginServers(ctx context.Context, profile string, rec *tokenstore.Record) (text string, gone bool) {
	auth, api := baseURL(rec.AuthURL), baseURL(rec.APIURL)
	if (auth == "" || auth == kakao.DefaultAuthURL) && (api == "" || api == kakao.DefaultAPIURL) {
		return "", false
	}
	text = auth
	if api != auth {
		text = "auth " + auth + ", API " + api
	}
	switch {
	case madeByBuiltinEmulator(profile, rec):
		return text + " (built-in emulator, stopped)", true
	case isLoopbackURL(auth) && !listening(ctx, auth):
		return text + " (not running)", true
	}
	return text, false
}

// listening reports whether something takes connections at the loopback
// server raw; anything but a refused connection counts as yes.
func listening(ctx context.Context, raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	ctx, cancel := context.WithTimeout(ctx, serverProbeTimeout)
	defer cancel()
	c, err := (&net.Dialer{}).DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err != nil {
		return !neterr.Refused(err)
	}
	c.Close()
	return true
}
