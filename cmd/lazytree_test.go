package cmd

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// Main builds only the command a command line names (rootFor); every
// command line must come out exactly as it does from the whole tree: the
// same stdout, stderr and exit code, help and errors included.
func TestMain_OneCommandTreeRunsLikeTheWholeTree(t *testing.T) {
	argvs := [][]string{
		nil,
		{"--help"},
		{"-h"},
		{"--version"},
		{"-v"},
		{"--version", "--help"},
		{"help"},
		{"help", "environment"},
		{"environment"},
		{"completion"},
		{"completion", "bash"},
		{"completion", "tcsh"},
		{"frobnicate"},
		{"tokn"},   // unknown, with a suggestion
		{"tokens"}, // unknown, with a suggestion
		{"--bogus"},
		{"--", "token"},
		{"-"},
		{"__complete", "tok"},
		{"__complete", "token", "--output", ""},
		{"__complete", "login", "--store", ""},
	}
	for _, c := range commands {
		argvs = append(argvs,
			[]string{c.name, "--help"},
			[]string{c.name, "-h"},
			[]string{"help", c.name},
			[]string{c.name, "--bogus"},
			[]string{c.name, "-Z"},
			[]string{c.name, "--help", "--bogus"},
			[]string{c.name, "--version"},
			[]string{"--profile", "x", c.name, "--help"}, // a flag before the command
			[]string{"--profile", "token", c.name, "--help"},
			[]string{"-p", "login", c.name, "--help"},
			[]string{"--profile=x", c.name, "--help"},
			[]string{"--force-refresh", c.name, "--help"},
			[]string{"--output=json", c.name, "--help"},
			[]string{"-o", c.name, "--help"},
			[]string{"-ojson", c.name, "--help"},
		)
	}
	for _, args := range argvs {
		lazyD, lazyOut, lazyErr := testDeps(nil, "")
		lazyCode := Main(t.Context(), args, lazyD)
		fullD, fullOut, fullErr := testDeps(nil, "")
		fullCode := execute(t.Context(), NewRootCmd(fullD), args, fullD)
		if lazyCode != fullCode {
			t.Errorf("%q: exit %d, the whole tree exits %d", args, lazyCode, fullCode)
		}
		if diff := cmp.Diff(fullOut.String(), lazyOut.String()); diff != "" {
			t.Errorf("%q: stdout differs from the whole tree's (-whole +one):\n%s", args, diff)
		}
		if diff := cmp.Diff(fullErr.String(), lazyErr.String()); diff != "" {
			t.Errorf("%q: stderr differs from the whole tree's (-whole +one):\n%s", args, diff)
		}
	}
}

// The help of a command run through Main is its whole help, and a
// misspelt command still gets cobra's suggestion.
func TestMain_HelpAndSuggestionsSeeEveryCommand(t *testing.T) {
	d, stdout, _ := testDeps(nil, "")
	if code := Main(t.Context(), []string{"token", "--help"}, d); code != ExitOK {
		t.Fatalf("token --help: exit %d", code)
	}
	for _, want := range []string{"Usage:\n  kakao-auth token [flags]", "--min-ttl", "--profile", "--output", "-h, --help", "Examples:"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("token --help lacks %q:\n%s", want, stdout)
		}
	}
	d, _, stderr := testDeps(nil, "")
	if code := Main(t.Context(), []string{"tokn"}, d); code != ExitUsage {
		t.Errorf("tokn: exit %d, want %d", code, ExitUsage)
	}
	for _, want := range []string{`unknown command "tokn" for "kakao-auth"`, `did you mean "kakao-auth token"?`} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("tokn: stderr lacks %q:\n%s", want, stderr)
		}
	}
	d, stdout, _ = testDeps(nil, "")
	if code := Main(t.Context(), []string{"--help"}, d); code != ExitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, c := range commands {
		if !strings.Contains(stdout.String(), "  "+c.name+" ") {
			t.Errorf("--help does not list %s:\n%s", c.name, stdout)
		}
	}
}

// commandNames are the names of the commands built under root.
func commandNames(root *cobra.Command) []string {
	names := []string{}
	for _, c := range root.Commands() {
		names = append(names, c.Name())
	}
	return names
}

// A command line that names a command builds that command alone, with its
// flags; anything else builds the whole tree.
func TestRootFor_BuildsOnlyTheNamedCommand(t *testing.T) {
	tests := []struct {
		args []string
		want []string // the commands built under the root; nil: the whole tree
	}{
		{[]string{"token"}, []string{"token"}},
		{[]string{"token", "--profile", "bot"}, []string{"token"}},
		{[]string{"--profile", "bot", "token"}, []string{"token"}},
		{[]string{"login", "--emulator"}, []string{"login"}},
		{[]string{"--version"}, []string{}},
		{[]string{"-v"}, []string{}},
		{nil, nil},
		{[]string{"--help"}, nil},
		{[]string{"help", "token"}, nil},
		{[]string{"completion", "bash"}, nil},
		{[]string{"__complete", "token", ""}, nil},
		{[]string{"tokn"}, nil},
		{[]string{"--", "token"}, nil},
		{[]string{"--force-refresh", "token"}, nil}, // cobra takes "token" as the flag's value
	}
	d, _, _ := testDeps(nil, "")
	whole := commandNames(NewRootCmd(d))
	for _, tt := range tests {
		got := commandNames(rootFor(d, tt.args))
		want := tt.want
		if want == nil {
			want = whole
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("rootFor(%q) commands (-want +got):\n%s", tt.args, diff)
		}
	}
}

// commands lists every command of the whole tree, each under its own name,
// in a help group; the help topics and cobra's own come on top.
func TestCommands_ListEveryCommandOfTheTree(t *testing.T) {
	d, _, _ := testDeps(nil, "")
	var listed []string
	for _, c := range commands {
		listed = append(listed, c.name)
		if got := c.build(d).Name(); got != c.name {
			t.Errorf("commands entry %q builds %q", c.name, got)
		}
	}
	var tree []string
	for _, c := range NewRootCmd(d).Commands() {
		switch c.Name() {
		case "help", "completion", "environment":
			continue
		}
		tree = append(tree, c.Name())
		if c.GroupID == "" {
			t.Errorf("%s is in no help group", c.Name())
		}
	}
	slices.Sort(listed)
	if diff := cmp.Diff(listed, tree); diff != "" {
		t.Errorf("commands vs the whole tree (-listed +tree):\n%s", diff)
	}
}
