package cmd

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Command groups of the help screen, in the order people meet them.
var helpGroups = []*cobra.Group{
	{ID: "login", Title: "Log in:"},
	{ID: "tokens", Title: "Use the tokens:"},
	{ID: "emulator", Title: "Test without Kakao:"},
	{ID: "other", Title: "More:"},
}

// setUpHelp adds the command groups (each command names its own, see
// commands) and the help topics, and makes the completion command refuse
// a shell it does not know.
func setUpHelp(root *cobra.Command, d *Deps) {
	root.AddGroup(helpGroups...)
	root.SetHelpCommand(helpCommand())
	root.SetCompletionCommandGroupID("other")
	root.AddCommand(environmentTopic())
	// Topics are listed by name, padded as the commands are, where cobra
	// writes "kakao-auth environment" with no room before its text.
	root.SetUsageTemplate(strings.Replace(root.UsageTemplate(),
		"{{rpad .CommandPath .CommandPathPadding}} {{.Short}}", "{{rpad .Name .NamePadding}} {{.Short}}", 1))

	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = func(c *cobra.Command, args []string) error {
				if len(args) > 0 {
					return usagef("run "+termtext.Quoted(append(strings.Fields(c.CommandPath()), "--help")...)+" for the shells it knows", "unknown shell %q", args[0])
				}
				return nil
			}
			c.RunE = func(c *cobra.Command, args []string) error { return c.Help() }
		}
	}
	registerCompletions(root, d)
}

// helpCommand is "kakao-auth help [command]", as cobra makes it, except
// that a topic it does not know is a usage error with a hint, as an
// unknown command is, not the usage and exit 0.
func helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:     "help [command]",
		Short:   "Help about any command",
		Long:    "Help prints the help of any command or topic: kakao-auth help [command or topic].",
		GroupID: "other",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := c.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var completions []cobra.Completion
			for _, sub := range cmd.Commands() {
				if (sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() || sub == c) && strings.HasPrefix(sub.Name(), toComplete) {
					completions = append(completions, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return completions, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			cmd, rest, err := root.Find(args)
			if err != nil || len(rest) > 0 {
				hint := "run " + termtext.Quoted(root.CommandPath(), "help") + " for the commands and topics"
				if s := helpSuggestions(root, args[0]); len(args) == 1 && len(s) > 0 {
					hint = fmt.Sprintf("did you mean %q? %s", s[0], hint)
				}
				return usagef(hint, "unknown help topic %q", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// helpSuggestions are root's commands and topics that look like typed,
// found as cobra finds them for a mistyped command (which leaves topics
// out: they cannot run).
func helpSuggestions(root *cobra.Command, typed string) []string {
	names := &cobra.Command{Use: root.Name(), SuggestionsMinimumDistance: 2}
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			names.AddCommand(&cobra.Command{Use: c.Name(), SuggestFor: c.SuggestFor, Run: func(*cobra.Command, []string) {}})
		}
	}
	return names.SuggestionsFor(typed)
}

// environmentTopic is "kakao-auth help environment": every variable the
// tool reads, as gh's "help environment" lists its own.
func environmentTopic() *cobra.Command {
	var b strings.Builder
	b.WriteString("Environment variables that kakao-auth reads (and, in CI, sets). A flag given\non the command line wins over its variable.\n")
	width := 0
	for _, sec := range environmentHelp {
		for _, v := range sec.vars {
			width = max(width, len(v[0]))
		}
	}
	for _, sec := range environmentHelp {
		fmt.Fprintf(&b, "\n%s\n", sec.title)
		for _, v := range sec.vars {
			lines := strings.Split(v[1], "\n")
			fmt.Fprintf(&b, "  %-*s  %s\n", width, v[0], lines[0])
			for _, l := range lines[1:] {
				fmt.Fprintf(&b, "  %-*s  %s\n", width, "", l)
			}
		}
	}
	return &cobra.Command{
		Use:   "environment",
		Short: "Environment variables that kakao-auth reads",
		Long:  strings.TrimRight(b.String(), "\n"),
	}
}

// environmentHelp is the text of "help environment", by subject.
var environmentHelp = []struct {
	title string
	vars  [][2]string
}{
	{"The app and Kakao's servers:", [][2]string{
		{envClientID, "the app's REST API key (--client-id)"},
		{envClientSecret, "the app's client secret; its only flag is --client-secret-file,\nso it never shows in the process list"},
		{envRedirectURI, "registered redirect URI(s) to listen on, comma- or space-separated\n(--redirect-uri; default " + DefaultRedirectURI + ")"},
		{envLogoutRedirectURI, "registered Logout Redirect URI for logout --kakao-account\n(--logout-redirect-uri; default " + DefaultLogoutRedirectURI + ")"},
		{envAuthURL, "Kakao's auth server (--auth-url; default " + kakao.DefaultAuthURL + ")"},
		{envAPIURL, "Kakao's API server (--api-url; default " + kakao.DefaultAPIURL + ")"},
		{envAllowInsecureHTTP, "1 allows http:// servers off this machine (--" + flagAllowInsecureHTTP + "),\nwith a warning each run; only loopback may be http otherwise"},
	}},
	{"Where logins are kept:", [][2]string{
		{envProfile, "the profile to use (--profile; default " + DefaultProfile + ")"},
		{envStore, "where login keeps tokens: keyring, file or none (--store); or a store\na fleet shares, etcd://HOST:PORT[/PREFIX], redis://[USER@]HOST:PORT[/DB]\nor rediss://…, where every command then finds its profiles"},
		{"XDG_CONFIG_HOME", "profiles, token files and locks live in kakao-auth/ under it\n(default ~/.config)"},
		{"XDG_RUNTIME_DIR", "per-run session files live in kakao-auth/ under it\n(default: kakao-auth/sessions under XDG_CACHE_HOME)"},
		{"XDG_CACHE_HOME", "cached ID-token signing keys (kakao-auth/jwks) live under it, and\nsession files without XDG_RUNTIME_DIR (default ~/.cache)"},
	}},
	{"Shared stores (etcd://, redis://; never from a flag):", sharedstore.Variables},
	{"CI without a browser (env-only mode):", [][2]string{
		{envRefreshToken, "with " + envClientID + `, "kakao-auth token" (and api, scopes) refresh` + "\n" + `with this refresh token and touch no store`},
		{"GITHUB_ACTIONS", `"true" in GitHub Actions: secrets are masked in the log and` + "\n" + `warnings become annotations`},
		{"GITHUB_ENV", "the file --output github-env appends to"},
		{"GITHUB_OUTPUT", "the file --output github-output appends to"},
		{"KAKAO_ACCESS_TOKEN", "set for later steps by --output github-env, and for the command\nof \"kakao-auth exec\" (with KAKAO_API_URL)"},
		{"KAKAO_ID_TOKEN", "set for later steps by --output github-env --id-token"},
	}},
	{"The browser:", [][2]string{
		{browser.EnvVar, "command that opens the login page, the URL added as its last\nargument (--browser-command)"},
		{"BROWSER", "the same, when " + browser.EnvVar + " is not set"},
		{"SSH_CONNECTION", "set (an SSH session): on a terminal with no browser command, login\nprints the URL and reads back the address the browser ends on"},
		{"DISPLAY", "with neither it nor WAYLAND_DISPLAY set (Linux, BSD), the same:\nthere is no screen to open a browser on"},
		{"WAYLAND_DISPLAY", "see DISPLAY"},
	}},
	{"The terminal:", [][2]string{
		{"TERM", "dumb or unset: login prints one line while it waits, not a spinner"},
	}},
}

// fixedValues are the words some flags take, for shell completion; --output
// registers its own per command. (A slice, not a map: it is laid out at
// build time, where a map would be built at every start.)
var fixedValues = []struct {
	flag   string
	values []string
}{
	{"store", []string{tokenstore.BackendKeyring, tokenstore.BackendFile, tokenstore.BackendNone}},
	{"format", []string{"env", "dotenv", "json"}},
	{"prompt", []string{"login", "none", "create", "select_account"}},
}

// registerCompletions completes the values of the flags that take one of a
// few words, and --profile from the stored profiles, on every command.
func registerCompletions(c *cobra.Command, d *Deps) {
	for _, f := range fixedValues {
		if c.Flags().Lookup(f.flag) != nil {
			_ = c.RegisterFlagCompletionFunc(f.flag, cobra.FixedCompletions(f.values, cobra.ShellCompDirectiveNoFileComp))
		}
	}
	if c.Flags().Lookup("profile") != nil {
		_ = c.RegisterFlagCompletionFunc("profile", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return storedProfiles(d), cobra.ShellCompDirectiveNoFileComp
		})
	}
	registerValueCompletions(c, d)
	for _, sub := range c.Commands() {
		registerCompletions(sub, d)
	}
}

// storedProfiles lists the profiles logged in on this machine; none when
// they cannot be read (completion must never fail loudly).
func storedProfiles(d *Deps) []string {
	paths, err := d.Paths()
	if err != nil {
		return nil
	}
	names, err := tokenstore.Profiles{Dir: paths.ProfilesDir()}.List()
	if err != nil {
		return nil
	}
	return names
}
