package cmd

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Environment variables read when the matching flag is not given.
const (
	envClientID     = "KAKAO_CLIENT_ID"
	envClientSecret = "KAKAO_CLIENT_SECRET"
	envRedirectURI  = "KAKAO_REDIRECT_URI"
	envAuthURL      = "KAKAO_AUTH_URL"
	envAPIURL       = "KAKAO_API_URL"
	envProfile      = "KAKAO_AUTH_PROFILE"
)

// secretEnv are the variables read that carry a secret (KAKAO_REFRESH_TOKEN
// is envRefreshToken, in envtoken.go). No child process, such as the
// browser, inherits them.
var secretEnv = []string{envClientSecret, envRefreshToken}

// DefaultRedirectURI is the redirect URI used when none is given; register it
// in the Kakao console.
const DefaultRedirectURI = "http://localhost:8765/callback"

// DefaultProfile names the profile used when none is given.
const DefaultProfile = "default"

// app is the resolved settings: flags, then environment, then the
// profile's stored login, then defaults.
type app struct {
	ClientID     string
	ClientSecret string
	RedirectURIs []string
	AuthURL      string
	APIURL       string
	Profile      string
	// AllowInsecureHTTP lets AuthURL and APIURL be http:// on another
	// host (--allow-insecure-http or KAKAO_AUTH_ALLOW_INSECURE_HTTP).
	AllowInsecureHTTP bool
	// Previous is the login stored under Profile before this run, of
	// whatever app, and PreviousStore the store holding it; nil and "" for
	// none. When its record cannot be read, Previous is the app noted with
	// the profile, without tokens, user or secret; so it is when the
	// profile was logged out, and PreviousStore is then "". Its settings
	// filled the gaps only when it is of this app.
	Previous      *tokenstore.Record
	PreviousStore string
	// BuiltinEmulator says that AuthURL and APIURL are the private
	// emulator of "login --emulator", which stops when the login ends.
	BuiltinEmulator bool
}

// SameAppAsPrevious reports whether the profile's stored login is of the
// app this run is about.
func (a app) SameAppAsPrevious() bool {
	return a.Previous != nil && a.Previous.ClientID == a.ClientID
}

// previousLogin finds the login stored under a profile, and its store;
// nil and "" when there is none (or neither its record nor the app noted
// with it can be read: the login then proceeds as for a new profile).
type previousLogin func(profile string) (*tokenstore.Record, string)

// resolve resolves a login's app settings (other commands take theirs
// from the stored login, and env-only mode, envLogin, from the environment
// alone): each from its flag,
// else its environment variable, else the login stored under the profile
// (found by previous, which may be nil) when that is of the same app, else
// its default. The profile name itself is flag, environment, default.
func (f *appFlags) resolve(ctx context.Context, d *Deps, previous previousLogin) (app, error) {
	a := app{
		ClientID:          firstNonEmpty(f.clientID, d.Getenv(envClientID)),
		RedirectURIs:      f.redirectURIs,
		AuthURL:           baseURL(f.authURL, d.Getenv(envAuthURL)),
		APIURL:            baseURL(f.apiURL, d.Getenv(envAPIURL)),
		Profile:           firstNonEmpty(f.profile, d.Getenv(envProfile), DefaultProfile),
		AllowInsecureHTTP: f.allowInsecure || allowInsecureEnv(d),
	}
	if len(a.RedirectURIs) == 0 {
		// Like the repeated flag, the variable may hold several URIs.
		a.RedirectURIs = cleanList([]string{d.Getenv(envRedirectURI)})
	}
	secret, err := readClientSecret(ctx, d, f.clientSecretFile)
	if err != nil {
		return a, err
	}
	a.ClientSecret = secret
	if previous != nil && validateProfile(a.Profile) == nil {
		a.Previous, a.PreviousStore = previous(a.Profile)
	}
	if p := a.Previous; p != nil && (a.ClientID == "" || a.ClientID == p.ClientID) {
		a.ClientID = p.ClientID
		if len(a.RedirectURIs) == 0 && p.RedirectURI != "" {
			a.RedirectURIs = []string{p.RedirectURI}
		}
		sameServers := (a.AuthURL == "" || a.AuthURL == p.AuthURL) && (a.APIURL == "" || a.APIURL == p.APIURL)
		a.AuthURL = firstNonEmpty(a.AuthURL, p.AuthURL)
		a.APIURL = firstNonEmpty(a.APIURL, p.APIURL)
		// A secret stays with its app: the stored one serves this app only.
		a.ClientSecret = firstNonEmpty(a.ClientSecret, p.ClientSecret)
		// The stored opt-in covers the stored servers only.
		a.AllowInsecureHTTP = a.AllowInsecureHTTP || (sameServers && p.AllowInsecureHTTP)
	}
	a.AuthURL = firstNonEmpty(a.AuthURL, kakao.DefaultAuthURL)
	a.APIURL = firstNonEmpty(a.APIURL, kakao.DefaultAPIURL)
	if len(a.RedirectURIs) == 0 {
		a.RedirectURIs = []string{DefaultRedirectURI}
	}
	return a, nil
}

// readClientSecret takes the client secret from file (--client-secret-file,
// "-" for stdin) or the environment. It is never a flag value: argv is
// visible to other users.
func readClientSecret(ctx context.Context, d *Deps, file string) (string, error) {
	if file == "" {
		return strings.TrimSpace(d.Getenv(envClientSecret)), nil
	}
	data, err := readFlagFile(ctx, d, file, maxSecretFile)
	var big *tooLargeError
	switch {
	case errors.As(err, &big):
		return "", usagef("put the secret alone in the file, or use "+envClientSecret, "the client secret file %q is larger than %s", file, byteSize(big.limit))
	case err != nil && ctx.Err() != nil:
		return "", err
	case err != nil:
		// As for api's files (-F key=@FILE, --input): the file the flag
		// names is not there, or not readable.
		return "", usagef("check the file name, or use "+envClientSecret, "read the client secret file: %v", err)
	}
	secret := strings.TrimSpace(string(data))
	if secret == "" {
		return "", usagef("put the secret alone in the file, or use "+envClientSecret, "the client secret file %q is empty", file)
	}
	return secret, nil
}

// baseURL is a server's base URL: the first value set, without trailing
// slashes, so that base + "/oauth/token" is always one slash.
func baseURL(vals ...string) string {
	return strings.TrimRight(firstNonEmpty(vals...), "/")
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// validateProfile checks a profile name with the store's own rule, once,
// before a command starts: a name the store would refuse after a login's
// code exchange would lose that login.
func validateProfile(name string) error {
	if err := tokenstore.CheckProfile(name); err != nil {
		return &usageError{err: err, hint: fmt.Sprintf("use 1 to %d letters, digits, '-', '_' and '.', not starting with '.' and without \"..\"", tokenstore.MaxProfileLen)}
	}
	return nil
}
