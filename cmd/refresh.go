package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/profile"
)

// RefreshOptions are the inputs of "kakao-auth refresh".
type RefreshOptions struct {
	Profile      string
	ClientSecret string
	Output       string // "" (nothing), text (the access token) or json
}

// refreshJSON is the --output json shape of "refresh": the login's tokens
// with the new access token, the seconds it has left, and what happened.
type refreshJSON struct {
	tokenJSON
	ExpiresIn int64 `json:"expires_in"`
	// Refreshed is true: the access token is newer than the one stored
	// when the command started (the same field as status's).
	Refreshed bool `json:"refreshed"`
	// ByOtherProcess is true when another kakao-auth refreshed the
	// profile while this one waited for the lock; its token is the one
	// shown.
	ByOtherProcess bool `json:"by_other_process"`
	// Rotated is true when Kakao issued a new refresh token (saved).
	Rotated bool `json:"rotated"`
}

// NewRefreshCmd builds "kakao-auth refresh". runF replaces the action in
// tests.
func NewRefreshCmd(d *Deps, runF func(context.Context, *RefreshOptions) error) *cobra.Command {
	opts := &RefreshOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "refresh",
		Short: "Refresh the access token now",
		Long: `Refresh the profile's access token now, under the same lock and rules as
"token", and say what changed: the new expiry, and whether Kakao rotated the
refresh token (it does when less than a month of its life is left).

It prints nothing on stdout unless asked: -o text prints the new access
token, -o json the login as JSON (see the README's "JSON output").`,
		Example: `  # Refresh now, e.g. before a long batch job
  kakao-auth refresh

  # Another profile
  kakao-auth refresh --profile bot

  # Refresh and hand the new access token on
  kakao-auth refresh -o json | jq -r .expires_at`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if opts.Output != "" {
				if err := checkOutput(c, opts.Output, "text", "json"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRefresh(c.Context(), d, opts)
		},
	}
	flags.register(c.Flags())
	c.Flags().StringVarP(&opts.Output, "output", "o", "", "also print the new tokens on stdout: text (the access token) or json (default: print nothing)")
	completeOutput(c, "text", "json")
	return c
}

func runRefresh(ctx context.Context, d *Deps, o *RefreshOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, res, err := s.fresh(ctx, d, o.ClientSecret, profile.Want{Force: true})
	if err != nil {
		return err
	}
	now := d.Now()
	if res.ByOther {
		fmt.Fprintf(d.Stderr, "Another kakao-auth refreshed profile %q just now; the access token expires %s (in %s).\n", o.Profile, rfc3339(rec.Expiry), left(rec.Expiry, now))
	} else {
		fmt.Fprintf(d.Stderr, "Refreshed profile %q: the access token now expires %s (in %s).\n", o.Profile, rfc3339(rec.Expiry), left(rec.Expiry, now))
		if res.Rotated {
			fmt.Fprintf(d.Stderr, "Kakao rotated the refresh token; the new one is saved and expires %s (in %s). The old one no longer works.\n", rfc3339(rec.RefreshExpiry), left(rec.RefreshExpiry, now))
		} else if !rec.RefreshExpiry.IsZero() {
			fmt.Fprintf(d.Stderr, "The refresh token was not rotated; it expires %s (in %s).\n", rfc3339(rec.RefreshExpiry), left(rec.RefreshExpiry, now))
		}
	}
	switch o.Output {
	case "text":
		if err := maskSecrets(d, rec.AccessToken); err != nil {
			return err
		}
		_, err := fmt.Fprintln(d.Stdout, rec.AccessToken)
		return err
	case "json":
		out := refreshJSON{
			tokenJSON:      newTokenJSON(o.Profile, rec, tokenValues{access: true}),
			ExpiresIn:      expiresIn(rec.Expiry, now),
			Refreshed:      true,
			ByOtherProcess: res.ByOther,
			Rotated:        res.Previous != nil && res.Previous.RefreshToken != rec.RefreshToken,
		}
		if err := maskSecrets(d, out.secrets()...); err != nil {
			return err
		}
		return writeJSON(d, out)
	}
	return nil
}
