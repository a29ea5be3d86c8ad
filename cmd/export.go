package cmd

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// ExportOptions are the inputs of "kakao-auth export".
type ExportOptions struct {
	Profile       string
	Output        string // env, dotenv or json (--output, or its old name --format)
	Yes           bool   // print to a terminal anyway
	IncludeSecret bool   // also print the stored client secret
}

// exportOutputs are the --output (or --format) values of "export".
var exportOutputs = []string{"env", "dotenv", "json"}

// exportJSON is the --output json shape of "export": the login's tokens
// with the refresh token (no access token: CI gets its own from it), the
// client id, and the client secret with --include-secret.
type exportJSON struct {
	tokenJSON
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret,omitempty"`
	// The servers, when they are not Kakao's, and the login's opt-in to
	// http:// ones off this machine.
	AuthURL           string `json:"auth_url,omitempty"`
	APIURL            string `json:"api_url,omitempty"`
	AllowInsecureHTTP bool   `json:"allow_insecure_http,omitempty"`
}

// NewExportCmd builds "kakao-auth export". runF replaces the action in
// tests.
func NewExportCmd(d *Deps, runF func(context.Context, *ExportOptions) error) *cobra.Command {
	opts := &ExportOptions{}
	var profile, format string
	c := &cobra.Command{
		Use:   "export",
		Short: "Print the profile's client id and refresh token for a CI secret store",
		Long: `Print the profile's client id and refresh token, to paste into a CI secret
store for env-only mode (KAKAO_CLIENT_ID, KAKAO_REFRESH_TOKEN). The client
secret is printed too with --include-secret.

A refresh token on screen is a secret on screen: export refuses to write to a
terminal without --yes. Pipe it into your secret store instead.

When the profile's servers are not Kakao's (an emulator, a proxy),
KAKAO_AUTH_URL and KAKAO_API_URL are printed too (and
KAKAO_AUTH_ALLOW_INSECURE_HTTP=1 when the login allowed http:// servers off
its machine): the token works only there.

-o dotenv prints KEY='value' lines, or KEY="value" with \ " $ and the
backquote escaped for a value with a single quote; -o env prints the same
lines with "export " in front, for eval "$(kakao-auth export)" in a shell
whose child processes must see them. sh (eval, ".") and .env parsers (gh
secret set --env-file) read both back exactly, running nothing. A value they could not all read back exactly (a
NUL, CR LF, a trailing backslash, or a single quote with a trailing double
quote) is refused; -o json carries any value, in the JSON shape every
command shares (see the README's "JSON output"). --format is the old name
of --output.`,
		Example: `  # GitHub Actions secrets, straight from the pipe
  kakao-auth export -o dotenv | gh secret set --env-file -

  # This shell and the commands it runs
  eval "$(kakao-auth export)"

  # The same as JSON, for a secret manager that takes it
  kakao-auth export -o json > kakao-secret.json`,
		Args: noArgs,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Profile = firstNonEmpty(profile, d.Getenv(envProfile), DefaultProfile)
			if err := validateProfile(opts.Profile); err != nil {
				return err
			}
			if c.Flags().Changed("output") && c.Flags().Changed("format") && opts.Output != format {
				return usagef("--format is the old name of --output; give one of them", "--output %q and --format %q disagree", opts.Output, format)
			}
			if c.Flags().Changed("format") {
				// Through the flag: -o's value is what the exit point
				// reads to print a failure as JSON.
				if err := c.Flags().Set("output", format); err != nil {
					return err
				}
			}
			if err := checkOutput(c, opts.Output, exportOutputs...); err != nil {
				return err
			}
			if err := refuseSecretOnScreen(d, opts.Yes, "a refresh token"); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runExport(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	addProfileFlag(fs, &profile)
	fs.StringVarP(&opts.Output, "output", "o", "env", "env (export KEY='value' lines, for eval in sh), dotenv (KEY='value' lines, for .env parsers) or json")
	fs.StringVar(&format, "format", "env", "the old name of --output")
	completeOutput(c, exportOutputs...)
	fs.BoolVarP(&opts.Yes, "yes", "y", false, "print even when stdout is a terminal")
	fs.BoolVar(&opts.IncludeSecret, "include-secret", false, "also print KAKAO_CLIENT_SECRET when one is stored")
	return c
}

func runExport(ctx context.Context, d *Deps, o *ExportOptions) error {
	s, err := openStored(d, o.Profile)
	if err != nil {
		return err
	}
	rec, err := s.load(ctx)
	if err != nil {
		return err
	}
	if rec.RefreshToken == "" {
		return &loginRequiredError{profile: o.Profile, reason: "no refresh token is stored"}
	}
	now := d.Now()
	if !rec.RefreshExpiry.IsZero() {
		if !now.Before(rec.RefreshExpiry) {
			return &loginRequiredError{profile: o.Profile, reason: "the refresh token expired on " + rfc3339(rec.RefreshExpiry)}
		}
		fmt.Fprintf(d.Stderr, "The refresh token expires %s (in %s).", rfc3339(rec.RefreshExpiry), human(rec.RefreshExpiry.Sub(now)))
		if rec.RefreshExpiry.Sub(now) < rotationWindow {
			fmt.Fprint(d.Stderr, " It is inside Kakao's rotation window: the first refresh in CI will replace it, so save the rotated one there (--rotated-refresh-token-file or --output github-output).")
		}
		fmt.Fprintln(d.Stderr)
	}
	if rec.ClientSecret != "" && !o.IncludeSecret {
		fmt.Fprintln(d.Stderr, "The app uses a client secret: set KAKAO_CLIENT_SECRET in CI too (add --include-secret to print it).")
	}
	pairs := [][2]string{{envClientID, rec.ClientID}, {envRefreshToken, rec.RefreshToken}}
	if o.IncludeSecret && rec.ClientSecret != "" {
		pairs = append(pairs, [2]string{envClientSecret, rec.ClientSecret})
	}
	// The token works only at the servers that issued it: CI, whose
	// defaults are Kakao's, must be told of an emulator or a proxy.
	servers := exportServers(rec)
	pairs = append(pairs, servers...)
	secrets := []string{rec.RefreshToken}
	if o.IncludeSecret {
		secrets = append(secrets, rec.ClientSecret)
	}
	if err := maskSecrets(d, secrets...); err != nil {
		return err
	}
	if o.Output == "json" {
		out := exportJSON{tokenJSON: newTokenJSON(o.Profile, rec, tokenValues{refresh: true}), ClientID: rec.ClientID}
		for _, p := range servers {
			switch p[0] {
			case envAuthURL:
				out.AuthURL = p[1]
			case envAPIURL:
				out.APIURL = p[1]
			case envAllowInsecureHTTP:
				out.AllowInsecureHTTP = true
			}
		}
		if o.IncludeSecret {
			out.ClientSecret = rec.ClientSecret
		}
		return writeJSON(d, out)
	}
	// -o env is for eval in a shell, whose children must see the values;
	// -o dotenv is for .env readers.
	prefix := "export "
	if o.Output == "dotenv" {
		prefix = ""
	}
	var b strings.Builder
	for _, p := range pairs {
		q, err := envQuote(p[0], p[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s%s=%s\n", prefix, p[0], q)
	}
	_, err = fmt.Fprint(d.Stdout, b.String())
	return err
}

// exportServers are the variables that point CI at rec's servers when they
// are not Kakao's (an emulator, a proxy), with the opt-in to http:// ones
// off this machine that the login had; none for a login to Kakao.
func exportServers(rec *tokenstore.Record) [][2]string {
	var pairs [][2]string
	if u := baseURL(rec.AuthURL); u != "" && u != kakao.DefaultAuthURL {
		pairs = append(pairs, [2]string{envAuthURL, u})
	}
	if u := baseURL(rec.APIURL); u != "" && u != kakao.DefaultAPIURL {
		pairs = append(pairs, [2]string{envAPIURL, u})
	}
	if rec.AllowInsecureHTTP && len(pairs) > 0 {
		pairs = append(pairs, [2]string{envAllowInsecureHTTP, "1"})
	}
	return pairs
}

// envQuote quotes value for an env file that is read three ways: eval and
// "." in sh, and godotenv v1.5 (the parser of "gh secret set --env-file").
// A value without a single quote goes in single quotes, where none of them
// expands, unescapes or runs anything. A value with one goes in double
// quotes with \, ", $ and ` backslash-escaped, which all three read back
// exactly too. What no quoting carries to all three is refused whole,
// naming the variable but not the value (export_test.go shows each case
// failing with the real readers):
//   - a NUL, which a sh variable cannot hold;
//   - CR LF, which godotenv reads as LF before it parses anything;
//   - a trailing backslash: godotenv takes the closing quote after it for
//     an escaped one and reads on;
//   - a double quote at the end of a value that has a single quote:
//     godotenv drops every double quote before the closing one.
func envQuote(name, value string) (string, error) {
	var why string
	switch {
	case strings.ContainsRune(value, 0):
		why = "a NUL character, which sh cannot hold"
	case strings.Contains(value, "\r\n"):
		why = "CR LF, which .env parsers read as LF"
	case strings.HasSuffix(value, `\`):
		why = "a trailing backslash, which .env parsers take as escaping the closing quote"
	case !strings.Contains(value, "'"):
		return envSingleQuoted(value), nil
	case strings.HasSuffix(value, `"`):
		why = "a single quote and a trailing double quote, which .env parsers drop"
	default:
		return envDoubleQuoted(value), nil
	}
	return "", &hintedError{
		err:  fmt.Errorf("the value of %s has %s: an env file cannot carry it exactly to both sh and .env parsers; nothing was printed", name, why),
		hint: "use -o json, which carries any value exactly",
	}
}

func envSingleQuoted(value string) string { return "'" + value + "'" }

// envDoubleQuoted escapes what sh and godotenv both unescape in double
// quotes: nothing else there is special to sh, and godotenv expands only
// an unescaped $ (and \n, \r, which the escaped backslash keeps as text).
func envDoubleQuoted(value string) string {
	return `"` + envDoubleQuoteEscaper.Replace(value) + `"`
}

var envDoubleQuoteEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`, "`", "\\`")
