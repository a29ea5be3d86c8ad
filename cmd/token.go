package cmd

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
	Output       string // text or json
	ClientSecret string // from the environment or --client-secret-file; else the stored one
}

// NewTokenCmd builds "kakao-auth token". runF replaces the action in tests.
func NewTokenCmd(d *Deps, runF func(context.Context, *TokenOptions) error) *cobra.Command {
	opts := &TokenOptions{}
	var flags appFlags
	c := &cobra.Command{
		Use:   "token",
		Short: "Print a valid access token, refreshing it when needed",
		Long: `Print the profile's access token on stdout, and nothing else.

When the token has less than --min-ttl left (or with --force-refresh), it is
refreshed first. Concurrent kakao-auth processes share one refresh, and a
rotated refresh token is saved before the access token is printed. token never
opens a browser: when the login is gone (refresh token expired, rotated away
or the app unlinked) it exits 4 and says to run "kakao-auth login".`,
		Example: `  curl -H "Authorization: Bearer $(kakao-auth token)" https://kapi.kakao.com/v2/user/me
  kakao-auth token --profile bot --output json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Profile = firstNonEmpty(flags.profile, d.Getenv(envProfile), DefaultProfile)
			if err := validateProfile(opts.Profile); err != nil {
				return err
			}
			if opts.Output != "text" && opts.Output != "json" {
				return usagef(`run "kakao-auth token --help" for usage`, "--output must be text or json, not %q", opts.Output)
			}
			if opts.MinTTL < 0 {
				return usagef(`run "kakao-auth token --help" for usage`, "--min-ttl must not be negative")
			}
			secret, err := flags.readSecret(d)
			if err != nil {
				return err
			}
			opts.ClientSecret = secret
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runToken(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&flags.profile, "profile", "", "profile name (env "+envProfile+", default "+DefaultProfile+")")
	fs.StringVar(&flags.clientSecretFile, "client-secret-file", "", `read the client secret from this file, "-" for stdin (default: the one stored at login, or env `+envClientSecret+`)`)
	fs.DurationVar(&opts.MinTTL, "min-ttl", DefaultMinTTL, "refresh first when the access token has less than this left")
	fs.BoolVar(&opts.ForceRefresh, "force-refresh", false, "refresh even if the access token is still valid")
	fs.StringVarP(&opts.Output, "output", "o", "text", "text (the access token alone) or json")
	return c
}

func runToken(ctx context.Context, d *Deps, o *TokenOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, _, err := ensureFresh(ctx, d, s, o.ClientSecret, o.MinTTL, o.ForceRefresh)
	if err != nil {
		return err
	}
	if o.Output == "text" {
		_, err := fmt.Fprintln(d.Stdout, rec.AccessToken)
		return err
	}
	return writeJSON(d, tokenJSONFor(o.Profile, rec, d.Now()))
}

// tokenJSON is the --output json shape of "token".
type tokenJSON struct {
	Profile                   string `json:"profile"`
	AccessToken               string `json:"access_token"`
	TokenType                 string `json:"token_type"`
	ExpiresAt                 string `json:"expires_at"`
	ExpiresAtUnix             int64  `json:"expires_at_unix"`
	ExpiresIn                 int64  `json:"expires_in"`
	RefreshTokenExpiresAt     string `json:"refresh_token_expires_at,omitempty"`
	RefreshTokenExpiresAtUnix int64  `json:"refresh_token_expires_at_unix,omitempty"`
	Scope                     string `json:"scope"`
}

func tokenJSONFor(profile string, r *tokenstore.Record, now time.Time) tokenJSON {
	out := tokenJSON{
		Profile:       profile,
		AccessToken:   r.AccessToken,
		TokenType:     firstNonEmpty(r.TokenType, "bearer"),
		ExpiresAt:     rfc3339(r.Expiry),
		ExpiresAtUnix: r.Expiry.Unix(),
		ExpiresIn:     max(0, int64(r.Expiry.Sub(now).Seconds())),
		Scope:         strings.Join(r.Scopes, " "),
	}
	if !r.RefreshExpiry.IsZero() {
		out.RefreshTokenExpiresAt = rfc3339(r.RefreshExpiry)
		out.RefreshTokenExpiresAtUnix = r.RefreshExpiry.Unix()
	}
	return out
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func writeJSON(d *Deps, v any) error {
	enc := json.NewEncoder(d.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
