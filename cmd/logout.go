package cmd

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

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
	paths, err := d.Paths()
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
			rec, err = s.store.Load(ctx, o.Profile)
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
	unlock, err := lockProfile(ctx, d, paths, o.Profile)
	if err != nil {
		return err
	}
	defer unlock()
	removed, unchecked, err := clearProfile(ctx, d, paths, o.Profile, o.Forget)
	var nothing *nothingStoredError
	if errors.As(err, &nothing) {
		// Already logged out: done, like rm -f.
		switch {
		case nothing.forgotten:
			fmt.Fprintf(d.Stderr, "Profile %q was logged out already; forgot its app settings.\n", o.Profile)
		case nothing.known:
			fmt.Fprintf(d.Stderr, "Nothing to log out: profile %q is logged out already (its app settings are kept; --forget forgets them).\n", o.Profile)
		default:
			fmt.Fprintf(d.Stderr, "Nothing to log out: profile %q holds no login on this machine.\n", o.Profile)
		}
		return nil
	}
	if err != nil {
		return withLogoutStoreHint(err, o.Profile)
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

// clearProfile removes every record of profile and returns where it
// removed records from. The profile's note then says that nothing is
// stored (BackendNone) and keeps the app, for the next login (a profile
// logged out stays known); with forget, or when no app is known, the note
// goes too. The caller holds the profile's lock. It
// looks in the store the note names, in the file store (local, so always
// safe to look in) and, without a readable note, in the keyring too: a
// crash between two writes of a login (see saveLogin) leaves nothing
// behind that logout cannot find. A profile with neither a note nor a
// record has nothing to log out: a *nothingStoredError.
//
// unchecked is why the keyring could not be looked in, when there is
// reason to think it holds the profile: a note that cannot be read. With
// no note at all there is none (saveLogin notes the keyring before it
// stores there), so a keyring that cannot be asked then is no news.
func clearProfile(ctx context.Context, d *Deps, paths tokenstore.Paths, profile string, forget bool) (removed []string, unchecked error, err error) {
	notes := tokenstore.Profiles{Dir: paths.ProfilesDir()}
	noted, noteErr := notes.Backend(profile)
	// The app kept: the note's, else that of a record found below; none
	// when the note cannot be read (or is refused): it goes, as before.
	var app *tokenstore.App
	if noteErr == nil {
		app, _ = notes.App(profile)
	}
	names := []string{tokenstore.BackendFile}
	if noteErr == nil {
		names = []string{noted, tokenstore.BackendFile}
	} else {
		names = append(names, tokenstore.BackendKeyring)
	}
	for i, name := range names {
		if name == tokenstore.BackendNone || slices.Contains(names[:i], name) {
			continue
		}
		store, err := d.OpenStore(name, paths)
		if err != nil {
			return removed, unchecked, err
		}
		rec, err := store.Load(ctx, profile)
		if err == nil && app == nil && noteErr == nil {
			a := rec.App()
			app = &a
		}
		var ue *tokenstore.UnavailableError
		switch {
		case errors.Is(err, tokenstore.ErrNotFound):
			continue
		case errors.As(err, &ue) && (noteErr != nil || name != noted):
			// Only looked in just in case, and cannot be looked in.
			if !errors.Is(noteErr, tokenstore.ErrNotFound) {
				unchecked = err
			}
			continue
		}
		// Whatever is there goes, readable or not: a refused or damaged
		// record too, so that logout is the way out of those.
		if err := store.Delete(ctx, profile); err != nil {
			return removed, unchecked, fmt.Errorf("remove profile %q from the %s store: %w", profile, name, err)
		}
		removed = append(removed, describeStore(name, paths, profile))
	}
	loggedOut := noteErr == nil && noted == tokenstore.BackendNone
	if forget || app == nil || app.ClientID == "" {
		if err := notes.Remove(profile); err != nil {
			return removed, unchecked, fmt.Errorf("forget profile %q: %w", profile, err)
		}
	} else if err := notes.SetLogin(profile, tokenstore.BackendNone, *app); err != nil {
		return removed, unchecked, fmt.Errorf("record profile %q as logged out: %w", profile, err)
	}
	if len(removed) == 0 && (errors.Is(noteErr, tokenstore.ErrNotFound) || loggedOut) {
		return nil, nil, &nothingStoredError{profile: profile, known: loggedOut && !forget, forgotten: loggedOut && forget}
	}
	return removed, unchecked, nil
}

// nothingStoredError is a profile with no record, and no note or one that
// says it is logged out: there is nothing to log out. known says that the
// profile's app is kept; forgotten that it was just forgotten (--forget).
type nothingStoredError struct {
	profile          string
	known, forgotten bool
}

func (e *nothingStoredError) Error() string {
	return fmt.Sprintf("profile %q holds no login", e.profile)
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
