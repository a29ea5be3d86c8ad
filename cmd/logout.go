package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// LogoutOptions are the inputs of "kakao-auth logout".
type LogoutOptions struct {
	Profile      string
	Revoke       bool // POST /v1/user/logout first
	Unlink       bool // POST /v1/user/unlink first
	Yes          bool // no confirmation for --unlink
	Force        bool // remove the local record even when the remote call failed
	ClientSecret string
}

// NewLogoutCmd builds "kakao-auth logout". runF replaces the action in
// tests.
func NewLogoutCmd(d *Deps, runF func(context.Context, *LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "logout",
		Short: "Remove the profile's stored tokens (and optionally revoke them at Kakao)",
		Long: `Remove the profile's stored login from wherever it is kept.

--revoke first asks Kakao to expire the tokens (POST /v1/user/logout).
--unlink first disconnects the user from the app (POST /v1/user/unlink),
which also withdraws consent; it asks for confirmation unless --yes.
When the remote call fails, the local record is kept (so you can retry)
unless --force is given.`,
		Example: `  # Forget the login on this machine
  kakao-auth logout

  # Also expire the tokens at Kakao
  kakao-auth logout --revoke

  # Disconnect the app from the Kakao account (withdraws consent), no prompt
  kakao-auth logout --unlink --yes`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(d); err != nil {
				return err
			}
			if opts.Revoke && opts.Unlink {
				return usagef("--unlink already ends every session of the app; use one of them", "--revoke and --unlink cannot be combined")
			}
			if opts.Unlink && !opts.Yes && !d.StdinIsTerminal {
				return usagef("pass --yes to unlink without a prompt", "--unlink needs confirmation, and stdin is not a terminal")
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runLogout(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	flags.register(fs)
	fs.BoolVar(&opts.Revoke, "revoke", false, "expire the tokens at Kakao first (POST /v1/user/logout)")
	fs.BoolVar(&opts.Unlink, "unlink", false, "disconnect the user from the app at Kakao first (POST /v1/user/unlink)")
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fs.BoolVar(&opts.Force, "force", false, "remove the local record even if the remote call fails")
	return c
}

// errNotConfirmed is the user answering no.
var errNotConfirmed = errors.New("unlink not confirmed; nothing was changed")

func runLogout(ctx context.Context, d *Deps, o *LogoutOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, err := s.store.Load(ctx, o.Profile)
	if err != nil && !errors.Is(err, tokenstore.ErrNotFound) {
		if !o.Force {
			return fmt.Errorf("load profile %q: %w", o.Profile, err)
		}
		rec = nil
	}
	if o.Unlink && !o.Yes {
		fmt.Fprintf(d.Stderr, "Unlink disconnects your Kakao account from app %s: consent is withdrawn and every token is revoked. Continue? [y/N] ", clientOf(rec))
		answer, _ := bufio.NewReader(d.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return &cancelledError{errNotConfirmed}
		}
	}
	if (o.Revoke || o.Unlink) && rec != nil {
		what := "logout"
		if o.Unlink {
			what = "unlink"
		}
		if err := remoteLogout(ctx, d, s, rec, o); err != nil {
			var ue *usageError
			if errors.As(err, &ue) && !o.Force {
				return err // a cleartext server: nothing was sent
			}
			if !o.Force {
				return &hintedError{err: fmt.Errorf("kakao %s failed: %v; the local login is kept", what, err), hint: "try again, or add --force to remove the local login anyway"}
			}
			warnf(d, "kakao %s failed (%v); removing the local login anyway (--force)", what, err)
		} else {
			fmt.Fprintf(d.Stderr, "Kakao %s done: the tokens no longer work at Kakao.\n", what)
		}
	}
	if err := s.store.Delete(ctx, o.Profile); err != nil {
		return fmt.Errorf("remove profile %q from the %s store: %w", o.Profile, s.store.Name(), err)
	}
	if err := (tokenstore.Profiles{Dir: s.paths.ProfilesDir()}).Remove(o.Profile); err != nil {
		return fmt.Errorf("forget profile %q: %w", o.Profile, err)
	}
	fmt.Fprintf(d.Stderr, "Logged out of profile %q: removed its tokens from %s.\n", o.Profile, describeStore(s.store.Name(), s.paths, o.Profile))
	return nil
}

// remoteLogout calls logout or unlink, refreshing once on -401.
func remoteLogout(ctx context.Context, d *Deps, s *stored, rec *tokenstore.Record, o *LogoutOptions) error {
	api, err := s.api(d, rec)
	if err != nil {
		return err
	}
	call := api.Logout
	if o.Unlink {
		call = api.Unlink
	}
	_, err = withToken(ctx, d, s, o.ClientSecret, rec, func(at string) error { return call(ctx, at) })
	return err
}

func clientOf(rec *tokenstore.Record) string {
	if rec == nil {
		return "(unknown)"
	}
	return termtext.Line(rec.ClientID)
}

// hintedError attaches a hint to an error.
type hintedError struct {
	err  error
	hint string
}

func (e *hintedError) Error() string { return e.err.Error() }
func (e *hintedError) Unwrap() error { return e.err }
func (e *hintedError) Hint() string  { return e.hint }

// cancelledError is a user's "no": exit 3.
type cancelledError struct{ err error }

func (e *cancelledError) Error() string { return e.err.Error() }
func (e *cancelledError) Unwrap() error { return e.err }
