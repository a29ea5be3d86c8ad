package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// UserinfoOptions are the inputs of "kakao-auth userinfo".
type UserinfoOptions struct {
	Profile      string
	Output       string // text or json
	ClientSecret string
}

// NewUserinfoCmd builds "kakao-auth userinfo". runF replaces the action in
// tests.
func NewUserinfoCmd(d *Deps, runF func(context.Context, *UserinfoOptions) error) *cobra.Command {
	opts := &UserinfoOptions{}
	var flags appFlags
	c := &cobra.Command{
		Use:   "userinfo",
		Short: "Show the OpenID Connect user info of the logged-in user",
		Long: `Call Kakao's OpenID Connect userinfo endpoint (GET /v1/oidc/userinfo) with
the profile's access token, refreshing it first when needed, and print the
claims: a short summary, or Kakao's JSON with --output json. The login must
have asked for the openid scope.`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Profile = firstNonEmpty(flags.profile, d.Getenv(envProfile), DefaultProfile)
			if err := validateProfile(opts.Profile); err != nil {
				return err
			}
			if opts.Output != "text" && opts.Output != "json" {
				return usagef(`run "kakao-auth userinfo --help" for usage`, "--output must be text or json, not %q", opts.Output)
			}
			secret, err := flags.readSecret(d)
			if err != nil {
				return err
			}
			opts.ClientSecret = secret
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runUserinfo(c.Context(), d, opts)
		},
	}
	c.Flags().StringVar(&flags.profile, "profile", "", "profile name (env "+envProfile+", default "+DefaultProfile+")")
	c.Flags().StringVarP(&opts.Output, "output", "o", "text", "text or json")
	return c
}

func runUserinfo(ctx context.Context, d *Deps, o *UserinfoOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, _, err := ensureFresh(ctx, d, s, o.ClientSecret, DefaultMinTTL, false)
	if err != nil {
		return err
	}
	api := &kakao.API{BaseURL: rec.APIURL, HTTPClient: d.HTTPClient}
	claims, err := api.UserInfo(ctx, rec.AccessToken)
	var ae *kakao.APIError
	if errors.As(err, &ae) && ae.InvalidToken() {
		// Kakao no longer takes the token (logged out elsewhere?): one
		// refresh, one retry.
		if rec, _, err = ensureFresh(ctx, d, s, o.ClientSecret, 0, true); err != nil {
			return err
		}
		claims, err = api.UserInfo(ctx, rec.AccessToken)
		if errors.As(err, &ae) && ae.InvalidToken() {
			return &loginRequiredError{profile: o.Profile, reason: "Kakao does not accept the refreshed access token"}
		}
	}
	if err != nil {
		return fmt.Errorf("userinfo: %w", err)
	}
	if o.Output == "json" {
		return writeJSON(d, claims)
	}
	keys := make([]string, 0, len(claims))
	for k := range claims {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(d.Stdout, "%s: %v\n", k, claims[k])
	}
	return nil
}
