package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// ScopesOptions are the inputs of "kakao-auth scopes" and "scopes revoke".
type ScopesOptions struct {
	Profile      string
	ClientSecret string
	Output       string   // text or json
	Revoke       []string // scopes revoke: the consent items to withdraw
	Yes          bool     // scopes revoke: no confirmation prompt
}

// NewScopesCmd builds "kakao-auth scopes" and "scopes revoke". runF
// replaces the action of either in tests.
func NewScopesCmd(d *Deps, runF func(context.Context, *ScopesOptions) error) *cobra.Command {
	opts := &ScopesOptions{}
	var flags profileFlags
	run := func(c *cobra.Command, revoke bool) error {
		var err error
		if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
			return err
		}
		if revoke && len(opts.Revoke) == 0 {
			// Checked here, not in Args: the hint names the profile in use.
			return usagef("run "+suggest("scopes", opts.Profile)+" for the IDs", "name the consent items to withdraw, such as talk_message")
		}
		if err := checkOutput(c, opts.Output, "text", "json"); err != nil {
			return err
		}
		if runF != nil {
			return runF(c.Context(), opts)
		}
		if len(opts.Revoke) > 0 {
			return runRevokeScopes(c.Context(), d, opts)
		}
		return runScopes(c.Context(), d, opts)
	}
	c := &cobra.Command{
		Use:   "scopes",
		Short: "List the consent items the user agreed to, and withdraw them",
		Long: `List the user's consent items for the app (Kakao's GET /v2/user/scopes):
each item's ID, name, type (PRIVACY or SERVICE), whether the user agreed
to it, and whether that consent can be withdrawn (items the app sets as
required cannot). -o json prints Kakao's answer with all its fields.

"scopes revoke ID…" withdraws consent to those items (POST
/v2/user/revoke/scopes), all or none, after asking on a terminal (--yes
otherwise), and prints what remains; the profile's stored scopes follow.
A later login that asks for a withdrawn item shows the consent page again.`,
		Example: `  kakao-auth scopes
  kakao-auth scopes -o json
  kakao-auth scopes revoke talk_message
  kakao-auth scopes revoke --profile bot --yes account_email talk_message`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error { return run(c, false) },
	}
	flags.register(c.PersistentFlags())
	c.PersistentFlags().StringVarP(&opts.Output, "output", "o", "text", "text or json")
	completeOutput(c, "text", "json")

	revoke := &cobra.Command{
		Use:   "revoke ID...",
		Short: "Withdraw the user's consent to consent items",
		Long: `Withdraw the user's consent to the consent items named (their IDs, as
"kakao-auth scopes" lists them), all or none. Items set as required for
the app cannot be withdrawn. It asks first on a terminal; pass --yes
otherwise. The profile's stored scopes follow, and the consent that
remains is printed as "kakao-auth scopes" prints it.`,
		Example: `  kakao-auth scopes revoke talk_message
  kakao-auth scopes revoke --yes account_email talk_message`,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Revoke = slices.Compact(slices.Sorted(slices.Values(args)))
			return run(c, true)
		},
	}
	revoke.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "withdraw without asking")
	c.AddCommand(revoke)
	return c
}

func runScopes(ctx context.Context, d *Deps, o *ScopesOptions) error {
	u, err := openAPIUser(ctx, d, apiUserOptions{profile: o.Profile, secret: o.ClientSecret, minTTL: DefaultMinTTL})
	if err != nil {
		return err
	}
	items, err := u.api.Scopes(ctx)
	if err != nil {
		return scopesFailed(u, "list the consent items", err)
	}
	return writeScopes(d, o, items)
}

func runRevokeScopes(ctx context.Context, d *Deps, o *ScopesOptions) error {
	u, err := openAPIUser(ctx, d, apiUserOptions{profile: o.Profile, secret: o.ClientSecret, minTTL: DefaultMinTTL})
	if err != nil {
		return err
	}
	whose := "the login's user"
	if u.s != nil {
		whose = fmt.Sprintf("profile %q's user", o.Profile)
	}
	list, them := strings.Join(o.Revoke, ", "), "them"
	if len(o.Revoke) == 1 {
		them = "it"
	}
	if err := confirm(d, o.Yes, fmt.Sprintf("Withdraw %s's consent to %s? The app can no longer use %s until a login asks again.", whose, list, them),
		"withdrawing consent needs confirmation"); err != nil {
		return err
	}
	items, err := u.api.RevokeScopes(ctx, o.Revoke)
	if err != nil {
		return scopesFailed(u, "withdraw consent", err)
	}
	fmt.Fprintf(d.Stderr, "Withdrew consent to %s.\n", termtext.Line(list))
	if u.s != nil {
		if err := u.s.keepAgreedScopes(ctx, items); err != nil {
			return fmt.Errorf("consent was withdrawn at Kakao, but the profile's stored scopes were not updated: %w", err)
		}
	}
	return writeScopes(d, o, items)
}

// scopesFailed explains a failed consent call: Kakao's -2 (no such item,
// or not agreed to) and -3 (required) with what to do instead.
func scopesFailed(u *apiUser, what string, err error) error {
	var ae *kakao.APIError
	if errors.As(err, &ae) {
		switch ae.Code {
		case -2:
			return &hintedError{err: fmt.Errorf("%s: %w", what, err), hint: "run " + suggest("scopes", firstNonEmpty(u.profile, DefaultProfile)) + " for the IDs of the items the user agreed to"}
		case -3:
			return &hintedError{err: fmt.Errorf("%s: %w", what, err),
				hint: "items set as required for the app cannot be withdrawn (Kakao Developers console: [카카오 로그인] > [동의항목]); to withdraw every consent, unlink the app: run " + suggest("logout --unlink", firstNonEmpty(u.profile, DefaultProfile))}
		}
	}
	return u.explain(fmt.Errorf("%s: %w", what, err))
}

// keepAgreedScopes makes the stored record's scopes follow a revocation:
// the scopes Kakao now lists as not agreed to are dropped (openid, no
// consent item, stays). It goes through Update (lock, re-read, check it is
// still this login, save), so a refresh running meanwhile is neither
// undone nor lost, and a login made meanwhile is left alone.
func (s *stored) keepAgreedScopes(ctx context.Context, items *kakao.ConsentItems) error {
	withdrawn := map[string]bool{}
	for _, it := range items.Scopes {
		if !it.Agreed {
			withdrawn[it.ID] = true
		}
	}
	_, err := s.Update(ctx, func(rec *tokenstore.Record) error {
		rec.Scopes = slices.DeleteFunc(rec.Scopes, func(sc string) bool { return withdrawn[sc] })
		return nil
	})
	return s.explain(nil, err)
}

// writeScopes prints consent items: Kakao's JSON (indented, every field
// kept) or a table of Kakao's texts made safe for a terminal.
func writeScopes(d *Deps, o *ScopesOptions, items *kakao.ConsentItems) error {
	if o.Output == "json" {
		var out bytes.Buffer
		if err := json.Indent(&out, items.Raw, "", "  "); err != nil {
			return err
		}
		out.WriteString("\n")
		return writeDocument(d, out.Bytes())
	}
	rows := [][]string{{"ID", "NAME", "TYPE", "AGREED", "REVOCABLE"}}
	for _, it := range items.Scopes {
		revocable := "-" // Kakao says only of agreed items
		if it.Revocable != nil {
			revocable = yesNo(*it.Revocable)
		}
		rows = append(rows, []string{termtext.Line(it.ID), termtext.Line(it.DisplayName), termtext.Line(it.Type), yesNo(it.Agreed), revocable})
	}
	_, err := d.Stdout.Write([]byte(table(rows)))
	return err
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// table lays rows out in columns two spaces apart, by the width each cell
// takes on a terminal: Kakao's item names are Korean, two columns a
// character, which text/tabwriter counts as one.
func table(rows [][]string) string {
	var widths []int
	for _, row := range rows {
		for i, cell := range row {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			b.WriteString(cell)
			if i < len(row)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-displayWidth(cell)+2))
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}

// displayWidth is how many terminal columns s takes: two for the East
// Asian wide and fullwidth characters (Hangul, CJK, fullwidth forms), one
// for the rest. termtext has made control characters visible already.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		switch {
		case r >= 0x1100 && r <= 0x115f, // Hangul Jamo initials
			r >= 0x2e80 && r <= 0xa4cf && r != 0x303f,              // CJK radicals … Yi
			r >= 0xac00 && r <= 0xd7a3,                             // Hangul syllables
			r >= 0xf900 && r <= 0xfaff,                             // CJK compatibility ideographs
			r >= 0xfe30 && r <= 0xfe4f,                             // CJK compatibility forms
			r >= 0xff00 && r <= 0xff60, r >= 0xffe0 && r <= 0xffe6, // fullwidth forms
			r >= 0x20000 && r <= 0x3fffd: // CJK extensions
			w += 2
		default:
			w++
		}
	}
	return w
}
