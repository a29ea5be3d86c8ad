package cmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/browser"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envUndocumented are the variables the tool reads that "help
// environment" leaves out, and why.
var envUndocumented = map[string]string{
	"HOME": "the home directory; the topic names it as ~ in the defaults of the XDG_ variables",
}

// Every environment variable the tool reads is in "help environment", so
// the topic cannot fall behind the code.
func TestHelpEnvironment_ListsEveryVariableTheToolReads(t *testing.T) {
	d, stdout, _ := testDeps(nil, "")
	if code := Main(t.Context(), []string{"help", "environment"}, d); code != ExitOK {
		t.Fatalf("help environment exited %d", code)
	}
	topic := stdout.String()
	reads, unknown := envReadsOfTheTool(t)
	for _, where := range unknown {
		t.Errorf("%s reads an environment variable this test cannot name: make it a constant, or list it in dynamicEnvReads", where)
	}
	// Each way of reading one is found: the finder works.
	for _, name := range []string{envClientID, envClientSecret, browser.EnvVar, "DISPLAY", "TERM", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "GITHUB_OUTPUT"} {
		if reads[name] == "" {
			t.Errorf("the test found no read of %s: it misses a way the code reads variables", name)
		}
	}
	for name, where := range reads {
		if envUndocumented[name] != "" {
			continue
		}
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(name) + ` `).MatchString(topic) {
			t.Errorf("%s (read at %s) is missing from kakao-auth help environment", name, where)
		}
	}
}

// Every command shows examples in its help and sits in a group.
func TestHelp_EveryCommandHasExamplesAndAGroup(t *testing.T) {
	d, _, _ := testDeps(nil, "")
	root := NewRootCmd(d)
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() || c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no examples", c.CommandPath())
		}
		if c.GroupID == "" {
			t.Errorf("%s is in no help group", c.CommandPath())
		}
	}
}

// Shell completion offers the words a flag takes, and the stored profiles.
func TestCompletion_FlagValues(t *testing.T) {
	root := t.TempDir()
	profiles := tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}
	for _, p := range []string{"work", "emulator"} {
		if err := profiles.SetBackend(p, tokenstore.BackendFile); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"token", "--output", ""}, []string{"text", "json", "github-env", "github-output"}},
		{[]string{"status", "-o", ""}, []string{"text", "json"}},
		{[]string{"login", "--store", ""}, []string{"keyring", "file", "none"}},
		{[]string{"login", "--prompt", ""}, []string{"login", "none", "create", "select_account"}},
		{[]string{"export", "--format", ""}, []string{"env", "dotenv", "json"}},
		{[]string{"export", "-o", ""}, []string{"env", "dotenv", "json"}},
		{[]string{"refresh", "-o", ""}, []string{"text", "json"}},
		{[]string{"login", "-o", ""}, []string{"text", "json"}},
		{[]string{"userinfo", "-o", ""}, []string{"text", "json"}},
		{[]string{"scopes", "-o", ""}, []string{"text", "json"}},
		{[]string{"api", "--profile", ""}, []string{"emulator", "work"}},
		{[]string{"token", "--profile", ""}, []string{"emulator", "work"}},
		{[]string{"logout", "--profile", ""}, []string{"emulator", "work"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, _ := storeDeps(root, nil, "")
			if code := Main(t.Context(), append([]string{cobra.ShellCompRequestCmd}, tt.args...), d); code != ExitOK {
				t.Fatalf("exit %d", code)
			}
			var got []string
			for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
				if !strings.HasPrefix(line, ":") {
					got = append(got, line)
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("completions mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// "completion" with a shell it does not know is a usage error, not help
// with exit 0.
func TestCompletion_UnknownShellIsAUsageError(t *testing.T) {
	d, stdout, stderr := testDeps(nil, "")
	if code := Main(t.Context(), []string{"completion", "tcsh"}, d); code != ExitUsage {
		t.Errorf("exit %d, want %d", code, ExitUsage)
	}
	if !strings.Contains(stderr.String(), `unknown shell "tcsh"`) || stdout.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", stdout, stderr)
	}
	for _, shell := range []string{"bash", "zsh", "fish", "powershell"} {
		d, stdout, _ := testDeps(nil, "")
		if code := Main(t.Context(), []string{"completion", shell}, d); code != ExitOK || stdout.Len() == 0 {
			t.Errorf("completion %s: exit %d, %d bytes", shell, code, stdout.Len())
		}
	}
}

// The help screen lists the help topics as it lists the commands: names
// padded to one column, the text after them.
func TestHelp_TopicsLineUpWithTheCommands(t *testing.T) {
	d, stdout, _ := testDeps(nil, "")
	if code := Main(t.Context(), []string{"--help"}, d); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	column := func(text string) int {
		for _, line := range strings.Split(stdout.String(), "\n") {
			if i := strings.Index(line, text); i >= 0 {
				return i
			}
		}
		t.Fatalf("no %q in the help:\n%s", text, stdout)
		return 0
	}
	if cmds, topic := column("Log in to Kakao in the browser"), column("Environment variables that kakao-auth reads"); topic != cmds {
		t.Errorf("the topic's text starts at column %d, the commands' at %d:\n%s", topic, cmds, stdout)
	}
}

// "help" with a topic it does not know is a usage error with a hint, as
// an unknown command is; known topics and commands print their help.
func TestHelp_UnknownTopicIsAUsageError(t *testing.T) {
	for _, tt := range []struct {
		args []string
		hint string
	}{
		{[]string{"help", "nosuch"}, `run "kakao-auth help" for the commands and topics`},
		{[]string{"help", "enviroment"}, `did you mean "environment"?`},
		{[]string{"help", "statsu"}, `did you mean "status"?`},
		{[]string{"help", "login", "extra"}, `run "kakao-auth help" for the commands and topics`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := testDeps(nil, "")
			if code := Main(t.Context(), tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			want := fmt.Sprintf("kakao-auth: error: unknown help topic %q\n", strings.Join(tt.args[1:], " "))
			if stdout.Len() != 0 || !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") || !strings.Contains(stderr.String(), tt.hint) {
				t.Errorf("stdout %q, stderr:\n%s\nwant %q and a hint with %q", stdout, stderr, want, tt.hint)
			}
		})
	}
	for _, args := range [][]string{{"help"}, {"help", "environment"}, {"help", "login"}, {"help", "scopes", "revoke"}} {
		d, stdout, stderr := testDeps(nil, "")
		if code := Main(t.Context(), args, d); code != ExitOK || stdout.Len() == 0 {
			t.Errorf("%v: exit %d, %d bytes of help\n%s", args, code, stdout.Len(), stderr)
		}
	}
}
