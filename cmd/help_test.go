package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envNameInSource matches the environment variables the tool's code names.
var envNameInSource = regexp.MustCompile(`"((?:KAKAO|GITHUB|XDG)_[A-Z_]+|BROWSER|NO_COLOR)"`)

// Every environment variable the code reads is in "help environment", so
// the topic cannot fall behind the code.
func TestHelpEnvironment_ListsEveryVariableTheCodeReads(t *testing.T) {
	d, stdout, _ := testDeps(nil, "")
	if code := Main(t.Context(), []string{"help", "environment"}, d); code != ExitOK {
		t.Fatalf("help environment exited %d", code)
	}
	topic := stdout.String()
	var sources []string
	for _, dir := range []string{".", "../internal/authflow", "../internal/browser", "../internal/kakao", "../internal/session", "../internal/tokenstore"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, f := range files {
			if !strings.HasSuffix(f, "_test.go") {
				sources = append(sources, f)
			}
		}
	}
	if len(sources) < 20 {
		t.Fatalf("found only %d source files; run from cmd/", len(sources))
	}
	seen := map[string]bool{}
	for _, f := range sources {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range envNameInSource.FindAllStringSubmatch(string(data), -1) {
			if name := m[1]; !seen[name] && !strings.HasPrefix(name, "KAKAO_AUTH_TEST") {
				seen[name] = true
				if !regexp.MustCompile(`(?m)^  ` + name + ` `).MatchString(topic) {
					t.Errorf("%s (named in %s) is missing from kakao-auth help environment", name, f)
				}
			}
		}
	}
	if len(seen) < 10 {
		t.Errorf("found only %d variables in the code: %v", len(seen), seen)
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
