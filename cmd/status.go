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
said). Token values appear only with --show-token. Exits 4 when not logged in.`,
		Example: `  kakao-auth status
  kakao-auth status --profile emulator

  # Scripts: the same facts as JSON
  kakao-auth status -o json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(d); err != nil {
				return err
			}
			if err := checkOutput(c, opts.Output, "text", "json"); err != nil {
				return err
			}
			if opts.ShowToken {
				if err := refuseSecretOnScreen(d, opts.Yes, "the refresh token (--show-token)"); err != nil {
					return err
				}
			}
			if runF != nil {
				return runF(c.Context(), opts)
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
	return c
}

// statusJSON is the fixed --output json shape of "status".
type statusJSON struct {
	Profile      string         `json:"profile"`
	Store        string         `json:"store"`
	ClientID     string         `json:"client_id"`
	User         *statusUser    `json:"user"`
	AccessToken  statusToken    `json:"access_token"`
	RefreshToken *statusToken   `json:"refresh_token"`
	Scopes       []string       `json:"scopes"`
	IDToken      *statusIDToken `json:"id_token"`
	Remote       statusRemote   `json:"remote"`
	Warnings     []string       `json:"warnings"`
}

type statusUser struct {
	ID       int64  `json:"id"`
	Nickname string `json:"nickname,omitempty"`
	Email    string `json:"email,omitempty"`
}

type statusToken struct {
	Value         string `json:"value,omitempty"`
	ExpiresAt     string `json:"expires_at"`
	ExpiresAtUnix int64  `json:"expires_at_unix"`
	ExpiresIn     int64  `json:"expires_in"`
}

// statusIDToken is what the stored (verified) ID token says.
type statusIDToken struct {
	Subject   string `json:"sub"`
	Nickname  string `json:"nickname,omitempty"`
	Email     string `json:"email,omitempty"`
	AuthTime  string `json:"auth_time,omitempty"`
	ExpiresAt string `json:"expires_at"`
	Value     string `json:"value,omitempty"`
}

type statusRemote struct {
	Checked bool   `json:"checked"`
	Error   string `json:"error,omitempty"`
}

func runStatus(ctx context.Context, d *Deps, o *StatusOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, err := s.load(ctx)
	if err != nil {
		return err
	}
	rec, user, remoteErr, err := checkRemote(ctx, d, s, rec, o.ClientSecret)
	if err != nil {
		return err
	}
	now := d.Now()
	out := statusJSON{
		Profile:     o.Profile,
		Store:       s.store.Name(),
		ClientID:    rec.ClientID,
		AccessToken: tokenStatus(rec.AccessToken, rec.Expiry, now, o.ShowToken),
		Scopes:      rec.Scopes,
		Remote:      statusRemote{Checked: remoteErr == nil},
		Warnings:    []string{},
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if rec.RefreshToken != "" {
		rt := tokenStatus(rec.RefreshToken, rec.RefreshExpiry, now, o.ShowToken)
		out.RefreshToken = &rt
		if !rec.RefreshExpiry.IsZero() && rec.RefreshExpiry.Sub(now) < rotationWindow {
			out.Warnings = append(out.Warnings, fmt.Sprintf("the refresh token has under 30 days left (%s): Kakao rotates it on the next refresh, and kakao-auth saves the new one; run \"kakao-auth refresh\" at least once before it expires", left(rec.RefreshExpiry, now)))
		}
	}
	if remoteErr != nil {
		out.Remote.Error = remoteErr.Error()
	}
	if rec.IDToken != "" {
		if c, err := kakao.PeekIDClaims(rec.IDToken); err == nil {
			out.IDToken = &statusIDToken{Subject: c.Subject, Nickname: c.Nickname, Email: c.Email, ExpiresAt: rfc3339(c.Expiry)}
			if !c.AuthTime.IsZero() {
				out.IDToken.AuthTime = rfc3339(c.AuthTime)
			}
			if o.ShowToken {
				out.IDToken.Value = rec.IDToken
			}
		}
	}
	if user != nil {
		out.User = user
	} else if rec.UserID != 0 {
		out.User = &statusUser{ID: rec.UserID}
	}
	if o.ShowToken {
		if err := maskSecrets(d, rec.AccessToken, rec.RefreshToken, rec.IDToken); err != nil {
			return err
		}
	}
	if o.Output == "json" {
		return writeJSON(d, out)
	}
	printStatus(d.Stdout, out, describeStore(s.store.Name(), s.paths, o.Profile), rec, now)
	if remoteErr != nil {
		fmt.Fprintf(d.Stderr, "kakao-auth: warning: Kakao could not be asked about this login (%s); showing what is stored locally\n", termtext.Line(remoteErr.Error()))
	}
	return nil
}

// checkRemote asks Kakao who the token belongs to. A -401 gets one refresh
// and a retry; a rejected refresh means login required. Any other failure is
// returned as remoteErr, and the local facts still stand.
func checkRemote(ctx context.Context, d *Deps, s *stored, rec *tokenstore.Record, secret string) (_ *tokenstore.Record, _ *statusUser, remoteErr, err error) {
	// An expired access token is refreshed first; a valid one is asked
	// about as it is, and refreshed only if Kakao refuses it.
	api, tokens, err := s.userAPI(ctx, d, rec, secret, 0)
	if err != nil {
		return nil, nil, nil, err
	}
	rctx, cancel := context.WithTimeout(ctx, remoteTimeout)
	defer cancel()
	info, err := api.TokenInfo(rctx)
	if err = withAPIHint(s.profile, err); errors.Is(err, ErrLoginRequired) {
		return nil, nil, nil, err
	}
	if err != nil {
		return tokens.rec, nil, explainUnreachable(s.profile, tokens.rec, err), nil
	}
	u := &statusUser{ID: info.UserID}
	if me, err := api.Me(rctx); err == nil {
		u.Nickname, u.Email = me.Nickname, me.Email
	}
	return tokens.rec, u, nil, nil
}

func tokenStatus(value string, expiry, now time.Time, show bool) statusToken {
	t := statusToken{ExpiresIn: max(0, int64(expiry.Sub(now).Seconds()))}
	if !expiry.IsZero() {
		t.ExpiresAt = rfc3339(expiry)
		t.ExpiresAtUnix = expiry.Unix()
	}
	if show {
		t.Value = value
	}
	return t
}

// printStatus writes the text form of status. Its values come from Kakao
// and the stored record (nickname, email, ID-token claims): each row's
// value is shown as one line with control characters made visible; the
// JSON form keeps them exact.
func printStatus(w io.Writer, st statusJSON, where string, rec *tokenstore.Record, now time.Time) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, termtext.Line(v)) }
	row("Profile", st.Profile)
	row("Stored in", where)
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
	if st.AccessToken.Value != "" {
		row("  value", st.AccessToken.Value)
	}
	if st.RefreshToken != nil {
		row("Refresh token", expiryText(rec.RefreshExpiry, now))
		if st.RefreshToken.Value != "" {
			row("  value", st.RefreshToken.Value)
		}
	} else {
		row("Refresh token", "none stored")
	}
	if it := st.IDToken; it != nil {
		who := "sub " + it.Subject
		if it.Nickname != "" {
			who += ", " + it.Nickname
		}
		if it.Email != "" {
			who += " <" + it.Email + ">"
		}
		if it.AuthTime != "" {
			who += ", authenticated " + it.AuthTime
		}
		row("ID token", who)
		if it.Value != "" {
			row("  value", it.Value)
		}
	}
	scopes := strings.Join(st.Scopes, " ")
	if scopes == "" {
		scopes = "(none requested)"
	}
	row("Scopes", scopes)
	tw.Flush()
	for _, w2 := range st.Warnings {
		fmt.Fprintf(w, "Warning: %s\n", termtext.Line(w2))
	}
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
