package cmd

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
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
	var flags profileFlags
	c := &cobra.Command{
		Use:   "userinfo",
		Short: "Show the OpenID Connect user info of the logged-in user",
		Long: `Call Kakao's OpenID Connect userinfo endpoint (GET /v1/oidc/userinfo) with
the profile's access token, refreshing it first when needed, and print the
claims: a short summary, or Kakao's JSON with --output json. The login must
have asked for the openid scope.`,
		Example: `  # Needs a login with OpenID Connect (scope openid)
  kakao-auth login --scope openid,profile_nickname
  kakao-auth userinfo
  kakao-auth userinfo -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if err := checkOutput(c, opts.Output, "text", "json"); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runUserinfo(c.Context(), d, opts)
		},
	}
	flags.register(c.Flags())
	c.Flags().StringVarP(&opts.Output, "output", "o", "text", "text or json")
	completeOutput(c, "text", "json")
	return c
}

func runUserinfo(ctx context.Context, d *Deps, o *UserinfoOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, err := s.load(ctx)
	if err != nil {
		return err
	}
	api, _, err := s.userAPI(ctx, d, rec, o.ClientSecret, DefaultMinTTL)
	if err != nil {
		return err
	}
	claims, err := api.UserInfo(ctx)
	if err = s.explain(rec, err); errors.Is(err, ErrLoginRequired) {
		return err
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
	// Claim names and values are Kakao's: one line each, shown safely
	// (the JSON form keeps them exact).
	for _, k := range keys {
		fmt.Fprintf(d.Stdout, "%s: %s\n", termtext.Line(k), termtext.Line(fmt.Sprint(claims[k])))
	}
	return nil
}
