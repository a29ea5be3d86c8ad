package cmd

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// profileFlags are the flags of the commands that use a stored login.
type profileFlags struct {
	profile          string
	clientSecretFile string
}

// register adds --profile and --client-secret-file (for commands that may
// refresh a profile that stored no secret at login; a stored one wins).
func (f *profileFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.profile, "profile", "", "profile name (env "+envProfile+", default "+DefaultProfile+")")
	fs.StringVar(&f.clientSecretFile, "client-secret-file", "", `read the client secret from this file, "-" for stdin, for a profile that stored none at login (env `+envClientSecret+` otherwise); a stored one always wins`)
}

// resolve returns the validated profile name and the client secret given
// for this run, if any.
func (f *profileFlags) resolve(d *Deps) (profile, secret string, err error) {
	profile = firstNonEmpty(f.profile, d.Getenv(envProfile), DefaultProfile)
	if err := validateProfile(profile); err != nil {
		return "", "", err
	}
	secret, err = readClientSecret(d, f.clientSecretFile)
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
	return usagef(fmt.Sprintf("run %q for usage", c.CommandPath()+" --help"), "--output must be %s, not %q", want, got)
}
