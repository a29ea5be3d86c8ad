package cmd

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// EmulatorOptions are the inputs of "kakao-auth emulator".
type EmulatorOptions struct {
	Addr   string
	Config emulator.Config
	// IDTokenFault is the --id-token-fault value, checked by RunE.
	IDTokenFault emulator.IDTokenFault
}

// NewEmulatorCmd builds "kakao-auth emulator". runF replaces the action in
// tests.
func NewEmulatorCmd(d *Deps, runF func(context.Context, *EmulatorOptions) error) *cobra.Command {
	opts := &EmulatorOptions{}
	var idTokenFault string
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Run a local Kakao Login emulator for offline testing",
		Long: `Run a local Kakao Login emulator: Kakao's auth endpoints (/oauth/authorize
with a consent page, /oauth/token) and user API endpoints on one loopback
address, with Kakao's checks and error codes (KOE006, KOE010, KOE101, KOE303,
KOE320, KOE322, …), one-time codes, PKCE and refresh-token rotation, and
OpenID Connect (discovery, JWKS, ID tokens, /oauth/tokeninfo,
/v1/oidc/userinfo).

Point kakao-auth (or your own code) at it with --auth-url and --api-url, or
KAKAO_AUTH_URL and KAKAO_API_URL. It prints its base URL on stdout when ready
and runs until interrupted.`,
		Example: `  kakao-auth emulator --addr 127.0.0.1:9339 --auto-approve &
  KAKAO_AUTH_URL=http://127.0.0.1:9339 KAKAO_API_URL=http://127.0.0.1:9339 \
    kakao-auth login --client-id ` + emulator.DefaultClientID,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			// Kakao states lifetimes in whole seconds, and kakao-auth refuses
			// any under one second or over kakao.MaxLifetime.
			for _, ttl := range []time.Duration{opts.Config.AccessTTL, opts.Config.RefreshTTL} {
				if ttl < time.Second || ttl > kakao.MaxLifetime {
					return usagef(`run "kakao-auth emulator --help" for usage`, "token lifetimes must be from 1s to 10 years (87600h)")
				}
			}
			if opts.Config.KeyRotationInterval < 0 {
				return usagef(`run "kakao-auth emulator --help" for usage`, "--rotate-keys-every must be positive")
			}
			f, err := emulator.ParseIDTokenFault(idTokenFault)
			if err != nil {
				return usagef(`run "kakao-auth emulator --help" for usage`, "--id-token-fault: %v", err)
			}
			opts.IDTokenFault = f
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runEmulator(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:9339", "loopback address to listen on (port 0 picks a free one)")
	fs.StringArrayVar(&opts.Config.ClientIDs, "client-id", nil, "register a REST API key; repeatable (default "+emulator.DefaultClientID+")")
	fs.StringArrayVar(&opts.Config.RedirectURIs, "redirect-uri", nil, "register a redirect URI; repeatable (default "+emulator.DefaultRedirectURI+")")
	fs.StringVar(&opts.Config.ClientSecret, "client-secret", "", "require this client secret on token requests (KOE010 otherwise); a test value, not a real secret")
	fs.BoolVar(&opts.Config.AutoApprove, "auto-approve", false, "skip the consent page and redirect with a code at once")
	fs.DurationVar(&opts.Config.AccessTTL, "access-ttl", emulator.DefaultAccessTTL, "access token lifetime")
	fs.DurationVar(&opts.Config.RefreshTTL, "refresh-ttl", emulator.DefaultRefreshTTL, "refresh token lifetime (under 30 days, every refresh rotates it)")
	fs.StringSliceVar(&opts.Config.ScopesEnabled, "scopes-enabled", nil, "consent items set up for the app, comma-separated or repeated; others are KOE205, and openid turns OpenID Connect on (default: every scope, OIDC on)")
	fs.StringVar(&opts.Config.Issuer, "issuer", "", "iss of ID tokens (default: the emulator's base URL)")
	fs.DurationVar(&opts.Config.KeyRotationInterval, "rotate-keys-every", 0, "rotate the ID-token signing key this often (default: never)")
	fs.StringVar(&idTokenFault, "id-token-fault", "", "for testing clients: mint defective ID tokens (bad-signature, wrong-audience, wrong-issuer, expired, wrong-nonce, no-nonce, unknown-kid, alg-none, hs256, omitted)")
	return c
}

func runEmulator(ctx context.Context, d *Deps, o *EmulatorOptions) error {
	srv := emulator.New(o.Config)
	srv.SetIDTokenFault(o.IDTokenFault)
	run, err := emulator.Start(ctx, o.Addr, srv)
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	clients := o.Config.ClientIDs
	if len(clients) == 0 {
		clients = []string{emulator.DefaultClientID}
	}
	redirects := o.Config.RedirectURIs
	if len(redirects) == 0 {
		redirects = []string{emulator.DefaultRedirectURI}
	}
	fmt.Fprintf(d.Stderr, "Kakao emulator listening on %s\n  client ids:    %s\n  redirect URIs: %s\nPress Ctrl-C to stop.\n",
		run.BaseURL, strings.Join(clients, ", "), strings.Join(redirects, ", "))
	if o.IDTokenFault != emulator.IDTokenOK {
		fmt.Fprintf(d.Stderr, "  ID tokens are minted with the %q fault, for testing clients.\n", o.IDTokenFault)
	}
	fmt.Fprintln(d.Stdout, run.BaseURL)
	<-ctx.Done()
	fmt.Fprintln(d.Stderr, "Stopping the emulator.")
	closed := make(chan error, 1)
	go func() { closed <- run.Close() }()
	select {
	case err := <-closed:
		return err
	case <-time.After(5 * time.Second):
		return nil
	}
}
