package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// EmulatorOptions are the inputs of "kakao-auth emulator".
type EmulatorOptions struct {
	Addr   string
	Config emulator.Config
	// IDTokenFault is the --id-token-fault value, checked by RunE.
	IDTokenFault emulator.IDTokenFault
	// Fault is the --fault value, checked by RunE.
	Fault emulator.Fault
	// StateFile, when set, keeps the emulator's state across restarts.
	StateFile string
	// UsersFile is the --users file, read by RunE into Config.Users.
	UsersFile string
	// AllowRemote lets Addr be other than loopback.
	AllowRemote bool
}

// NewEmulatorCmd builds "kakao-auth emulator". runF replaces the action in
// tests.
func NewEmulatorCmd(d *Deps, runF func(context.Context, *EmulatorOptions) error) *cobra.Command {
	opts := &EmulatorOptions{}
	var idTokenFault, fault string
	c := &cobra.Command{
		Use:   "emulator",
		Short: "Run a local Kakao Login emulator for offline testing",
		Long: `Run a local Kakao Login emulator: Kakao's auth endpoints (/oauth/authorize
with a consent page, /oauth/token) and user API endpoints on one loopback
address, with Kakao's checks and error codes (KOE006, KOE010, KOE101, KOE303,
KOE320, KOE322, …), one-time codes, PKCE and refresh-token rotation, and
OpenID Connect (discovery, JWKS, ID tokens, /oauth/tokeninfo,
/v1/oidc/userinfo). /oauth/logout ends the browser's Kakao Account session
and sends it back to a logout redirect URI registered with
--logout-redirect-uri (KOE007 otherwise).

The user API: /v2/user/me, /v1/user/access_token_info, /v1/user/logout
(ends that login only), /v1/user/unlink, and the consent items:
GET /v2/user/scopes lists them, POST /v2/user/revoke/scopes withdraws
them (items set with --scopes-required are not revocable: -3). KakaoTalk
"send to me", POST /v2/api/talk/memo/default/send, checks template_object
and the talk_message consent (-402 without it; -3 when --scopes-enabled
leaves the item out) and keeps each message.

For tests in other processes, the emulator's own paths: GET /_emulator/stats
counts requests (JWKS fetches, refreshes, …), GET /_emulator/memos lists the
messages sent, POST /_emulator/rotate-key rotates the ID-token signing
key at once (--rotate-keys-every does it on a schedule), and POST
/_emulator/expire-access-tokens ends access tokens at once (form fields
client_id and user_id narrow it), refresh tokens kept, to test a -401
refresh path.

Point kakao-auth (or your own code) at it with --auth-url and --api-url, or
KAKAO_AUTH_URL and KAKAO_API_URL; a web app points its Kakao base URLs
(https://kauth.kakao.com, https://kapi.kakao.com) at it. The token endpoint
takes its parameters from a form body or from the query string of a POST or
GET, as Kakao does. It prints its base URL on stdout when ready and runs
until interrupted.

--state-file keeps registered clients and redirect URIs, consents (with
revocations), codes, tokens and signing keys in a private file across
restarts (a bbolt database; a JSON state file of an older kakao-auth is
carried over once, and kept as PATH.v1.bak). --users gives several fake Kakao
users (a JSON list of {"id", "nickname", "email", "picture", "agreed"}),
picked on the consent page or by login_hint. --fault and --id-token-fault
make token requests or ID tokens fail on purpose, for testing clients.

It listens on loopback only. --allow-remote lets --addr be another address
(such as 0.0.0.0:9339, for a web app in a container network): anyone who can
reach it gets tokens. --public-url is then the base URL others use, for the
issuer and discovery.

It answers only requests whose Host is localhost, an IP address or
--public-url's host (421 otherwise, against DNS rebinding), and refuses
(403) a POST to its /_emulator/ paths or its consent form that a browser
says comes from another origin (Origin, Sec-Fetch-Site).`,
		Example: `  kakao-auth emulator --addr 127.0.0.1:9339 --auto-approve &
  KAKAO_AUTH_URL=http://127.0.0.1:9339 KAKAO_API_URL=http://127.0.0.1:9339 \
    kakao-auth login --client-id ` + emulator.DefaultClientID + `

  # A long-running emulator with two users, for a web app
  kakao-auth emulator --state-file ~/.local/state/kakao-emulator.json --users users.json \
    --redirect-uri http://localhost:8000/oauth`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			// Kakao states lifetimes in whole seconds, and kakao-auth refuses
			// any under one second or over kakao.MaxLifetime.
			for _, ttl := range []time.Duration{opts.Config.AccessTTL, opts.Config.RefreshTTL} {
				if ttl < time.Second || ttl > kakao.MaxLifetime {
					return usagef(usageHint(c), "token lifetimes must be from 1s to 10 years (87600h)")
				}
			}
			if opts.Config.KeyRotationInterval < 0 {
				return usagef(usageHint(c), "--rotate-keys-every must be positive")
			}
			f, err := emulator.ParseIDTokenFault(idTokenFault)
			if err != nil {
				return usagef(usageHint(c), "--id-token-fault: %v", err)
			}
			opts.IDTokenFault = f
			if opts.Fault, err = emulator.ParseFault(fault); err != nil {
				return usagef(usageHint(c), "--fault: %v", err)
			}
			if err := opts.checkAddr(); err != nil {
				return err
			}
			if opts.UsersFile != "" {
				// Read as every file a flag names: capped, and given up
				// on Ctrl-C (a FIFO without a writer).
				data, err := readFlagFile(c.Context(), d, opts.UsersFile, emulator.MaxUsersFileBytes)
				if ctxErr := c.Context().Err(); ctxErr != nil {
					return ctxErr
				}
				var users []emulator.User
				if err == nil {
					users, err = emulator.ParseUsersFile(opts.UsersFile, data)
				}
				if err != nil {
					return usagef(`the users file is a JSON list such as [{"id": 4000000001, "nickname": "Ryan", "email": "ryan@example.com", "picture": "https://…", "agreed": ["profile_nickname"]}]`, "--users: %v", err)
				}
				opts.Config.Users = users
			}
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
	fs.StringArrayVar(&opts.Config.LogoutRedirectURIs, "logout-redirect-uri", nil, "register a logout redirect URI for /oauth/logout; repeatable (default "+emulator.DefaultLogoutRedirectURI+")")
	fs.StringVar(&opts.Config.ClientSecret, "client-secret", "", "require this client secret on token requests (KOE010 otherwise); a test value, not a real secret")
	fs.BoolVar(&opts.Config.AutoApprove, "auto-approve", false, "skip the consent page and redirect with a code at once")
	fs.DurationVar(&opts.Config.AccessTTL, "access-ttl", emulator.DefaultAccessTTL, "access token lifetime (the default is Kakao's expires_in, 21599 s)")
	fs.DurationVar(&opts.Config.RefreshTTL, "refresh-ttl", emulator.DefaultRefreshTTL, "refresh token lifetime (the default is Kakao's 5183999 s; under 30 days, every refresh rotates it)")
	fs.StringSliceVar(&opts.Config.ScopesEnabled, "scopes-enabled", nil, "consent items set up for the app, comma-separated or repeated; others are KOE205, and openid turns OpenID Connect on (default: every scope, OIDC on)")
	fs.StringSliceVar(&opts.Config.ScopesRequired, "scopes-required", nil, "consent items set as required: not revocable (-3) at /v2/user/revoke/scopes; '' for none (default profile_nickname,profile)")
	fs.StringVar(&opts.Config.Issuer, "issuer", "", "iss of ID tokens (default: the emulator's base URL)")
	fs.DurationVar(&opts.Config.KeyRotationInterval, "rotate-keys-every", 0, "rotate the ID-token signing key this often (default: never)")
	fs.StringVar(&opts.StateFile, "state-file", "", "keep clients, consents, codes, tokens and signing keys in this file (created 0600) across restarts")
	fs.StringVar(&opts.UsersFile, "users", "", "JSON file of fake Kakao users to pick from on the consent page (default: one user, Ryan)")
	fs.BoolVar(&opts.AllowRemote, "allow-remote", false, "let --addr be a non-loopback address such as 0.0.0.0:9339; anyone who reaches it gets tokens")
	fs.StringVar(&opts.Config.PublicURL, "public-url", "", "base URL clients use to reach the emulator, such as http://kakao-emulator:9339, for the issuer and discovery")
	faults, idFaults := names(emulator.Faults()), names(emulator.IDTokenFaults())
	fs.StringVar(&fault, "fault", "", "for testing clients: make every token request fail this way, or with api-quota every kapi request ("+strings.Join(faults, ", ")+")")
	fs.StringVar(&idTokenFault, "id-token-fault", "", "for testing clients: mint defective ID tokens ("+strings.Join(idFaults, ", ")+")")
	_ = c.RegisterFlagCompletionFunc("fault", cobra.FixedCompletions(faults, cobra.ShellCompDirectiveNoFileComp))
	_ = c.RegisterFlagCompletionFunc("id-token-fault", cobra.FixedCompletions(idFaults, cobra.ShellCompDirectiveNoFileComp))
	return c
}

// checkAddr refuses a non-loopback --addr without --allow-remote, and a
// --public-url that is not a plain http(s) base URL.
func (o *EmulatorOptions) checkAddr() error {
	loopback, err := emulator.IsLoopback(o.Addr)
	if err != nil {
		return usagef("give --addr as host:port, such as 127.0.0.1:9339", "--addr: %v", err)
	}
	if !loopback && !o.AllowRemote {
		return usagef("the emulator hands tokens to anyone who can reach it; add --allow-remote to serve other hosts (a web app in a container network), or use 127.0.0.1:PORT",
			"--addr %s is not a loopback address", o.Addr)
	}
	if o.Config.PublicURL == "" {
		return nil
	}
	hint := "give the base URL clients use, such as http://kakao-emulator:9339"
	u, err := url.Parse(o.Config.PublicURL)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return usagef(hint, "--public-url must be an http or https URL, not %q", o.Config.PublicURL)
	case strings.TrimRight(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		return usagef(hint, "--public-url %q must have no path, query or user: the emulator serves Kakao's paths at its root", o.Config.PublicURL)
	}
	return nil
}

// names turns a list of string-typed values into their names.
func names[T ~string](vals []T) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = string(v)
	}
	return out
}

func runEmulator(ctx context.Context, d *Deps, o *EmulatorOptions) error {
	srv := emulator.New(o.Config)
	if o.StateFile != "" {
		var err error
		if srv, err = emulator.Open(o.Config, o.StateFile); err != nil {
			if errors.Is(err, emulator.ErrStateFileInUse) {
				return &hintedError{err: err, hint: "stop the emulator that uses it, or give this one another --state-file"}
			}
			if errors.Is(err, emulator.ErrLockFileForeign) {
				return &hintedError{err: err, hint: "ask its owner to remove it, or give --state-file a path in a directory of your own"}
			}
			return &hintedError{err: err, hint: "the emulator never resets a state file: fix what the error names, move the file away, or give another --state-file"}
		}
		defer srv.Close()
	}
	srv.SetIDTokenFault(o.IDTokenFault)
	srv.SetFault(o.Fault)
	start := emulator.Start
	if o.AllowRemote {
		start = emulator.StartRemote
	}
	run, err := start(ctx, o.Addr, srv)
	if neterr.AddrInUse(err) {
		// A failure (1), as for login's busy redirect port: the command
		// line is right, and works once the port is free.
		return &hintedError{err: fmt.Errorf("%s is already in use", o.Addr),
			hint: "stop what listens there (another kakao-auth emulator?), or pick another port with --addr 127.0.0.1:PORT (port 0 picks a free one)"}
	}
	if err != nil {
		return fmt.Errorf("start the emulator: %w", err)
	}
	base := run.BaseURL
	if o.Config.PublicURL != "" {
		base = strings.TrimRight(o.Config.PublicURL, "/")
	}
	clients := o.Config.ClientIDs
	if len(clients) == 0 {
		clients = []string{emulator.DefaultClientID}
	}
	redirects := o.Config.RedirectURIs
	if len(redirects) == 0 {
		redirects = []string{emulator.DefaultRedirectURI}
	}
	fmt.Fprintf(d.Stderr, "Kakao emulator listening on %s\n", run.BaseURL)
	if base != run.BaseURL {
		fmt.Fprintf(d.Stderr, "  public URL:    %s\n", base)
	}
	logouts := o.Config.LogoutRedirectURIs
	if len(logouts) == 0 {
		logouts = []string{emulator.DefaultLogoutRedirectURI}
	}
	fmt.Fprintf(d.Stderr, "  client ids:    %s\n  redirect URIs: %s\n  logout URIs:   %s\n",
		strings.Join(clients, ", "), strings.Join(redirects, ", "), strings.Join(logouts, ", "))
	if len(o.Config.Users) > 0 {
		var users []string
		for _, u := range o.Config.Users {
			users = append(users, describeUser(u))
		}
		fmt.Fprintf(d.Stderr, "  users:         %s\n", strings.Join(users, ", "))
	}
	if o.StateFile != "" {
		fmt.Fprintf(d.Stderr, "  state file:    %s (clients registered before stay registered)\n", o.StateFile)
	}
	if o.Fault != emulator.FaultNone {
		what := "token requests"
		if o.Fault == emulator.FaultAPIQuota {
			what = "kapi requests"
		}
		fmt.Fprintf(d.Stderr, "  %s fail with the %q fault, for testing clients.\n", what, o.Fault)
	}
	if o.IDTokenFault != emulator.IDTokenOK {
		fmt.Fprintf(d.Stderr, "  ID tokens are minted with the %q fault, for testing clients.\n", o.IDTokenFault)
	}
	if loopback, _ := emulator.IsLoopback(o.Addr); !loopback {
		fmt.Fprintf(d.Stderr, "kakao-auth: warning: the emulator listens on %s, beyond this machine: it hands tokens for its fake users to anyone who can reach it. Use it on a trusted network only.\n", o.Addr)
	}
	fmt.Fprintln(d.Stderr, "Press Ctrl-C to stop.")
	fmt.Fprintln(d.Stdout, base)
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

// describeUser is a user as the emulator's banner lists it, shown safely:
// the users file is text from outside the tool.
func describeUser(u emulator.User) string {
	s := u.Nickname
	if u.Email != "" {
		s += " <" + u.Email + ">"
	}
	return termtext.Line(s + " " + strconv.FormatInt(u.ID, 10))
}
