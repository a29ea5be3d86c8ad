package cmd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// rotationWindow is when Kakao starts rotating a refresh token on refresh.
const rotationWindow = 30 * 24 * time.Hour

// remoteTimeout bounds the kapi calls of status: it must stay quick offline.
const remoteTimeout = 5 * time.Second

// StatusOptions are the inputs of "kakao-auth status".
type StatusOptions struct {
	Profile      string
	Output       string // text or json
	ShowToken    bool
	Yes          bool // show the tokens on a terminal too
	ClientSecret string
	All          bool // every profile, offline
}

// NewStatusCmd builds "kakao-auth status". runF replaces the action in
// tests.
func NewStatusCmd(d *Deps, runF func(context.Context, *StatusOptions) error) *cobra.Command {
	opts := &StatusOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "status",
		Short: "Show the profile's login: who, where stored, and token lifetimes",
		Long: `Show the profile's login: the backend holding it, the client id, when the
access and refresh tokens expire, the scopes, and the Kakao user (asked of
Kakao; when Kakao cannot be reached, the local facts are shown and that is
said). When Kakao no longer accepts the access token, status refreshes it
and says so. Token values appear only with --show-token. Warnings go to
stderr (-o json carries them in the document). Exits 4 when there is no
usable login; -o json then still prints a document, with "logged_in": false
and the error, as it does for a refused command line (exit 2), such as a
bad profile name.

--all lists every profile on this machine from what is stored, without
asking Kakao or refreshing anything: name, store, client id, user, when the
tokens expire, and each profile's warnings. It exits 0 when the profiles
could be listed, whatever their state; -o json prints an array, then too
when the command line is refused or the profiles cannot be listed: one
entry with the error and no profile.`,
		Example: `  kakao-auth status
  kakao-auth status --profile emulator

  # Scripts: the same facts as JSON
  kakao-auth status -o json

  # Every profile on this machine, offline
  kakao-auth status --all
  kakao-auth status --all -o json`,
		// Arguments are refused in RunE, once -o is known: -o json reports
		// every refused command line in its document.
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkOutput(c, opts.Output, "text", "json"); err != nil {
				return err
			}
			if err := opts.check(c, d, &flags, args); err != nil {
				return statusFailed(d, opts, nil, err)
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			if opts.All {
				return runStatusAll(c.Context(), d, opts)
			}
			return runStatus(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	flags.register(fs)
	fs.StringVarP(&opts.Output, "output", "o", "text", "text or json")
	completeOutput(c, "text", "json")
	fs.BoolVar(&opts.ShowToken, "show-token", false, "include the token values")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "show the token values even when stdout is a terminal")
	fs.BoolVar(&opts.All, "all", false, "list every profile, from what is stored (no call to Kakao, no refresh)")
	return c
}

// check resolves and checks the command line after --output: a refused
// one is still reported as a document with -o json.
func (o *StatusOptions) check(c *cobra.Command, d *Deps, flags *profileFlags, args []string) error {
	var err error
	if o.Profile, o.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
		return err
	}
	if err := noArgs(c, args); err != nil {
		return err
	}
	if o.All && c.Flags().Changed("profile") {
		return usagef("drop --profile to list every profile, or --all to show one", "--all and --profile cannot be combined")
	}
	if o.All && o.ShowToken {
		return usagef("show one profile's tokens with --profile NAME --show-token", "--all never shows token values")
	}
	if o.ShowToken {
		return refuseSecretOnScreen(d, o.Yes, "the refresh token (--show-token)")
	}
	return nil
}

// statusJSON is the --output json shape of "status": the login's tokens
// (their values only with --show-token) and what status found out.
type statusJSON struct {
	tokenJSON
	LoggedIn      bool           `json:"logged_in"`
	Store         string         `json:"store"`
	ClientID      string         `json:"client_id"`
	User          *statusUser    `json:"user"`
	ExpiresIn     int64          `json:"expires_in"`
	IDTokenClaims *statusIDToken `json:"id_token_claims"`
	Refreshed     bool           `json:"refreshed"` // Kakao refused the stored access token, and status refreshed it
	Remote        statusRemote   `json:"remote"`
	AuthURL       string         `json:"auth_url"`
	APIURL        string         `json:"api_url"`
	ServerGone    bool           `json:"server_gone,omitempty"` // see loginServers
	Warnings      []string       `json:"warnings"`
	Error         string         `json:"error,omitempty"` // with logged_in false
	Hint          string         `json:"hint,omitempty"`
}

// statusErrorJSON is the --output json shape of "status" when no login
// could be read, or the command line was refused (exit 2): never an empty
// stdout. With --all it is an entry of the array, and has no profile when
// the error is of the whole command, not of one profile.
type statusErrorJSON struct {
	Profile  string   `json:"profile,omitempty"`
	LoggedIn bool     `json:"logged_in"`
	Store    string   `json:"store,omitempty"`     // when the profile's note names one
	ClientID string   `json:"client_id,omitempty"` // of a logged-out profile, whose app is kept
	Warnings []string `json:"warnings"`
	errorJSON

	loggedOut bool // for the table of --all: a known profile, logged out
}

type statusUser struct {
	ID       int64  `json:"id"`
	Nickname string `json:"nickname,omitempty"`
	Email    string `json:"email,omitempty"`
}

// statusIDToken is what the stored (verified) ID token says.
type statusIDToken struct {
	Subject   string `json:"sub"`
	Nickname  string `json:"nickname,omitempty"`
	Email     string `json:"email,omitempty"`
	AuthTime  string `json:"auth_time,omitempty"`
	ExpiresAt string `json:"expires_at"`
}

type statusRemote struct {
	Checked bool   `json:"checked"`
	Error   string `json:"error,omitempty"`
}

func runStatus(ctx context.Context, d *Deps, o *StatusOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return statusFailed(d, o, nil, err)
	}
	stored, err := s.load(ctx)
	if err != nil {
		return statusFailed(d, o, s, err)
	}
	rec, res, user, remoteErr, err := checkRemote(ctx, d, s, stored, o.ClientSecret)
	if err != nil {
		return statusFailed(d, o, s, err)
	}
	now := d.Now()
	show := tokenValues{}
	if o.ShowToken {
		show = allTokenValues
	}
	out := statusJSON{
		tokenJSON: newTokenJSON(o.Profile, rec, show),
		LoggedIn:  remoteErr == nil || usableLogin(rec, now), // Kakao took the token, or it can be had
		Store:     s.Store.Name(),
		ClientID:  rec.ClientID,
		ExpiresIn: expiresIn(rec.Expiry, now),
		Refreshed: res.Refreshed,
		Remote:    statusRemote{Checked: remoteErr == nil},
		Warnings:  loginWarnings(o.Profile, rec, now),
		AuthURL:   firstNonEmpty(rec.AuthURL, kakao.DefaultAuthURL),
		APIURL:    firstNonEmpty(rec.APIURL, kakao.DefaultAPIURL),
	}
	servers, gone := loginServers(ctx, o.Profile, rec)
	out.ServerGone = gone
	if remoteErr != nil {
		out.Remote.Error = remoteErr.Error()
	}
	if rec.IDToken != "" {
		if c, err := kakao.PeekIDClaims(rec.IDToken); err == nil {
			out.IDTokenClaims = &statusIDToken{Subject: c.Subject, Nickname: c.Nickname, Email: c.Email, ExpiresAt: rfc3339(c.Expiry)}
			if !c.AuthTime.IsZero() {
				out.IDTokenClaims.AuthTime = rfc3339(c.AuthTime)
			}
		}
	}
	if user != nil {
		out.User = user
	} else if rec.UserID != 0 {
		out.User = &statusUser{ID: rec.UserID}
	}
	var loginErr error
	if !out.LoggedIn {
		loginErr = unusableLogin(o.Profile, rec)
		out.Error, out.Hint = loginErr.Error(), hintOf(loginErr)
	}
	if res.Refreshed {
		// Said only when it is so: an access token that had expired here
		// is refreshed before Kakao is asked.
		why := "the stored one had expired"
		if res.Refused {
			why = "Kakao no longer accepted the stored one"
		}
		fmt.Fprintf(d.Stderr, "Refreshed the access token of profile %q: %s. The new one expires %s (in %s).\n", o.Profile, why, rfc3339(rec.Expiry), left(rec.Expiry, now))
		if res.Rotated {
			fmt.Fprintln(d.Stderr, "Kakao rotated the refresh token; the new one is saved.")
		}
	}
	if err := maskSecrets(d, out.secrets()...); err != nil {
		return err
	}
	if o.Output == "json" {
		if err := writeJSON(d, out); err != nil {
			return err
		}
		return loginErr
	}
	printStatus(d.Stdout, out, describeStore(s.Store.Name(), s.paths, o.Profile), servers, rec, now)
	if remoteErr != nil {
		fmt.Fprintf(d.Stderr, "kakao-auth: warning: Kakao could not be asked about this login (%s); showing what is stored locally\n", termtext.Line(remoteErr.Error()))
	}
	if loginErr != nil {
		return loginErr // it says what the warnings would
	}
	for _, w := range out.Warnings {
		warnf(d, "%s", w)
	}
	return nil
}

// statusFailed is status without a login to show: -o json still prints a
// document that says so, and the error keeps its exit code. With --all the
// document is what --all prints, an array, so that a script reading it
// needs no second shape: it holds one entry with the error and no profile
// (none was asked about), which the script takes, like any entry with an
// error, for one that is not logged in.
func statusFailed(d *Deps, o *StatusOptions, s *stored, err error) error {
	if o.Output != "json" {
		return err
	}
	out := statusErrorJSON{Profile: o.Profile, Warnings: []string{}, errorJSON: errorJSON{Error: err.Error(), Hint: hintOf(err)}}
	if s != nil && s.Store.Name() != tokenstore.BackendNone {
		out.Store = s.Store.Name()
	}
	var doc any = out
	if o.All {
		out.Profile = ""
		doc = []statusErrorJSON{out}
	}
	if werr := writeJSON(d, doc); werr != nil {
		return werr
	}
	return err
}

// hintOf is the hint err carries, if any.
func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}

// usableLogin reports whether rec can still give an access token without
// a new login: the access token is valid, or a refresh token that has not
// expired is stored.
func usableLogin(rec *tokenstore.Record, now time.Time) bool {
	return rec.Expiry.After(now) || refreshable(rec, now)
}

func refreshable(rec *tokenstore.Record, now time.Time) bool {
	return rec.RefreshToken != "" && (rec.RefreshExpiry.IsZero() || now.Before(rec.RefreshExpiry))
}

// unusableLogin is the error of a login that usableLogin refuses.
func unusableLogin(profile string, rec *tokenstore.Record) error {
	if rec.RefreshToken == "" {
		return &loginRequiredError{profile: profile, reason: "the access token expired on " + rfc3339(rec.Expiry) + ", and no refresh token is stored"}
	}
	return &loginRequiredError{profile: profile, reason: "the refresh token expired on " + rfc3339(rec.RefreshExpiry)}
}

// loginWarnings are what people should know about a stored login: whether
// it needs a refresh, a new login soon, or a new login now. Status prints
// them on stderr; its JSON carries them as data.
func loginWarnings(profile string, rec *tokenstore.Record, now time.Time) []string {
	w := []string{}
	if !rec.Expiry.After(now) && refreshable(rec, now) {
		w = append(w, fmt.Sprintf("the access token has expired (%s ago); it is refreshed on its next use", human(now.Sub(rec.Expiry))))
	}
	switch {
	case rec.RefreshToken == "" && !rec.Expiry.After(now):
		w = append(w, "the access token has expired and no refresh token is stored: log in again with "+loginCommand(profile))
	case rec.RefreshToken == "":
		w = append(w, fmt.Sprintf("no refresh token is stored: log in again with %s when the access token expires, in %s", loginCommand(profile), human(rec.Expiry.Sub(now))))
	case !refreshable(rec, now):
		w = append(w, "the refresh token expired on "+rfc3339(rec.RefreshExpiry)+": log in again with "+loginCommand(profile))
	case !rec.RefreshExpiry.IsZero() && rec.RefreshExpiry.Sub(now) < rotationWindow:
		w = append(w, fmt.Sprintf("the refresh token has under 30 days left (%s): Kakao rotates it on the next refresh, and kakao-auth saves the new one; run %s at least once before it expires", left(rec.RefreshExpiry, now), refreshCommand(profile)))
	}
	return w
}

// refreshCommand is the command that refreshes profile's tokens now.
func refreshCommand(profile string) string { return suggest("refresh", profile) }

// checkRemote asks Kakao who the token belongs to. A -401 gets one refresh
// and a retry; a rejected refresh means login required. Any other failure is
// returned as remoteErr, and the local facts still stand. It returns the
// login as it is now and what its refreshes did.
func checkRemote(ctx context.Context, d *Deps, s *stored, rec *tokenstore.Record, secret string) (_ *tokenstore.Record, _ profile.Result, _ *statusUser, remoteErr, err error) {
	// An expired access token is refreshed first; a valid one is asked
	// about as it is, and refreshed only if Kakao refuses it.
	api, tokens, err := s.userAPI(ctx, d, rec, secret, 0)
	if err != nil {
		return nil, profile.Result{}, nil, nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	info, err := api.TokenInfo(rctx)
	if err = s.explain(tokens.Record(), err); errors.Is(err, ErrLoginRequired) {
		return nil, profile.Result{}, nil, nil, err
	}
	if err != nil {
		return tokens.Record(), tokens.Result(), nil, err, nil
	}
	u := &statusUser{ID: info.UserID}
	if me, err := api.Me(rctx); err == nil {
		u.Nickname, u.Email = me.Nickname, me.Email
	}
	return tokens.Record(), tokens.Result(), u, nil, nil
}

// printStatus writes the text form of status. Its values come from Kakao
// and the stored record (nickname, email, ID-token claims): each row's
// value is shown as one line with control characters made visible; the
// JSON form keeps them exact.
func printStatus(w io.Writer, st statusJSON, where, servers string, rec *tokenstore.Record, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, termtext.Line(v)) }
	row("Profile", st.Profile)
	row("Stored in", where)
	if servers != "" {
		row("Servers", servers)
	}
	row("Client ID", st.ClientID)
	switch u := st.User; {
	case u == nil:
		row("User", "unknown")
	case u.Nickname != "" && u.Email != "":
		row("User", fmt.Sprintf("%s <%s> (Kakao user %d)", u.Nickname, u.Email, u.ID))
	case u.Nickname != "":
		row("User", fmt.Sprintf("%s (Kakao user %d)", u.Nickname, u.ID))
	default:
		row("User", fmt.Sprintf("Kakao user %d", u.ID))
	}
	row("Access token", expiryText(rec.Expiry, now))
	if st.AccessToken != "" {
		row("  value", st.AccessToken)
	}
	if rec.RefreshToken != "" {
		row("Refresh token", expiryText(rec.RefreshExpiry, now))
		if st.RefreshToken != "" {
			row("  value", st.RefreshToken)
		}
	} else {
		row("Refresh token", "none stored")
	}
	if rec.IDToken != "" {
		who := "stored (its claims cannot be read)"
		if it := st.IDTokenClaims; it != nil {
			who = "sub " + it.Subject
			if it.Nickname != "" {
				who += ", " + it.Nickname
			}
			if it.Email != "" {
				who += " <" + it.Email + ">"
			}
			if it.AuthTime != "" {
				who += ", authenticated " + it.AuthTime
			}
		}
		row("ID token", who)
		if st.IDToken != "" {
			row("  value", st.IDToken)
		}
	}
	scopes := strings.Join(st.Scopes, " ")
	if scopes == "" {
		scopes = "(none requested)"
	}
	row("Scopes", scopes)
	tw.Flush()
}

func expiryText(t, now time.Time) string {
	switch {
	case t.IsZero():
		return "expiry unknown"
	case !t.After(now):
		return fmt.Sprintf("expired %s (%s ago)", rfc3339(t), human(now.Sub(t)))
	}
	return fmt.Sprintf("expires %s (in %s)", rfc3339(t), human(t.Sub(now)))
}
