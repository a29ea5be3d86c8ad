package cmd

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// appFlags are the settings that name a Kakao app and where its servers are.
type appFlags struct {
	clientID         string
	clientSecretFile string
	redirectURIs     []string
	authURL          string
	apiURL           string
	profile          string
	allowInsecure    bool
}

func (f *appFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.clientID, "client-id", "", "the app's REST API key (env "+envClientID+")")
	addClientSecretFileFlag(fs, &f.clientSecretFile)
	fs.StringArrayVar(&f.redirectURIs, "redirect-uri", nil, "a registered redirect URI; repeat to try several ports (env "+envRedirectURI+", comma- or space-separated; default "+DefaultRedirectURI+")")
	fs.StringVar(&f.authURL, "auth-url", "", "Kakao auth server base URL (env "+envAuthURL+", default "+kakao.DefaultAuthURL+")")
	fs.StringVar(&f.apiURL, "api-url", "", "Kakao API server base URL (env "+envAPIURL+", default "+kakao.DefaultAPIURL+")")
	addProfileFlag(fs, &f.profile)
	fs.BoolVar(&f.allowInsecure, flagAllowInsecureHTTP, false, "allow http:// auth and API servers that are not on this machine; secrets then cross the network in the clear (env "+envAllowInsecureHTTP+"=1)")
}

// addProfileFlag adds --profile, the one definition of it.
func addProfileFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "profile", "", "profile name (env "+envProfile+", default "+DefaultProfile+")")
}

// addClientSecretFileFlag adds --client-secret-file, the one definition of
// it. There is no flag holding the secret itself: argv is visible to other
// users.
func addClientSecretFileFlag(fs *pflag.FlagSet, p *string) {
	fs.StringVar(p, "client-secret-file", "", `read the client secret from this file, "-" for stdin, instead of `+envClientSecret+`; a profile refreshes with the one stored at its login`)
}

// profileFlags are the flags of the commands that use a stored login.
type profileFlags struct {
	profile          string
	clientSecretFile string
}

// register adds --profile and --client-secret-file (for commands that may
// refresh a profile that stored no secret at login; a stored one wins).
func (f *profileFlags) register(fs *pflag.FlagSet) {
	addProfileFlag(fs, &f.profile)
	addClientSecretFileFlag(fs, &f.clientSecretFile)
}

// resolve returns the validated profile name and the client secret given
// for this run, if any. A refused name is returned with its error, for a
// caller that reports it (status -o json).
func (f *profileFlags) resolve(ctx context.Context, d *Deps) (profile, secret string, err error) {
	profile = firstNonEmpty(f.profile, d.Getenv(envProfile), DefaultProfile)
	if err := validateProfile(profile); err != nil {
		return profile, "", err
	}
	secret, err = readClientSecret(ctx, d, f.clientSecretFile)
	return profile, secret, err
}

// refuseSecretOnScreen refuses to print a refresh token where others may
// see it, a terminal, unless --yes said that is fine.
func refuseSecretOnScreen(d *Deps, yes bool, what string) error {
	if !d.StdoutIsTerminal || yes {
		return nil
	}
	return usagef("pipe the output into a file or your secret store, or pass --yes to print it here anyway", "refusing to print %s to a terminal", what)
}

// checkOutput refuses an --output value the command does not know.
func checkOutput(c *cobra.Command, got string, allowed ...string) error {
	if slices.Contains(allowed, got) {
		return nil
	}
	want := strings.Join(allowed, " or ")
	if len(allowed) > 2 {
		want = "one of " + strings.Join(allowed, ", ")
	}
	return usagef(usageHint(c), "--output must be %s, not %q", want, got)
}

// completeOutput completes --output with the values c accepts.
func completeOutput(c *cobra.Command, values ...string) {
	_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// kakaoAccessTokenLife is how long the access tokens of a REST API key
// live: 6 hours, expires_in 21599 ("토큰 정보",
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token).
const kakaoAccessTokenLife = 6 * time.Hour

// checkMinTTL refuses a --min-ttl that can never work, before anything
// is read or sent: a negative one, and one no access token of Kakao's can
// meet, with which every run would refresh in vain (and a loop of runs
// meet Kakao's rate limit). A shorter one that this login's server still
// cannot meet (an emulator's --access-ttl) is known only after a refresh:
// token and api warn, exec refuses to run its command.
func checkMinTTL(hint string, minTTL time.Duration) error {
	switch {
	case minTTL < 0:
		return usagef(hint, "--min-ttl must not be negative")
	case minTTL >= kakaoAccessTokenLife:
		return usagef("ask for less, such as --min-ttl 1h (the default is "+human(DefaultMinTTL)+")",
			"--min-ttl %s is not less than the %s Kakao's access tokens live: no token can meet it, so every run would refresh", human(minTTL), human(kakaoAccessTokenLife))
	}
	return nil
}

// fileFlags are the flags whose value names a file. An empty one (a
// "--state-file $STATE" with STATE unset) names none, and is refused rather
// than taken for the flag left out, which would go on without the file
// and without a word: an emulator that keeps nothing across restarts, a
// rotated refresh token not written, a request sent with no body.
var fileFlags = []string{"client-secret-file", "input", "rotated-refresh-token-file", "state-file", "users"}

// noEmptyFileFlag is the root's check, before any command runs, that no
// flag of fileFlags was given an empty value.
func noEmptyFileFlag(c *cobra.Command, _ []string) error {
	for _, name := range fileFlags {
		if f := c.Flags().Lookup(name); f != nil && f.Changed && f.Value.String() == "" {
			return usagef("give it a file name, or leave the flag out", "--%s is empty (an unset variable?)", name)
		}
	}
	return nil
}
