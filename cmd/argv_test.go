package cmd

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/authflow"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// argvCase is one command line and the options it must give, or a usage
// error, checked through a command's runF seam (nothing runs).
type argvCase[O any] struct {
	name      string
	args      []string
	env       map[string]string
	stdin     string
	terminal  bool // stdin and stdout are terminals
	want      O
	wantUsage bool
}

// checkArgv runs each case through the command newCmd builds and compares
// the options runF receives.
func checkArgv[O any](t *testing.T, newCmd func(*Deps, func(context.Context, *O) error) *cobra.Command, cases []argvCase[O]) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := testDeps(tt.env, tt.stdin)
			d.StdinIsTerminal, d.StdoutIsTerminal = tt.terminal, tt.terminal
			var got *O
			c := newCmd(d, func(_ context.Context, o *O) error { got = o; return nil })
			c.SetArgs(tt.args)
			c.SetOut(d.Stderr)
			c.SetErr(d.Stderr)
			err := c.Execute()
			if tt.wantUsage {
				if exitCode(err) != ExitUsage {
					t.Fatalf("Execute() = %v, want a usage error", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("Execute() = %v", err)
			}
			if diff := cmp.Diff(tt.want, *got); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewTokenCmd(t *testing.T) {
	checkArgv(t, NewTokenCmd, []argvCase[TokenOptions]{
		{name: "defaults", want: TokenOptions{Profile: "default", MinTTL: DefaultMinTTL, Output: "text"}},
		{name: "environment", env: map[string]string{envProfile: "bot", envClientSecret: "s3cret"},
			want: TokenOptions{Profile: "bot", MinTTL: DefaultMinTTL, Output: "text", ClientSecret: "s3cret"}},
		{name: "flags", args: []string{"--profile", "work", "--min-ttl", "1h", "--force-refresh", "-o", "json", "--id-token", "--client-secret-file", "-"}, stdin: "from-stdin\n",
			want: TokenOptions{Profile: "work", MinTTL: time.Hour, ForceRefresh: true, Output: "json", IDToken: true, ClientSecret: "from-stdin"}},
		{name: "env-only rotation file", args: []string{"--rotated-refresh-token-file", "rt.txt", "-o", "github-output"}, env: map[string]string{envRefreshToken: "rt", envClientID: "k"},
			want: TokenOptions{Profile: "default", MinTTL: DefaultMinTTL, Output: "github-output", RotatedFile: "rt.txt"}},
		{name: "unknown output", args: []string{"-o", "yaml"}, wantUsage: true},
		{name: "bad profile name", args: []string{"--profile", "a..b"}, wantUsage: true},
		{name: "rotation file without env-only mode", args: []string{"--rotated-refresh-token-file", "rt.txt"}, wantUsage: true},
	})
}

func TestNewRefreshCmd(t *testing.T) {
	checkArgv(t, NewRefreshCmd, []argvCase[RefreshOptions]{
		{name: "defaults", want: RefreshOptions{Profile: "default"}},
		{name: "flags", args: []string{"--profile", "bot", "-o", "json"}, want: RefreshOptions{Profile: "bot", Output: "json"}},
		{name: "unknown output", args: []string{"-o", "table"}, wantUsage: true},
	})
}

func TestNewStatusCmd(t *testing.T) {
	checkArgv(t, NewStatusCmd, []argvCase[StatusOptions]{
		{name: "defaults", want: StatusOptions{Profile: "default", Output: "text"}},
		{name: "all as json", args: []string{"--all", "-o", "json"}, want: StatusOptions{Profile: "default", Output: "json", All: true}},
		{name: "tokens shown off a terminal", args: []string{"--show-token"}, want: StatusOptions{Profile: "default", Output: "text", ShowToken: true}},
		{name: "tokens on a terminal need --yes", args: []string{"--show-token"}, terminal: true, wantUsage: true},
		{name: "tokens on a terminal with --yes", args: []string{"--show-token", "--yes"}, terminal: true, want: StatusOptions{Profile: "default", Output: "text", ShowToken: true, Yes: true}},
		{name: "all with a profile", args: []string{"--all", "--profile", "bot"}, wantUsage: true},
	})
}

func TestNewLogoutCmd(t *testing.T) {
	const wait = authflow.DefaultTimeout
	checkArgv(t, NewLogoutCmd, []argvCase[LogoutOptions]{
		{name: "defaults", want: LogoutOptions{Profile: "default", Timeout: wait}},
		{name: "revoke with force", args: []string{"--revoke", "--force", "--profile", "bot"}, want: LogoutOptions{Profile: "bot", Revoke: true, Force: true, Timeout: wait}},
		{name: "unlink with yes", args: []string{"--unlink", "--yes"}, want: LogoutOptions{Profile: "default", Unlink: true, Yes: true, Timeout: wait}},
		{name: "unlink asks on a terminal", args: []string{"--unlink"}, terminal: true, want: LogoutOptions{Profile: "default", Unlink: true, Timeout: wait}},
		{name: "revoke and unlink", args: []string{"--revoke", "--unlink"}, wantUsage: true},
		{name: "kakao account", args: []string{"--kakao-account"},
			want: LogoutOptions{Profile: "default", KakaoAccount: true, LogoutRedirectURI: DefaultLogoutRedirectURI, Timeout: wait}},
		{name: "kakao account, URI from the environment", args: []string{"--kakao-account", "--revoke"}, env: map[string]string{envLogoutRedirectURI: "http://127.0.0.1:9000/bye"},
			want: LogoutOptions{Profile: "default", Revoke: true, KakaoAccount: true, LogoutRedirectURI: "http://127.0.0.1:9000/bye", Timeout: wait}},
		{name: "kakao account, flags win", args: []string{"--kakao-account", "--unlink", "--yes", "--logout-redirect-uri", "http://[::1]:9001/out", "--timeout", "1m", "--browser-command", "firefox -P work"},
			env:  map[string]string{envLogoutRedirectURI: "http://127.0.0.1:9000/bye"},
			want: LogoutOptions{Profile: "default", Unlink: true, Yes: true, KakaoAccount: true, LogoutRedirectURI: "http://[::1]:9001/out", Timeout: time.Minute, BrowserCommand: "firefox -P work"}},
		{name: "logout redirect URI without kakao account", args: []string{"--logout-redirect-uri", DefaultLogoutRedirectURI}, wantUsage: true},
		{name: "browser command without kakao account", args: []string{"--browser-command", "firefox"}, wantUsage: true},
		{name: "a logout redirect URI off this machine", args: []string{"--kakao-account", "--logout-redirect-uri", "https://app.example.com/logout"}, wantUsage: true},
		{name: "no timeout", args: []string{"--kakao-account", "--timeout", "0s"}, wantUsage: true},
	})
}

// Flags before COMMAND (or --) are exec's; everything from COMMAND on is
// the command's, flags included.
func TestNewExecCmd(t *testing.T) {
	checkArgv(t, NewExecCmd, []argvCase[ExecOptions]{
		{name: "after --", args: []string{"--", "env"}, want: ExecOptions{Profile: "default", MinTTL: DefaultMinTTL, Command: []string{"env"}}},
		{name: "flags after the command are its own", args: []string{"env", "-i", "--profile", "x"},
			want: ExecOptions{Profile: "default", MinTTL: DefaultMinTTL, Command: []string{"env", "-i", "--profile", "x"}}},
		{name: "flags before --", args: []string{"--profile", "bot", "--min-ttl", "1h", "--", "sh", "-c", "echo", "--", "--min-ttl"},
			want: ExecOptions{Profile: "bot", MinTTL: time.Hour, Command: []string{"sh", "-c", "echo", "--", "--min-ttl"}}},
		{name: "help after the command", args: []string{"--min-ttl=0s", "curl", "--help"}, want: ExecOptions{Profile: "default", Command: []string{"curl", "--help"}}},
		{name: "env-only mode", args: []string{"--rotated-refresh-token-file", "rt", "true"}, env: map[string]string{envRefreshToken: "rt", envClientSecret: "s3cret"},
			want: ExecOptions{Profile: "default", MinTTL: DefaultMinTTL, ClientSecret: "s3cret", RotatedFile: "rt", Command: []string{"true"}}},
		{name: "no command", wantUsage: true},
		{name: "only --", args: []string{"--"}, wantUsage: true},
		{name: "negative min-ttl", args: []string{"--min-ttl", "-1m", "true"}, wantUsage: true},
		{name: "rotated file outside env-only mode", args: []string{"--rotated-refresh-token-file", "rt", "true"}, wantUsage: true},
	})
}

func TestNewExportCmd(t *testing.T) {
	checkArgv(t, NewExportCmd, []argvCase[ExportOptions]{
		{name: "defaults", want: ExportOptions{Profile: "default", Output: "env"}},
		{name: "format is output's old name", args: []string{"--format", "dotenv"}, want: ExportOptions{Profile: "default", Output: "dotenv"}},
		{name: "output", args: []string{"-o", "json", "--include-secret", "--profile", "ci"}, want: ExportOptions{Profile: "ci", Output: "json", IncludeSecret: true}},
		{name: "format and output disagree", args: []string{"--format", "env", "-o", "json"}, wantUsage: true},
		{name: "a terminal needs --yes", terminal: true, wantUsage: true},
		{name: "a terminal with --yes", args: []string{"--yes"}, terminal: true, want: ExportOptions{Profile: "default", Output: "env", Yes: true}},
	})
}

func TestNewUserinfoCmd(t *testing.T) {
	checkArgv(t, NewUserinfoCmd, []argvCase[UserinfoOptions]{
		{name: "defaults", want: UserinfoOptions{Profile: "default", Output: "text"}},
		{name: "json", args: []string{"-o", "json", "--profile", "oidc"}, want: UserinfoOptions{Profile: "oidc", Output: "json"}},
		{name: "unexpected argument", args: []string{"me"}, wantUsage: true},
	})
}

// Without a browser here, a login on a terminal becomes a paste-back one,
// and waits as long as --no-browser does.
func TestNewLoginCmd_NoBrowserHereWaitsAsLongAsPasteBack(t *testing.T) {
	checkArgv(t, NewLoginCmd, []argvCase[LoginOptions]{
		{name: "over SSH", args: []string{"--client-id", "k"}, terminal: true, env: map[string]string{"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22", "DISPLAY": ":0"},
			want: LoginOptions{App: app{ClientID: "k", RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"}, Timeout: session.Lifetime, Store: "keyring"}},
		{name: "--timeout wins", args: []string{"--client-id", "k", "--timeout", "1m"}, terminal: true, env: map[string]string{"SSH_CONNECTION": "10.0.0.2 5000 10.0.0.1 22"},
			want: LoginOptions{App: app{ClientID: "k", RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"}, Timeout: time.Minute, Store: "keyring"}},
		{name: "a browser here", args: []string{"--client-id", "k"}, terminal: true, env: map[string]string{"DISPLAY": ":0"},
			want: LoginOptions{App: app{ClientID: "k", RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"}, Timeout: 3 * time.Minute, Store: "keyring"}},
	})
}
