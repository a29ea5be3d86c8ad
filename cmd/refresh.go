package cmd

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

// RefreshOptions are the inputs of "kakao-auth refresh".
type RefreshOptions struct {
	Profile      string
	ClientSecret string
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
refresh token (it does when less than a month of its life is left).`,
		Example: `  # Refresh now, e.g. before a long batch job
  kakao-auth refresh

  # Another profile
  kakao-auth refresh --profile bot`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(d); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runRefresh(c.Context(), d, opts)
		},
	}
	flags.register(c.Flags())
	return c
}

func runRefresh(ctx context.Context, d *Deps, o *RefreshOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, res, err := ensureFresh(ctx, d, s, o.ClientSecret, freshness{force: true})
	if err != nil {
		return err
	}
	now := d.Now()
	if res.byOther {
		fmt.Fprintf(d.Stderr, "Another kakao-auth refreshed profile %q just now; the access token expires %s (in %s).\n", o.Profile, rfc3339(rec.Expiry), left(rec.Expiry, now))
		return nil
	}
	fmt.Fprintf(d.Stderr, "Refreshed profile %q: the access token now expires %s (in %s).\n", o.Profile, rfc3339(rec.Expiry), left(rec.Expiry, now))
	if res.rotated {
		fmt.Fprintf(d.Stderr, "Kakao rotated the refresh token; the new one is saved and expires %s (in %s). The old one no longer works.\n", rfc3339(rec.RefreshExpiry), left(rec.RefreshExpiry, now))
	} else if !rec.RefreshExpiry.IsZero() {
		fmt.Fprintf(d.Stderr, "The refresh token was not rotated; it expires %s (in %s).\n", rfc3339(rec.RefreshExpiry), left(rec.RefreshExpiry, now))
	}
	return nil
}
