package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/authflow"
	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// LoginOptions are the inputs of "kakao-auth login".
type LoginOptions struct {
	App            app
	Scopes         []string
	Prompt         []string
	LoginHint      string
	ServiceTerms   []string
	Timeout        time.Duration
	BrowserCommand string
	Output         string // "" (nothing), text or json
	Store          string // keyring, file or none
	Emulator       bool
	NoBrowser      bool   // paste-back
	NoWait         bool   // two-step: start
	Resume         string // two-step: finish with this address ("-": read it from stdin)
	Yes            bool   // print a refresh token to a terminal (-o json)
}

// NewLoginCmd builds "kakao-auth login". runF replaces the action in tests.
func NewLoginCmd(d *Deps, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	var flags appFlags
	opts := &LoginOptions{}
	c := &cobra.Command{
		Use:   "login",
		Short: "Log in to Kakao in the browser",
		Long: `Log in to Kakao in the browser.

kakao-auth listens on the redirect URI (which must be registered for your REST
API key in the Kakao Developers console, exactly, port included) and opens your
browser on a one-time link there that leads to Kakao's login page: Kakao's URL
itself, with the login's state, never appears in a process's arguments, which
every local user can read. When you press Agree, Kakao sends the browser back
to that listener and kakao-auth exchanges the code for tokens.

Every login uses a fresh state value and PKCE (S256). The in-flight values live
in a private per-run session file that is removed when the run ends.`,
		Example: `  # Try it without a Kakao app, against the built-in emulator
  kakao-auth login --emulator

  # Your app: the REST API key and, if its client secret is on, the secret
  export KAKAO_CLIENT_ID=your-rest-api-key
  export KAKAO_CLIENT_SECRET=your-client-secret
  kakao-auth login --scope talk_message

  # Fall back to a second registered port when 8765 is busy
  kakao-auth login --redirect-uri http://localhost:8765/callback --redirect-uri http://localhost:8766/callback`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("resume") && opts.Resume == "" {
				// "--resume $ADDR" with ADDR unset: not a new login.
				return usagef(`give the address the browser ended on, in quotes, or "-" to read it from stdin`, "--resume is empty (an unset variable?)")
			}
			// A profile logged in before lends its settings to this login
			// (flags and environment win); an emulator login and a
			// resumed one take theirs elsewhere.
			var previous previousLogin
			if !opts.Emulator && opts.Resume == "" {
				previous = storedLogin(c.Context(), d)
			}
			a, err := flags.resolve(c.Context(), d, previous)
			if err != nil {
				return err
			}
			opts.App = a
			opts.Store = firstNonEmpty(opts.Store, d.Getenv(envStore), a.PreviousStore)
			if opts.Resume == "" {
				// A resume takes the store its start chose, unless told.
				opts.Store = firstNonEmpty(opts.Store, tokenstore.BackendKeyring)
			}
			if a.SameAppAsPrevious() {
				opts.Scopes = scopesFor(opts.Scopes, c.Flags().Changed("scope"), a.Previous.Scopes)
			}
			if opts.Emulator {
				// The emulator needs no secret, and the environment's
				// belongs to a real app: it must not reach the emulator
				// or its profile's file. A --client-secret-file given
				// with --emulator is the emulator's (it then requires it).
				if flags.clientSecretFile == "" {
					opts.App.ClientSecret = ""
				}
				// Emulator tokens are fake: keep them away from real logins
				// unless a profile and store are named on the command line.
				if !c.Flags().Changed("profile") {
					opts.App.Profile = emulatorProfile
				}
				if !c.Flags().Changed("store") {
					opts.Store = tokenstore.BackendFile
				}
			}
			if !opts.Emulator {
				// The built-in emulator replaces both URLs with its own.
				if err := checkAppServers(d, opts.App); err != nil {
					return err
				}
			}
			pasting := opts.NoBrowser || (!opts.Emulator && noBrowserReason(d, opts) != "")
			if pasting && !c.Flags().Changed("timeout") {
				// Copying an address from another device takes longer,
				// whether asked for (--no-browser) or because no browser
				// can show the page here; the session file lives this long
				// anyway.
				opts.Timeout = session.Lifetime
			}
			if err := opts.validate(); err != nil {
				return err
			}
			if opts.Output == "json" && !opts.NoWait {
				if err := refuseSecretOnScreen(d, opts.Yes, "the refresh token (-o json)"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runLogin(c.Context(), d, opts)
		},
	}
	flags.register(c.Flags())
	fs := c.Flags()
	fs.StringSliceVar(&opts.Scopes, "scope", nil, "consent items to request, repeatable or comma-separated (e.g. talk_message,account_email)")
	fs.StringSliceVar(&opts.Prompt, "prompt", nil, "Kakao prompt values: login, none, create, select_account")
	fs.StringVar(&opts.LoginHint, "login-hint", "", "pre-fill the account field of Kakao's login page")
	fs.StringSliceVar(&opts.ServiceTerms, "service-terms", nil, "Kakao Sync service-terms tags to show")
	fs.DurationVar(&opts.Timeout, "timeout", authflow.DefaultTimeout, "how long to wait for the browser")
	fs.StringVar(&opts.BrowserCommand, "browser-command", "", "command that opens the URL, given as its last argument (env "+browser.EnvVar+", then BROWSER)")
	fs.StringVarP(&opts.Output, "output", "o", "", "also print the tokens on stdout: text (the access token) or json (default: print nothing, unless --store none)")
	completeOutput(c, "text", "json")
	fs.StringVar(&opts.Store, "store", "", "where to keep the tokens: keyring, file, none, or a shared store etcd://HOST:PORT[/PREFIX], redis://HOST:PORT[/DB] (env "+envStore+", default keyring; file for --emulator)")
	fs.BoolVar(&opts.Emulator, "emulator", false, "log in against a built-in Kakao emulator started for this run (fake tokens)")
	fs.BoolVar(&opts.NoBrowser, "no-browser", false, "print the URL and read back the address the browser ended on (for SSH and headless machines)")
	fs.BoolVar(&opts.NoWait, "no-wait", false, "two-step login: print the URL and exit; finish later with --resume")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "replace another app's or user's login in the profile without asking, and print the tokens with -o json even when stdout is a terminal")
	fs.StringVar(&opts.Resume, "resume", "", `two-step login: finish with the address the browser ended on ("-" reads it from stdin)`)
	return c
}

func (o *LoginOptions) validate() error {
	hint := "run " + termtext.Quoted("kakao-auth", "login", "--help") + " for usage"
	if err := validateProfile(o.App.Profile); err != nil {
		return err
	}
	if o.Output != "" && o.Output != "text" && o.Output != "json" {
		return usagef(hint, "--output must be text or json, not %q", o.Output)
	}
	switch {
	case o.Store == tokenstore.BackendKeyring, o.Store == tokenstore.BackendFile, o.Store == tokenstore.BackendNone:
	case sharedstore.IsURL(o.Store):
		if _, err := sharedstore.Parse(o.Store, func(string) string { return "" }); err != nil {
			return usagef(`see "kakao-auth help environment" for --store and `+envStore, "--store: %v", err)
		}
	case o.Store == "":
		if o.Resume == "" {
			return usagef(hint, "--store must be keyring, file, none or a shared store's URL (etcd://HOST:PORT, redis://HOST:PORT)")
		}
	default:
		return usagef(hint, "--store must be keyring, file, none or a shared store's URL (etcd://HOST:PORT, redis://HOST:PORT), not %s", sharedstore.Redact(o.Store))
	}
	if o.Store == tokenstore.BackendNone && o.Output == "" && !o.NoWait && o.Resume == "" {
		o.Output = "text"
	}
	if o.Timeout <= 0 {
		return usagef(hint, "--timeout must be positive")
	}
	if err := kakao.ValidatePrompt(o.Prompt); err != nil {
		return usagef(hint, "--prompt: %v", err)
	}
	modes := 0
	for _, on := range []bool{o.NoBrowser, o.NoWait, o.Resume != ""} {
		if on {
			modes++
		}
	}
	if modes > 1 {
		return usagef(hint, "--no-browser, --no-wait and --resume cannot be combined")
	}
	if o.Emulator && (o.NoWait || o.Resume != "") {
		return usagef("the built-in emulator lives only as long as one login run; use --emulator alone or with --no-browser", "--emulator cannot be combined with --no-wait or --resume")
	}
	if o.Resume != "" {
		// Everything else comes from the session file.
		return nil
	}
	check := authflow.CheckRedirectURI
	if o.NoBrowser || o.NoWait {
		// Nothing needs to listen: any registered http(s) URI will do.
		check = authflow.CheckPasteRedirectURI
	}
	for _, uri := range o.App.RedirectURIs {
		if err := check(uri); err != nil {
			var re *authflow.RedirectError
			if errors.As(err, &re) {
				return &usageError{err: err, hint: re.Hint()}
			}
			return err
		}
	}
	o.Scopes = cleanList(o.Scopes)
	o.ServiceTerms = cleanList(o.ServiceTerms)
	if o.App.ClientID == "" && !o.Emulator {
		return usagef("pass --client-id or set "+envClientID+" to your app's REST API key (Kakao Developers console: [앱] > [플랫폼 키] > [REST API 키]); or try "+termtext.Quoted("kakao-auth", "login", "--emulator"), "no client id")
	}
	return nil
}

// cleanList drops empty items and surrounding spaces ("a, b" → [a b]).
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
			out = append(out, f)
		}
	}
	return out
}

func runLogin(ctx context.Context, d *Deps, o *LoginOptions) error {
	dir, err := d.SessionDir()
	if err != nil {
		return err
	}
	sessions := session.Dir{Path: dir, Now: d.Now}
	var pasted string
	if o.Resume != "" {
		if pasted, err = resumeAddress(d, o.Resume); err != nil {
			return err
		}
		if err := o.finishAsStarted(sessions, pasted); err != nil {
			return err
		}
		if o.Output == "json" {
			if err := refuseSecretOnScreen(d, o.Yes, "the refresh token (-o json, chosen with --no-wait)"); err != nil {
				return err
			}
		}
	}
	paths, err := d.Paths()
	if err != nil {
		return err
	}
	store, err := openLoginStore(ctx, d, o.Store, paths, o.App.Profile)
	if err != nil {
		return err
	}
	if o.NoWait {
		return startTwoStep(d, o, sessions)
	}
	a := o.App
	if p := a.Previous; p != nil && p.SecretNotKnown && a.SameAppAsPrevious() && a.ClientSecret == "" && !o.Emulator {
		// Without it the code would be spent on a KOE010 after the person
		// agreed.
		why := "and those cannot be read now"
		if a.PreviousStore == "" {
			why = "and those went with the logout"
		}
		return usagef("give it with "+envClientSecret+" or --client-secret-file",
			"profile %q's app uses a client secret, which is kept only with its tokens, %s", a.Profile, why)
	}
	// A logged-out profile (no store) holds no login to replace.
	if a.PreviousStore != "" {
		if err := confirmAnotherApp(d, o, a.Profile, a.Previous, a.ClientID); err != nil {
			return err
		}
	}
	open := loginOpener(d, o)
	var emu *builtinEmulator
	if o.Emulator {
		if err := guardEmulatorProfile(ctx, d, a.Profile); err != nil {
			return err
		}
		// An emulator login takes none of the profile's settings, so
		// a.Previous is nil; the login it replaces is asked about all
		// the same, as any login's is.
		if find := storedLogin(ctx, d); find != nil {
			// A logged-out profile (no store) holds no login to replace.
			if prev, store := find(a.Profile); store != "" {
				if err := confirmAnotherApp(d, o, a.Profile, prev, firstNonEmpty(a.ClientID, emulator.DefaultClientID)); err != nil {
					return err
				}
			}
		}
		// The emulator must outlive the login: whoAmI still asks it.
		emu, err = startEmulator(ctx, d, a, open)
		if err != nil {
			return err
		}
		defer emu.stop()
		a, open = emu.app, emu.open
	}
	var res *authflow.Result
	if o.Resume != "" {
		res, err = authflow.Resume(ctx, loginFlowOptions(d, o, a, sessions), pasted)
	} else {
		if err := checkLoopbackServer(ctx, a); err != nil {
			return err
		}
		res, err = browserLogin(ctx, d, o, a, sessions, open)
	}
	if err != nil {
		return err
	}
	rec := loginRecord(res, a)
	name := res.Session.Profile
	if o.Store == tokenstore.BackendNone {
		fmt.Fprintf(d.Stderr, "Logged in%s. Nothing was stored (--store none).\n", whoAmI(ctx, d, rec))
	} else {
		if err := checkSameUser(ctx, d, o, name, rec); err != nil {
			return err
		}
		// Saved first: the code is spent, so an interrupt from here on
		// must not lose the login. Who it is comes after.
		cfg, err := profiles(d)
		if err != nil {
			return err
		}
		waitFor(cfg, store)
		p := cfg.In(name, store)
		if err := p.SaveLogin(ctx, rec); err != nil {
			return err
		}
		known := rec.UserID
		who := whoAmI(ctx, d, rec)
		kept := keepUserID(ctx, d, p, rec.UserID, rec.UserID != known)
		switch {
		case errors.Is(kept, ErrLoginRequired):
			fmt.Fprintf(d.Stderr, "Logged in%s, but another kakao-auth logged profile %q out meanwhile: the login is not stored.\n", who, name)
		case errors.As(kept, new(*profile.ReplacedError)):
			fmt.Fprintf(d.Stderr, "Logged in%s, but another kakao-auth logged profile %q in again meanwhile: its login is the one stored.\n", who, name)
		default:
			fmt.Fprintf(d.Stderr, "Logged in%s. Profile %q; tokens stored in %s.\n", who, name, describeStore(store.Name(), paths, name))
			if o.Emulator {
				printEmulatorNextSteps(d, name, rec, emu.agreed.Load())
			}
		}
	}
	if o.Output == "" {
		return nil
	}
	return printLoginResult(d, o.Output, name, store.Name(), rec)
}

// loginRecord is the record a login stores: the session's app and servers,
// the secret it used, and the tokens, mapped as every refresh maps them.
func loginRecord(res *authflow.Result, a app) *tokenstore.Record {
	s := res.Session
	rec := &tokenstore.Record{
		ClientID:     s.ClientID,
		RedirectURI:  s.RedirectURI,
		AuthURL:      s.AuthURL,
		APIURL:       firstNonEmpty(s.APIURL, a.APIURL),
		Scopes:       res.Scopes,
		ClientSecret: a.ClientSecret,
		Nonce:        s.Nonce,
	}
	profile.Apply(rec, res.Token)
	// The opt-in is kept with a login that needed it, so that each later
	// use warns rather than refuses.
	rec.AllowInsecureHTTP = a.AllowInsecureHTTP && insecureServers(rec.AuthURL, rec.APIURL)
	rec.BuiltinEmulator = a.BuiltinEmulator
	return rec
}

// confirmAnotherApp asks before a login to app clientID replaces prev, the
// profile's stored login, when that is of another app.
func confirmAnotherApp(d *Deps, o *LoginOptions, profile string, prev *tokenstore.Record, clientID string) error {
	if prev == nil || prev.ClientID == clientID || o.Store == tokenstore.BackendNone {
		return nil
	}
	return confirm(d, o.Yes, fmt.Sprintf("Profile %q holds a login to app %s; replace it with a login to app %s?", profile, termtext.Line(prev.ClientID), termtext.Line(clientID)),
		fmt.Sprintf("profile %q holds a login to another app (%s)", profile, termtext.Line(prev.ClientID)))
}

// checkSameUser asks before a login replaces the stored login of another
// Kakao user under the same profile. It learns rec's user (briefly; when
// Kakao cannot say, it does not ask).
func checkSameUser(ctx context.Context, d *Deps, o *LoginOptions, profile string, rec *tokenstore.Record) error {
	prev := o.App.Previous
	if o.Resume != "" {
		if find := storedLogin(ctx, d); find != nil {
			prev, _ = find(profile)
		}
	}
	if prev == nil || prev.UserID == 0 || prev.ClientID != rec.ClientID || o.Emulator {
		return nil
	}
	uid := userID(ctx, d, rec)
	if uid == 0 || uid == prev.UserID {
		return nil
	}
	rec.UserID = uid
	return confirm(d, o.Yes, fmt.Sprintf("Profile %q holds the login of Kakao user %d; replace it with Kakao user %d?", profile, prev.UserID, uid),
		fmt.Sprintf("profile %q holds the login of another Kakao user (%d, not %d); the new login was not stored", profile, prev.UserID, uid))
}

// finishAsStarted takes a two-step login's profile, store and output from
// its session file, where --no-wait recorded them; a flag given now wins.
// An address matching no pending login is explained at once, before any
// store is opened: what was pasted is the problem, whatever the store.
func (o *LoginOptions) finishAsStarted(sessions session.Dir, pasted string) error {
	sess, err := authflow.PendingFor(sessions, pasted)
	if err != nil {
		return err
	}
	o.App.Profile = sess.Profile
	o.Store = firstNonEmpty(o.Store, sess.Store, tokenstore.BackendKeyring)
	o.Output = firstNonEmpty(o.Output, sess.Output)
	if o.Store == tokenstore.BackendNone && o.Output == "" {
		o.Output = "text"
	}
	return nil
}

// storedLogin finds the login stored under a profile, for a new login of
// that profile to build on.
//
// The record is the login's truth: when it can be read, its app is the
// one, whatever the profile's note says. When it cannot (a locked or
// unreachable keyring, a record that does not decode or is gone), the app
// noted with the profile at its last login stands in, without tokens, user
// or client secret, so that the login a hint names for that very situation
// still knows the profile's app.
func storedLogin(ctx context.Context, d *Deps) previousLogin {
	if d.Paths == nil || d.OpenStore == nil {
		return nil
	}
	return func(profile string) (*tokenstore.Record, string) {
		s, err := openStored(d, profile)
		if err != nil {
			return nil, ""
		}
		if rec, err := s.Load(ctx); err == nil {
			return rec, s.Store.Name()
		}
		noted, err := tokenstore.Profiles{Dir: s.paths.ProfilesDir()}.App(profile)
		if err != nil || noted == nil {
			return nil, ""
		}
		if s.Store.Name() == tokenstore.BackendNone {
			// Logged out: the app is kept, but there is no login, and
			// its store is not the next login's.
			return noted.Record(), ""
		}
		return noted.Record(), s.Store.Name()
	}
}

// scopesFor is what a login of a profile asks for, given the scopes stored
// with its previous login: without --scope, those again; with --scope, the
// new items alone, which is Kakao's additional consent (the token's scope
// then lists every item granted), plus openid when the login had it, so
// that ID tokens keep coming.
func scopesFor(asked []string, given bool, stored []string) []string {
	if !given {
		return slices.Clone(stored)
	}
	if slices.Contains(stored, "openid") && !slices.Contains(cleanList(asked), "openid") {
		return append(asked, "openid")
	}
	return asked
}

// browserLogin runs the one-run login: in the browser, or by paste-back.
func browserLogin(ctx context.Context, d *Deps, o *LoginOptions, a app, sessions session.Dir, open func(context.Context, string) error) (*authflow.Result, error) {
	opts := loginFlowOptions(d, o, a, sessions)
	opts.Open = open
	if o.NoBrowser {
		opts.Paste = d.Stdin
		opts.PasteRetry = d.StdinIsTerminal
	} else if d.StdinIsTerminal && !o.Emulator {
		// Where no browser can show the page, the person pastes the
		// address back, while the listener keeps waiting (as gcloud
		// does). The emulator's login presses Agree itself instead.
		opts.PasteFallback = d.Stdin
		opts.NoBrowserReason = noBrowserReason(d, o)
	}
	return authflow.Login(ctx, opts)
}

func loginFlowOptions(d *Deps, o *LoginOptions, a app, sessions session.Dir) authflow.Options {
	return authflow.Options{
		ClientID:     a.ClientID,
		ClientSecret: a.ClientSecret,
		AuthURL:      a.AuthURL,
		APIURL:       a.APIURL,
		RedirectURIs: a.RedirectURIs,
		Scopes:       o.Scopes,
		Prompt:       o.Prompt,
		LoginHint:    o.LoginHint,
		ServiceTerms: o.ServiceTerms,
		Profile:      a.Profile,
		Sessions:     sessions,
		Timeout:      o.Timeout,
		Stderr:       d.Stderr,
		Width:        spinnerWidth(d),
		HTTPClient:   d.HTTPClient,
		Now:          d.Now,
		KeyCacheDir:  keyCacheDir(d),
		CheckServers: func(authURL, apiURL string) error {
			// The run vetted (and warned about) its own URLs already; a
			// resumed login's session file may name others.
			var others []server
			if authURL = firstNonEmpty(authURL, kakao.DefaultAuthURL); authURL != a.AuthURL {
				others = append(others, server{authURL, "the pending login", "auth"})
			}
			if apiURL != "" && apiURL != a.APIURL {
				others = append(others, server{apiURL, "the pending login", "API"})
			}
			p := cleartextPolicy{allow: a.AllowInsecureHTTP, fix: "start a new login with " + termtext.Quoted("kakao-auth", "login", "--no-wait") + " and https:// --auth-url and --api-url", optIn: optInFlagOrEnv}
			return p.check(d, others...)
		},
	}
}

// startTwoStep writes the session of a two-step login and prints its URL on
// stdout, for a person (or a chat bot) to open elsewhere.
func startTwoStep(d *Deps, o *LoginOptions, sessions session.Dir) error {
	opts := loginFlowOptions(d, o, o.App, sessions)
	// The resume, perhaps another process, finishes as this run was told.
	opts.Store, opts.Output = o.Store, o.Output
	p, err := authflow.Start(opts)
	if err != nil {
		return err
	}
	// The placeholder stands in quotes: the address it stands for has
	// characters (& ?) a shell would take for its own.
	fmt.Fprintf(d.Stderr, "Open the URL below in a browser and approve. The browser then goes to %s\n(an error page there is fine). Within 10 minutes, finish on this machine with:\n\n  %s\n\n",
		p.RedirectURI, termtext.Command("kakao-auth", "login", "--resume")+" 'ADDRESS-THE-BROWSER-ENDED-ON'")
	if o.Output == "json" {
		return writeJSON(d, struct {
			AuthorizeURL string `json:"authorize_url"`
			State        string `json:"state"`
			ExpiresAt    string `json:"expires_at"`
		}{p.AuthorizeURL, p.State, rfc3339(p.ExpiresAt)})
	}
	_, err = fmt.Fprintln(d.Stdout, p.AuthorizeURL)
	return err
}

// resumeAddress is the address --resume finishes with: the flag's value,
// or a line of stdin for "-".
func resumeAddress(d *Deps, flag string) (string, error) {
	if flag != "-" {
		return flag, nil
	}
	line, err := bufio.NewReader(io.LimitReader(d.Stdin, 16<<10)).ReadString('\n')
	if err != nil && line == "" {
		return "", usagef("pipe the address into --resume -, or pass it as the flag's value", "no address on stdin")
	}
	return line, nil
}

// emulatorProfile is where "login --emulator" keeps its fake tokens.
const emulatorProfile = "emulator"

// guardEmulatorProfile refuses to put emulator tokens over a real login.
func guardEmulatorProfile(ctx context.Context, d *Deps, profile string) error {
	s, err := openStored(d, profile)
	if err != nil {
		return nil // nothing stored there yet
	}
	rec, err := s.Load(ctx)
	if err != nil || rec.AuthURL == "" || isLoopbackURL(rec.AuthURL) {
		return nil
	}
	return usagef("drop --profile to use the \"emulator\" profile, or name an unused one", "profile %q holds a login to %s; an emulator login would overwrite it", profile, rec.AuthURL)
}

func isLoopbackURL(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// checkLoopbackServer fails a login at once when its auth server is a
// loopback address where nothing listens (an emulator that has stopped, a
// mistyped port): the browser would only meet a dead page and the login
// wait out --timeout, and the token exchange needs that server from this
// machine anyway. Kakao's own servers are not probed, and anything but a
// refused connection lets the login go on.
func checkLoopbackServer(ctx context.Context, a app) error {
	if !isLoopbackURL(a.AuthURL) {
		return nil
	}
	u, err := url.Parse(a.AuthURL)
	if err != nil {
		return nil
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	dialer := net.Dialer{Timeout: 3 * time.Second}
	c, err := dialer.DialContext(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
	if err == nil {
		c.Close()
		return nil
	}
	if !neterr.Refused(err) {
		return nil
	}
	if p := a.Previous; p != nil && p.AuthURL == a.AuthURL {
		return &emulatorGoneError{profile: a.Profile, url: a.AuthURL, builtin: madeByBuiltinEmulator(a.Profile, p), err: err}
	}
	return &hintedError{
		err:  fmt.Errorf("nothing listens at %s, the auth server of this login", a.AuthURL),
		hint: fmt.Sprintf("start an emulator there (%s), or check --auth-url / %s", termtext.Command("kakao-auth", "emulator", "--addr", u.Host), envAuthURL),
	}
}

// newTokenAPI is Kakao's user API with a token just received.
func newTokenAPI(d *Deps, rec *tokenstore.Record) *kakao.API {
	return &kakao.API{BaseURL: rec.APIURL, Tokens: kakao.StaticToken(rec.AccessToken), HTTPClient: d.HTTPClient}
}

// userID asks Kakao, briefly, whose the new token is; 0 when it cannot say.
func userID(ctx context.Context, d *Deps, rec *tokenstore.Record) int64 {
	ctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	info, err := newTokenAPI(d, rec).TokenInfo(ctx)
	if err != nil {
		return 0
	}
	return info.UserID
}

// whoAmI asks Kakao for the user behind the new token, briefly; the login
// does not depend on it. It fills rec.UserID when Kakao says, and returns
// " as …" or "".
func whoAmI(ctx context.Context, d *Deps, rec *tokenstore.Record) string {
	if rec.UserID == 0 {
		rec.UserID = userID(ctx, d, rec)
	}
	if rec.UserID == 0 {
		return ""
	}
	ctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	if me, err := newTokenAPI(d, rec).Me(ctx); err == nil && me.Nickname != "" {
		return fmt.Sprintf(" as %s (Kakao user %d)", termtext.Line(me.Nickname), rec.UserID)
	}
	return fmt.Sprintf(" as Kakao user %d", rec.UserID)
}

// keepUserID stores the user id Kakao gave (whoAmI) with the login p just
// saved, when changed: through Update, so a logout or a refresh that ran
// in another process meanwhile is neither undone nor lost. It returns
// Update's error when the profile no longer holds this login (logged out:
// ErrLoginRequired; logged in again: *profile.ReplacedError), and warns
// about any other failure, which leaves the login stored without the id.
func keepUserID(ctx context.Context, d *Deps, p *profile.Profile, uid int64, changed bool) error {
	if !changed {
		return nil
	}
	_, err := p.Update(ctx, func(cur *tokenstore.Record) error {
		cur.UserID = uid
		return nil
	})
	if err == nil || errors.Is(err, ErrLoginRequired) || errors.As(err, new(*profile.ReplacedError)) {
		return err
	}
	warnf(d, "could not store the Kakao user id with the login: %v", err)
	return nil
}

// builtinEmulator is a private emulator running for one login: the app
// pointed at it, the browser that falls back to pressing Agree, and how to
// stop it.
type builtinEmulator struct {
	app  app
	open func(context.Context, string) error
	stop func()
	// agreed says that no browser could be opened, so open pressed
	// Agree itself: there is no browser on this machine for a next login.
	agreed *atomic.Bool
}

// startEmulator runs a private emulator for this login and returns a
// pointed at it, and open that, when no browser can be opened, plays the
// person pressing Agree.
func startEmulator(ctx context.Context, d *Deps, a app, open func(context.Context, string) error) (*builtinEmulator, error) {
	if a.ClientID == "" {
		a.ClientID = emulator.DefaultClientID
	}
	if len(a.RedirectURIs) == 1 && a.RedirectURIs[0] == DefaultRedirectURI {
		// The emulator registers whatever it is told, so a busy 8765 (a
		// login in another terminal) need not stop the quick start: a
		// free port is the fallback.
		if port, err := freeLoopbackPort(); err == nil {
			a.RedirectURIs = append(a.RedirectURIs, "http://127.0.0.1:"+port+"/callback")
		}
	}
	srv := emulator.New(emulator.Config{
		ClientIDs:    []string{a.ClientID},
		RedirectURIs: a.RedirectURIs,
		ClientSecret: a.ClientSecret,
	})
	run, err := emulator.Start(ctx, "127.0.0.1:0", srv)
	if err != nil {
		return nil, fmt.Errorf("start the emulator: %w", err)
	}
	a.AuthURL, a.APIURL = run.BaseURL, run.BaseURL
	a.BuiltinEmulator = true
	said := fmt.Sprintf("Using the built-in Kakao emulator at %s (its tokens are fake and work only there).\n", run.BaseURL)
	if width := spinnerWidth(d); width != nil {
		// The login's own messages are wrapped to the terminal too.
		said = termtext.Wrap(said, width())
	}
	fmt.Fprint(d.Stderr, said)
	agreed := new(atomic.Bool)
	agreeing := func(ctx context.Context, url string) error {
		err := open(ctx, url)
		if err == nil {
			return nil
		}
		agreed.Store(true)
		fmt.Fprintf(authflow.Messages(ctx, d.Stderr), "No browser could be opened (%s); pressing Agree on the emulator's consent page for you.\n", termtext.Line(err.Error()))
		ua := &emulator.UserAgent{Decision: emulator.Agree}
		_, err = ua.Visit(ctx, url)
		return err
	}
	return &builtinEmulator{app: a, open: agreeing, stop: func() { run.CloseNow() }, agreed: agreed}, nil
}

// freeLoopbackPort returns a TCP port that is free on 127.0.0.1 right now.
func freeLoopbackPort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// printEmulatorNextSteps tells a newcomer what to do after the quick start,
// with commands that work as printed.
func printEmulatorNextSteps(d *Deps, profile string, rec *tokenstore.Record, noBrowser bool) {
	p := []string{}
	if profile != DefaultProfile {
		p = []string{"--profile", profile}
	}
	step := func(words ...string) string { return termtext.Command(append([]string{"kakao-auth"}, words...)...) }
	w := d.Stderr
	fmt.Fprintf(w, "\nNext steps:\n")
	fmt.Fprintf(w, "  %s     print the access token (good until %s)\n", step(append([]string{"token"}, p...)...), rec.Expiry.Local().Format("15:04 MST"))
	fmt.Fprintf(w, "  %s    who is logged in, and until when\n", step(append([]string{"status"}, p...)...))
	fmt.Fprintf(w, "This login's emulator stops now, so the profile cannot refresh its token. For\nlogins that keep refreshing, keep an emulator running (its state file keeps\nlogins across restarts) and log in against it:\n")
	// The state file's path is left for the shell to expand (~).
	fmt.Fprintf(w, "  %s ~/.local/state/kakao-auth/emulator.json &\n", step("emulator", "--auto-approve", "--state-file"))
	fmt.Fprintf(w, "  export KAKAO_AUTH_URL=http://127.0.0.1:9339 KAKAO_API_URL=http://127.0.0.1:9339\n")
	login := []string{"login", "--client-id", emulator.DefaultClientID, "--profile", "emu", "--store", "file"}
	if noBrowser {
		// Without a browser, that login would wait for one (or for a
		// paste, with nothing to paste from); the emulator approves by
		// itself (--auto-approve), so following its redirects is enough.
		fmt.Fprintf(w, "  %s\n", step(append(login, "--browser-command", "curl -sL -o /dev/null")...))
		fmt.Fprintf(w, "(no browser opened here, so --browser-command lets curl follow the emulator's\nredirects; with a browser, leave it out)\n")
	} else {
		fmt.Fprintf(w, "  %s\n", step(login...))
	}
	if d.NotInstalled != nil && d.NotInstalled() {
		fmt.Fprintf(w, "(kakao-auth is not installed: use %s in its place, or install it with\n  %s)\n",
			termtext.Quoted("go", "run", "."), termtext.Command("CGO_ENABLED=0", "go", "install", "-trimpath", "-ldflags", "-s -w", "."))
	}
}

// loginJSON is the --output json shape of a login: every token value,
// and where the tokens were stored.
type loginJSON struct {
	tokenJSON
	Store string `json:"store"`
}

// printLoginResult prints the new login as --output asks, every secret
// masked first.
func printLoginResult(d *Deps, output, profile, store string, rec *tokenstore.Record) error {
	out := loginJSON{tokenJSON: newTokenJSON(profile, rec, allTokenValues), Store: store}
	if err := maskSecrets(d, out.secrets()...); err != nil {
		return err
	}
	if output == "text" {
		_, err := fmt.Fprintln(d.Stdout, rec.AccessToken)
		return err
	}
	return writeJSON(d, out)
}
