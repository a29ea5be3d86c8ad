package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kakao-auth/kakao-auth/internal/authflow"
	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Kakao Account logout ("logout --kakao-account"): the browser's Kakao session
// ends too, for shared machines (Kakao's "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount).

// DefaultLogoutRedirectURI is the logout redirect URI used when none is
// given; register it as a Logout Redirect URI of the app ([카카오 로그인] >
// [고급]).
const DefaultLogoutRedirectURI = "http://localhost:8765/logout"

// envLogoutRedirectURI is read when --logout-redirect-uri is not given.
const envLogoutRedirectURI = "KAKAO_LOGOUT_REDIRECT_URI"

// registerAccountLogoutFlags adds the flags of --kakao-account to logout.
func registerAccountLogoutFlags(fs *pflag.FlagSet, o *LogoutOptions) {
	fs.BoolVar(&o.KakaoAccount, "kakao-account", false, "also log the browser out of Kakao (its Kakao Account session), for shared machines")
	fs.StringVar(&o.LogoutRedirectURI, "logout-redirect-uri", "", "with --kakao-account: a registered Logout Redirect URI to catch the browser on (env "+envLogoutRedirectURI+", default "+DefaultLogoutRedirectURI+")")
	fs.DurationVar(&o.Timeout, "timeout", authflow.DefaultTimeout, "with --kakao-account: how long to wait for the browser")
	fs.StringVar(&o.BrowserCommand, "browser-command", "", "with --kakao-account: command that opens the URL, given as its last argument (env "+browser.EnvVar+", then BROWSER)")
}

// checkAccountLogout resolves and checks the flags of --kakao-account,
// which are refused without it.
func (o *LogoutOptions) checkAccountLogout(d *Deps, c *cobra.Command) error {
	if !o.KakaoAccount {
		for _, name := range []string{"logout-redirect-uri", "timeout", "browser-command"} {
			if c.Flags().Changed(name) {
				return usagef("add --kakao-account to log the browser out of Kakao", "--%s applies to --kakao-account", name)
			}
		}
		return nil
	}
	o.LogoutRedirectURI = firstNonEmpty(o.LogoutRedirectURI, strings.TrimSpace(d.Getenv(envLogoutRedirectURI)), DefaultLogoutRedirectURI)
	if err := authflow.CheckRedirectURI(o.LogoutRedirectURI); err != nil {
		var re *authflow.RedirectError
		if errors.As(err, &re) {
			return usagef("use an http:// URI on localhost, 127.0.0.1 or [::1] with a fixed port, e.g. "+DefaultLogoutRedirectURI+", registered as a Logout Redirect URI of the app", "logout redirect URI %q: %s", re.URI, re.Reason)
		}
		return err
	}
	if o.Timeout <= 0 {
		return usagef(usageHint(c), "--timeout must be positive")
	}
	return nil
}

// accountLogout logs the browser out of Kakao for the app of rec, the
// profile's login (nil: none usable; then KAKAO_CLIENT_ID and
// KAKAO_AUTH_URL name the app). It changes nothing stored. When it fails,
// the caller keeps the local login, unless --force.
func accountLogout(ctx context.Context, d *Deps, o *LogoutOptions, rec *tokenstore.Record) error {
	clientID, authURL := "", ""
	if rec != nil {
		clientID, authURL = rec.ClientID, firstNonEmpty(rec.AuthURL, kakao.DefaultAuthURL)
	} else {
		clientID = d.Getenv(envClientID)
		authURL = baseURL(d.Getenv(envAuthURL), kakao.DefaultAuthURL)
		if clientID == "" {
			return usagef("log in first, or set "+envClientID+" (and "+envAuthURL+") to the app's", "--kakao-account needs the app to log out of: profile %q holds no usable login", o.Profile)
		}
		p := cleartextPolicy{allow: allowInsecureEnv(d), fix: useHTTPS, optIn: optInEnv}
		if err := p.check(d, server{authURL, envAuthURL, "auth"}); err != nil {
			return err
		}
	}
	command := browser.Command(o.BrowserCommand, d.Getenv)
	if reason := browser.Unavailable(d.Getenv); command == "" && reason != "" {
		// Only this machine's browser can come back to the loopback
		// logout redirect URI, and it cannot open: waiting --timeout for
		// it would be waiting for nothing.
		return &hintedError{
			err:  fmt.Errorf("no browser can be opened here (%s), and --kakao-account logs out the browser of this machine", reason),
			hint: "run the logout in this machine's desktop session, or name the command that opens its browser with --browser-command (or " + browser.EnvVar + "); to remove only the tokens, leave out --kakao-account",
		}
	}
	return authflow.AccountLogout(ctx, authflow.LogoutOptions{
		ClientID:    clientID,
		AuthURL:     authURL,
		RedirectURI: o.LogoutRedirectURI,
		Timeout:     o.Timeout,
		Open: func(ctx context.Context, url string) error {
			return d.OpenBrowser(ctx, command, url)
		},
		Stderr: d.Stderr,
	})
}

// afterAccountLogout reports how the account logout went and decides
// whether the logout goes on: it stops on a failure, unless --force (not
// for an interrupt or a bad command line).
func afterAccountLogout(d *Deps, o *LogoutOptions, err error) error {
	var ue *usageError
	switch {
	case err == nil:
		fmt.Fprintln(d.Stderr, "Logged out of Kakao in the browser: its Kakao Account session ended.")
		return nil
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.As(err, &ue):
		return err
	case o.Force:
		warnf(d, "the Kakao Account logout failed (%v); going on (--force)", err)
		return nil
	}
	return fmt.Errorf("%w; the local login is kept (add --force to remove it anyway)", err)
}
