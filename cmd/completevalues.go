package cmd

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// consentItemIDs are consent-item ids a login can ask for, for completing
// --scope: those of Kakao's console ([카카오 로그인] > [동의항목]; see
// https://developers.kakao.com/docs/latest/en/kakaologin/prerequisite,
// "Consent items"), plus openid. The scope parameter takes any id the
// app's console lists (https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api,
// "인가 코드 받기"); this is only what is offered.
var consentItemIDs = []string{
	"account_email", "age_range", "birthday", "birthyear", "friends", "gender",
	"name", "openid", "phone_number", "plusfriends", "profile_image",
	"profile_nickname", "talk_calendar", "talk_chats", "talk_message",
}

// registerValueCompletions completes --scope, --redirect-uri and the ids
// of "scopes revoke" on c: never file names. What is stored comes from the
// profile notes alone, which need no keyring and no network.
func registerValueCompletions(c *cobra.Command, d *Deps) {
	if c.Flags().Lookup("scope") != nil {
		_ = c.RegisterFlagCompletionFunc("scope", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			app := notedApp(c, d, completionProfile(c, d))
			var stored []string
			if app != nil {
				stored = app.Scopes
			}
			items := dedupe(append(slices.Clone(consentItemIDs), stored...))
			slices.Sort(items)
			return completeList(toComplete, items), cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Flags().Lookup("redirect-uri") != nil {
		_ = c.RegisterFlagCompletionFunc("redirect-uri", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, u := range redirectURIChoices(c, d) {
				if strings.HasPrefix(u, toComplete) {
					out = append(out, u)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		})
	}
	if c.Name() == "revoke" && c.Parent() != nil && c.Parent().Name() == "scopes" {
		c.ValidArgsFunction = func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			app := notedApp(c, d, completionProfile(c, d))
			if app == nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			items := dedupe(app.Scopes)
			slices.Sort(items)
			var out []string
			for _, s := range items {
				if !slices.Contains(args, s) && strings.HasPrefix(s, toComplete) {
					out = append(out, s)
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		}
	}
}

// completionProfile is the profile a command line being completed names:
// --profile, else the environment, else the default.
func completionProfile(c *cobra.Command, d *Deps) string {
	p := ""
	if f := c.Flags().Lookup("profile"); f != nil {
		p = f.Value.String()
	}
	return firstNonEmpty(p, d.Getenv(envProfile), DefaultProfile)
}

// notedApp is the app noted with profile; nil when there is none or it
// cannot be read.
func notedApp(_ *cobra.Command, d *Deps, profile string) *tokenstore.App {
	paths, err := d.Paths()
	if err != nil || validateProfile(profile) != nil {
		return nil
	}
	app, err := tokenstore.Profiles{Dir: paths.ProfilesDir()}.App(profile)
	if err != nil {
		return nil
	}
	return app
}

// redirectURIChoices are the redirect URIs to offer: the profile's, the
// default, then those of the other stored profiles, each once.
func redirectURIChoices(c *cobra.Command, d *Deps) []string {
	profile := completionProfile(c, d)
	var out []string
	if app := notedApp(c, d, profile); app != nil && app.RedirectURI != "" {
		out = append(out, app.RedirectURI)
	}
	out = append(out, DefaultRedirectURI)
	for _, p := range storedProfiles(d) {
		if app := notedApp(c, d, p); p != profile && app != nil && app.RedirectURI != "" {
			out = append(out, app.RedirectURI)
		}
	}
	return dedupe(out)
}

// completeList completes the last item of a comma-separated list: the
// items given so far stay in front, and are not offered again.
func completeList(toComplete string, items []string) []string {
	given, last := cutLast(toComplete, ",")
	prefix := ""
	if given != "" {
		prefix = given + ","
	}
	done := strings.Split(given, ",")
	var out []string
	for _, it := range items {
		if !slices.Contains(done, it) && strings.HasPrefix(it, last) {
			out = append(out, prefix+it)
		}
	}
	return out
}

// cutLast splits s around the last sep: ("a,b,c", ",") is "a,b" and "c";
// with no sep, "" and s.
func cutLast(s, sep string) (before, after string) {
	i := strings.LastIndex(s, sep)
	if i < 0 {
		return "", s
	}
	return s[:i], s[i+len(sep):]
}

// dedupe is in without empty items and repeats, in the order first seen.
func dedupe(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
