package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// LogoutOptions are the inputs of "kakao-auth logout".
type LogoutOptions struct {
	Profile string
	Revoke  bool // POST /v1/user/logout first
	Unlink  bool // POST /v1/user/unlink first
	Yes     bool // no confirmation for --unlink
	Force   bool // remove the local record even when the remote call failed
	// Forget also forgets the profile's app (its note); without it the
	// next login of the profile needs no settings.
	Forget       bool
	ClientSecret string
	// KakaoAccount logs the browser out of Kakao first (GET /oauth/logout),
	// catching it at LogoutRedirectURI within Timeout; BrowserCommand
	// opens it.
	KakaoAccount      bool
	LogoutRedirectURI string
	Timeout           time.Duration
	BrowserCommand    string
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
--kakao-account first logs the browser out of Kakao too (its Kakao Account
session), for shared machines, where revoking the tokens leaves the browser
logged in: Kakao's logout page opens and sends the browser back to
--logout-redirect-uri, which must be registered for the app as a Logout
Redirect URI ([카카오 로그인] > [고급]). Add --revoke to expire the tokens
as well.
When a step at Kakao fails, the local record is kept (so you can retry)
unless --force is given.

The profile's app settings (client id, redirect URI, servers; never a
token or a secret) are kept, so that "kakao-auth login" logs it in again
without them, and "status --all" still lists it, as logged out.
--forget forgets the profile completely.`,
		Example: `  # Forget the login on this machine
  kakao-auth logout

  # Also expire the tokens at Kakao
  kakao-auth logout --revoke

  # Forget the profile completely, its app settings too
  kakao-auth logout --profile old --forget

  # Disconnect the app from the Kakao account (withdraws consent), no prompt
  kakao-auth logout --unlink --yes

  # On a shared machine: expire the tokens and log the browser out of Kakao
  kakao-auth logout --revoke --kakao-account`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if opts.Revoke && opts.Unlink {
				return usagef("--unlink already ends every session of the app; use one of them", "--revoke and --unlink cannot be combined")
			}
			if opts.Unlink && !opts.Yes && !d.StdinIsTerminal {
				return usagef("pass --yes to unlink without a prompt", "--unlink needs confirmation, and stdin is not a terminal")
			}
			if err := opts.checkAccountLogout(d, c); err != nil {
				return err
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
	fs.BoolVar(&opts.Forget, "forget", false, "also forget the profile's app settings (kept by default for the next login)")
	registerAccountLogoutFlags(fs, opts)
	return c
}

// errNotConfirmed is the user answering no.
var errNotConfirmed = errors.New("unlink not confirmed; nothing was changed")

func runLogout(ctx context.Context, d *Deps, o *LogoutOptions) error {
	cfg, err := profiles(d)
	if err != nil {
		return err
	}
	var rec *tokenstore.Record
	var s *stored
	if o.Revoke || o.Unlink || o.KakaoAccount {
		// Only a login found the usual way is used at Kakao; a record a
		// crash left without a note is still removed below.
		s, err = openStored(d, o.Profile)
		if err == nil {
			rec, _, err = s.Store.Load(ctx, o.Profile)
		}
		switch {
		case err == nil:
		case errors.Is(err, tokenstore.ErrNotFound), errors.Is(err, ErrLoginRequired), o.Force:
			rec = nil // nothing to call Kakao with
		default:
			return withRefusedHint(fmt.Errorf("load profile %q: %w", o.Profile, err), o.Profile)
		}
	}
	if o.Unlink && !o.Yes && rec != nil {
		fmt.Fprintf(d.Stderr, "Unlink disconnects your Kakao account from app %s: consent is withdrawn and every token is revoked. Continue? [y/N] ", clientOf(rec))
		answer, _ := bufio.NewReader(d.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
			return &cancelledError{errNotConfirmed}
		}
	}
	if o.KakaoAccount {
		// First: it changes nothing stored, so a failure leaves all as it was.
		if err := afterAccountLogout(d, o, accountLogout(ctx, d, o, rec)); err != nil {
			return err
		}
	}
	what := "logout"
	if o.Unlink {
		what = "unlink"
	}
	if rec != nil && (o.Revoke || o.Unlink) {
		// Before the lock: a -401 here refreshes once, under the lock.
		err := remoteLogout(ctx, d, s, rec, o)
		var gone *emulatorGoneError
		switch {
		case errors.Is(err, ErrLoginRequired):
			// The app was unlinked or the refresh token died: Kakao ended
			// the login already, and asking again can never work.
			fmt.Fprintf(d.Stderr, "Kakao had already ended this login (%s); removing the local copy.\n", termtext.Line(err.Error()))
		case errors.As(err, &gone) && gone.builtin:
			// Its tokens worked only at that emulator, which never comes
			// back: there is nothing left to end, and asking again can
			// never work.
			fmt.Fprintf(d.Stderr, "The built-in emulator that issued this login's tokens has stopped for good, and the tokens work nowhere else; removing the local copy.\n")
		case err != nil:
			var ue *usageError
			if errors.As(err, &ue) && !o.Force {
				return err // a cleartext server: nothing was sent
			}
			if !o.Force {
				hint := "try again"
				if gone != nil {
					hint = gone.Hint()
				}
				return &hintedError{err: fmt.Errorf("kakao %s failed: %w; the local login is kept", what, err), hint: hint + ", or add --force to remove the local login anyway"}
			}
			warnf(d, "kakao %s failed (%v); removing the local login anyway (--force)", what, err)
		default:
			fmt.Fprintf(d.Stderr, "Kakao %s done: the tokens no longer work at Kakao.\n", what)
		}
	}

	// Under the lock a refresh holds: one in flight saves first and is
	// then removed; any later one finds the profile gone.
	backends, unchecked, err := clearProfile(ctx, d, cfg, o.Profile, o.Forget)
	var nothing *profile.NothingStoredError
	if errors.As(err, &nothing) {
		// Already logged out: done, like rm -f.
		switch {
		case nothing.Forgotten:
			fmt.Fprintf(d.Stderr, "Profile %q was logged out already; forgot its app settings.\n", o.Profile)
		case nothing.Known:
			fmt.Fprintf(d.Stderr, "Nothing to log out: profile %q is logged out already (its app settings are kept; --forget forgets them).\n", o.Profile)
		case sharedStoreURL(d) != "":
			fmt.Fprintf(d.Stderr, "Nothing to log out: profile %q holds no login in %s.\n", o.Profile, sharedstore.Redact(sharedStoreURL(d)))
		default:
			fmt.Fprintf(d.Stderr, "Nothing to log out: profile %q holds no login on this machine.\n", o.Profile)
		}
		return nil
	}
	if err != nil {
		return withLogoutStoreHint(err, o.Profile)
	}
	var removed []string
	for _, b := range backends {
		removed = append(removed, describeStore(b, cfg.Paths, o.Profile))
	}
	kept := "kept its app settings for the next login"
	if o.Forget {
		kept = "forgot the profile"
	}
	if (o.Revoke || o.Unlink) && rec == nil && len(removed) > 0 {
		fmt.Fprintf(d.Stderr, "kakao-auth: warning: no usable login to %s at Kakao; only the local copy was removed\n", what)
	}
	switch {
	case len(removed) > 0:
		fmt.Fprintf(d.Stderr, "Logged out of profile %q: removed its tokens from %s; %s.\n", o.Profile, strings.Join(removed, " and "), kept)
	case unchecked != nil:
		fmt.Fprintf(d.Stderr, "Logged out of profile %q: no tokens were found in the file store; %s.\n", o.Profile, kept)
	default:
		fmt.Fprintf(d.Stderr, "Logged out of profile %q: no tokens were stored; %s.\n", o.Profile, kept)
	}
	if unchecked != nil {
		warnf(d, "the keyring could not be checked for a login of profile %q (%v); run %s again when it is available", o.Profile, unchecked, logoutCommand(o.Profile))
	}
	return nil
}

// remoteLogout calls logout or unlink, refreshing once on -401.
func remoteLogout(ctx context.Context, d *Deps, s *stored, rec *tokenstore.Record, o *LogoutOptions) error {
	api, _, err := s.userAPI(ctx, d, rec, o.ClientSecret, 0)
	if err != nil {
		return err
	}
	call := api.Logout
	if o.Unlink {
		call = api.Unlink
	}
	return s.explain(rec, call(ctx))
}

func clientOf(rec *tokenstore.Record) string {
	if rec == nil {
		return "(unknown)"
	}
	return termtext.Line(rec.ClientID)
}

// clearProfile is cfg.Clear, or for a profile in the shared store
// KAKAO_AUTH_STORE names, the removal of its record there alone.
func clearProfile(ctx context.Context, d *Deps, cfg *profile.Config, name string, forget bool) (backends []string, unchecked, err error) {
	url := sharedStoreURL(d)
	if url == "" {
		return cfg.Clear(ctx, name, forget)
	}
	st, err := openShared(d, url)
	if err != nil {
		return nil, nil, err
	}
	waitFor(cfg, st)
	if err := cfg.ClearShared(ctx, name, st); err != nil {
		return nil, nil, err
	}
	return []string{st.Name()}, nil, nil
}
