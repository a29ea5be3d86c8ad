package cmd

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// DefaultMinTTL is how much life an access token must have left for "token"
// to print it without refreshing.
const DefaultMinTTL = 5 * time.Minute

// TokenOptions are the inputs of "kakao-auth token".
type TokenOptions struct {
	Profile      string
	MinTTL       time.Duration
	ForceRefresh bool
	Output       string // text, json, github-env or github-output
	ClientSecret string // from the environment or --client-secret-file: env-only mode, or a profile that stored none
	RotatedFile  string // env-only mode: where a rotated refresh token goes
	IDToken      bool   // print the ID token instead of the access token
}

// tokenOutputs are the --output values of "token".
var tokenOutputs = []string{"text", "json", "github-env", "github-output"}

// NewTokenCmd builds "kakao-auth token". runF replaces the action in tests.
func NewTokenCmd(d *Deps, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token, refreshing it when needed",
		Long: `Print the profile's access token on stdout, and nothing else.

When the token has less than --min-ttl left (or with --force-refresh), it is
refreshed first. Concurrent kakao-auth processes share one refresh, and a
rotated refresh token is saved before the access token is printed. token never
opens a browser: when the login is gone (refresh token expired, rotated away
or the app unlinked) it exits 4 and says to run "kakao-auth login".

Env-only mode, for CI: with KAKAO_REFRESH_TOKEN and KAKAO_CLIENT_ID (and
KAKAO_CLIENT_SECRET when the app uses one) set, token refreshes with that
token, touches no store, and prints the new access token. When Kakao rotates
the refresh token, the old one stops working: the new one goes to
--rotated-refresh-token-file and/or the step output, and a warning says to
update the secret. In GitHub Actions every secret is masked in the log first.`,
		Example: `  curl -H "Authorization: Bearer $(kakao-auth token)" https://kapi.kakao.com/v2/user/me
  kakao-auth token --profile bot --output json`,
		Args: noArgs,
		// Scripts call token in loops: it catches Ctrl-C only once it
		// starts something that waits (see runToken).
		Annotations: map[string]string{interruptsAnnotation: interruptsOnDemand},
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if err := checkOutput(c, opts.Output, tokenOutputs...); err != nil {
				return err
			}
			if opts.RotatedFile != "" && d.Getenv(envRefreshToken) == "" {
				return usagef("it applies to env-only mode, with "+envRefreshToken+" set; stored profiles keep rotated tokens themselves", "--rotated-refresh-token-file needs %s", envRefreshToken)
			}
			if err := checkMinTTL(usageHint(c), opts.MinTTL); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runToken(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	flags.register(fs)
	fs.DurationVar(&opts.MinTTL, "min-ttl", DefaultMinTTL, "refresh first when the access token has less than this left")
	fs.BoolVar(&opts.ForceRefresh, "force-refresh", false, "refresh even if the access token is still valid")
	fs.StringVarP(&opts.Output, "output", "o", "text", "text (the access token alone), json, github-env (append KAKAO_ACCESS_TOKEN to $GITHUB_ENV) or github-output (access_token, and refresh_token when rotated, to $GITHUB_OUTPUT)")
	completeOutput(c, tokenOutputs...)
	fs.BoolVar(&opts.IDToken, "id-token", false, "print the OpenID Connect ID token (verified when received) instead of the access token")
	fs.StringVar(&opts.RotatedFile, "rotated-refresh-token-file", "", "env-only mode: write a rotated refresh token to this file (mode 0600)")
	return c
}

// runToken catches Ctrl-C (catchInterrupts) before anything that waits:
// the env-only refresh, a keyring call, and (in the core's Fresh, through
// its BeforeWait) the profile's lock and refresh. Reading a valid token
// from the file store does not wait, and a Ctrl-C there ends the process
// at once with nothing held.
func runToken(ctx context.Context, d *Deps, o *TokenOptions) error {
	if d.Getenv(envRefreshToken) != "" {
		catchInterrupts(ctx)
		return runEnvToken(ctx, d, o)
	}
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	if s.Store.Name() != tokenstore.BackendFile {
		catchInterrupts(ctx) // a locked keyring may ask for its password
	}
	rec, res, err := s.fresh(ctx, d, o.ClientSecret, profile.Want{MinTTL: o.MinTTL, Force: o.ForceRefresh})
	if err != nil {
		return err
	}
	warnMinTTLUnmet(d, rec, res, o.MinTTL)
	return writeToken(d, o, o.Profile, rec, "")
}

// writeToken hands the access token over as --output asks, every secret
// masked first. rotated is a new refresh token to pass on (env-only mode),
// or "".
func writeToken(d *Deps, o *TokenOptions, profile string, rec *tokenstore.Record, rotated string) error {
	if err := maskSecrets(d, rec.AccessToken, rec.IDToken, rotated); err != nil {
		return err
	}
	if o.IDToken {
		if rec.IDToken == "" {
			return &hintedError{
				err:  fmt.Errorf("profile %q has no ID token", profile),
				hint: `log in with --scope openid, with OpenID Connect on for the app ([카카오 로그인] > [OpenID Connect])`,
			}
		}
		switch o.Output {
		case "text":
			_, err := fmt.Fprintln(d.Stdout, rec.IDToken)
			return err
		case "github-env":
			return appendGitHubFile(d, "GITHUB_ENV", [][2]string{{"KAKAO_ID_TOKEN", rec.IDToken}})
		case "github-output":
			return appendGitHubFile(d, "GITHUB_OUTPUT", [][2]string{{"id_token", rec.IDToken}})
		}
	}
	switch o.Output {
	case "json":
		return writeJSON(d, tokenOutputJSON{
			tokenJSON: newTokenJSON(profile, rec, tokenValues{access: true, id: o.IDToken}),
			ExpiresIn: expiresIn(rec.Expiry, d.Now()),
		})
	case "github-env":
		return appendGitHubFile(d, "GITHUB_ENV", [][2]string{{"KAKAO_ACCESS_TOKEN", rec.AccessToken}})
	case "github-output":
		pairs := [][2]string{{"access_token", rec.AccessToken}}
		if rotated != "" {
			pairs = append(pairs, [2]string{"refresh_token", rotated})
		}
		return appendGitHubFile(d, "GITHUB_OUTPUT", pairs)
	}
	_, err := fmt.Fprintln(d.Stdout, rec.AccessToken)
	return err
}

// tokenOutputJSON is the --output json shape of "token": the login's
// tokens with the access token (and the ID token with --id-token), and the
// seconds it has left.
type tokenOutputJSON struct {
	tokenJSON
	ExpiresIn int64 `json:"expires_in"`
}
