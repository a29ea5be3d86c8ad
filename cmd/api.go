package cmd

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// APIOptions are the inputs of "kakao-auth api".
type APIOptions struct {
	Profile      string
	ClientSecret string
	MinTTL       time.Duration
	// Path is PATH as given: "/v2/user/me" ("v2/user/me" is the same), or a
	// URL on the API server.
	Path string
	// Method is -X; "" means GET, or POST when fields or --input are given.
	Method       string
	StringFields []string // -f key=value
	TypedFields  []string // -F key=value
	Headers      []string // -H "Name: value"
	Input        string   // --input: a file with the raw body, "-" for stdin
	Include      bool     // -i: the status line and headers first
	Silent       bool     // print no answer
	JQ           string   // --jq: filter a JSON answer
	RotatedFile  string   // env-only mode: where a rotated refresh token goes
}

// NewAPICmd builds "kakao-auth api". runF replaces the action in tests.
func NewAPICmd(d *Deps, runF func(context.Context, *APIOptions) error) *cobra.Command {
	opts := &APIOptions{}
	var flags profileFlags
	c := &cobra.Command{
		Use:   "api PATH",
		Short: "Call Kakao's API with the profile's access token",
		Long: `Call Kakao's API (the login's API server + PATH) with the profile's access
token, refreshed first when it has less than --min-ttl left, and print the
answer's body on stdout, as gh api does for GitHub.

The method is GET, or POST when fields or --input are given (-X sets it).
Fields go in the query of a GET and in a form body
(application/x-www-form-urlencoded) otherwise, which is what Kakao's API
reads; a JSON parameter such as template_object is a JSON text in a field.
-f key=value sends value as written; -F key=value reads @file (or @- for
stdin) as the value, sends null as an empty value, and true, false and
numbers as written. --input sends a file as the raw body instead (as a form
unless -H "Content-Type: …" says otherwise; fields then go in the query).

When Kakao refuses the access token (-401), it is refreshed once and the
request made once more. Any other error answer exits 1: Kakao's JSON goes
to stdout and a summary with a hint to stderr; for missing consent (-402)
the hint is the login command that asks for it. The stored tokens are kept.

The access token goes to the login's API server only: PATH is a path on
it ("/v2/user/me"; "v2/user/me" is the same) or a URL on it; any other
host is refused. -i prints the status line and the answer's headers (never
the request's). On a terminal, JSON is indented and control characters are
shown as escapes; elsewhere the body is written exactly as it came.

Env-only mode works as for "token": with KAKAO_REFRESH_TOKEN and
KAKAO_CLIENT_ID set, api refreshes with them and touches no store.`,
		Example: `  kakao-auth api /v2/user/me
  kakao-auth api /v2/user/me --jq .kakao_account.profile.nickname

  # KakaoTalk "send to me": template_object is a JSON text in a form field
  kakao-auth api -X POST /v2/api/talk/memo/default/send -F template_object=@memo.json

  # Consent items, only some of them: fields make a POST unless -X says GET
  kakao-auth api -X GET /v2/user/scopes -f 'scopes=["talk_message"]'`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef(apiUsageHint, "api takes one PATH, such as /v2/user/me (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			opts.Path = args[0]
			var err error
			if err := checkMinTTL(apiUsageHint, opts.MinTTL); err != nil {
				return err
			}
			if opts.stdinReaders(flags.clientSecretFile) > 1 {
				return usagef("read at most one of --input, -F key=@- and --client-secret-file from stdin", "stdin can be read only once")
			}
			if opts.RotatedFile != "" && d.Getenv(envRefreshToken) == "" {
				return usagef("it applies to env-only mode, with "+envRefreshToken+" set; stored profiles keep rotated tokens themselves", "--rotated-refresh-token-file needs %s", envRefreshToken)
			}
			if _, err := compileJQ(opts.JQ); err != nil {
				return err
			}
			if opts.Profile, opts.ClientSecret, err = flags.resolve(c.Context(), d); err != nil {
				return err
			}
			if runF != nil {
				return runF(c.Context(), opts)
			}
			return runAPI(c.Context(), d, opts)
		},
	}
	fs := c.Flags()
	flags.register(fs)
	fs.DurationVar(&opts.MinTTL, "min-ttl", DefaultMinTTL, "refresh first when the access token has less than this left")
	fs.StringVarP(&opts.Method, "method", "X", "", "the HTTP method (default GET, or POST with fields or --input)")
	fs.StringArrayVarP(&opts.StringFields, "raw-field", "f", nil, "add a field key=value, the value as written; repeatable")
	fs.StringArrayVarP(&opts.TypedFields, "field", "F", nil, "add a field key=value: @file or @- reads the value, null is empty; repeatable")
	fs.StringArrayVarP(&opts.Headers, "header", "H", nil, `add a request header "Name: value"; repeatable`)
	fs.StringVar(&opts.Input, "input", "", `send this file as the body, "-" for stdin`)
	fs.BoolVarP(&opts.Include, "include", "i", false, "print the status line and the answer's headers before the body")
	fs.BoolVar(&opts.Silent, "silent", false, "print no answer on stdout")
	fs.StringVarP(&opts.JQ, "jq", "q", "", "filter a JSON answer with a jq expression (gojq); strings print as plain text")
	fs.StringVar(&opts.RotatedFile, "rotated-refresh-token-file", "", "env-only mode: write a rotated refresh token to this file (mode 0600)")
	return c
}

func runAPI(ctx context.Context, d *Deps, o *APIOptions) error {
	jq, err := compileJQ(o.JQ)
	if err != nil {
		return err
	}
	u, err := openAPIUser(ctx, d, apiUserOptions{profile: o.Profile, secret: o.ClientSecret, minTTL: o.MinTTL, rotated: o.RotatedFile})
	if err != nil {
		return err
	}
	req, err := buildAPIRequest(ctx, d, o, u.base)
	if err != nil {
		return err
	}
	resp, err := u.api.Do(ctx, req.method, req.path, req.header, req.body)
	u.warnMinTTLUnmet(d, o.MinTTL)
	if err != nil {
		return u.explain(err)
	}
	if err := writeAPIAnswer(ctx, d, o, resp, jq); err != nil {
		return err
	}
	if err := resp.Err(); err != nil {
		endpoint, _, _ := strings.Cut(req.path, "?")
		if resp.StatusCode == http.StatusNotFound && !errors.As(err, new(*kakao.APIError)) {
			// The path is the user's: a 404 without Kakao's {"msg","code"}
			// says it is mistyped, as gh api says, not that the server is
			// wrong or unwell.
			return &hintedError{err: fmt.Errorf("%s %s: not found (HTTP 404)", req.method, endpoint),
				hint: fmt.Sprintf("check the path: the API server %s has nothing at %s (Kakao's paths: https://developers.kakao.com/docs/latest/ko/rest-api/reference)", u.base, endpoint)}
		}
		return u.explain(fmt.Errorf("%s %s: %w", req.method, endpoint, err))
	}
	return nil
}
