package cmd

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// quotedCommand matches a command a hint or next step names in quotes, as
// a reader copies it: with or without the quotes.
var quotedCommand = regexp.MustCompile(`"((?:kakao-auth|rm|chmod) [^"]*)"`)

// A -402 answer's required_scopes is text from the server. A hint that
// named it in a command would hand the reader a shell payload to paste:
// only well-formed consent-item ids go into the command, and the command,
// taken from the hint and run by a real sh (with the quotes around it or
// without), runs nothing else.
func TestHints_ServerScopesNeverReachAShell(t *testing.T) {
	shell := requireShell(t)
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInWith(t, emuURL, root, "bot", "", "profile_nickname")
	rec.Expiry = rec.Expiry.Add(24 * 3600e9) // no refresh before the call
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "bot", rec); err != nil {
		t.Fatal(err)
	}
	emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 403, Code: -402, Msg: "insufficient scopes.",
		RequiredScopes: []string{"friends", "talk_message,$(touch PWNED1)", "`touch PWNED2`", "x;touch PWNED3", "x'$(touch PWNED4)'"}})

	envOnly := map[string]string{envRefreshToken: rec.RefreshToken, envClientID: emulator.DefaultClientID, envAuthURL: emuURL, envAPIURL: emuURL}
	stored := map[string]string{envAuthURL: emuURL, envAPIURL: emuURL}
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"userinfo", stored, []string{"userinfo", "--profile", "bot"}},
		{"api", stored, []string{"api", "--profile", "bot", "/v2/user/me"}},
		{"api env-only", envOnly, []string{"api", "/v2/user/me"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, _, stderr := storeDeps(root, tt.env, "")
			if code := Main(t.Context(), tt.args, d); code == ExitOK {
				t.Fatalf("%v succeeded; want the -402", tt.args)
			}
			hint := hintLine(t, stderr.String())
			t.Log(hint)
			cmds := quotedCommand.FindAllStringSubmatch(hint, -1)
			var login string
			for _, m := range cmds {
				if strings.HasPrefix(m[1], "kakao-auth login") {
					login = m[1]
				}
				for _, line := range []string{m[1], m[0]} {
					runInShell(t, shell, line)
				}
			}
			if !strings.Contains(login, "--scope friends") {
				t.Errorf("the hint's login does not ask for the well-formed item, friends:\n%s", hint)
			}
			if !strings.Contains(hint, "not valid") {
				t.Errorf("the hint does not say that Kakao named items that are not valid ids:\n%s", hint)
			}
		})
	}
}

// hintLine is the hint line of a failure's stderr.
func hintLine(t *testing.T, stderr string) string {
	t.Helper()
	for line := range strings.SplitSeq(stderr, "\n") {
		if strings.HasPrefix(line, "kakao-auth: hint: ") {
			return line
		}
	}
	t.Fatalf("no hint:\n%s", stderr)
	return ""
}

// requireShell returns the path of sh, or skips: the commands hints name
// are for a POSIX shell.
func requireShell(t *testing.T) string {
	t.Helper()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run hints with:", err)
	}
	return sh
}

// runInShell runs line with sh -c in an empty directory, with kakao-auth,
// rm and chmod on PATH as scripts that do nothing, and fails the test if
// anything was created there: the line ran more than the command it
// names. It returns the words the named command received.
func runInShell(t *testing.T, shell, line string) []string {
	t.Helper()
	bin, dir := t.TempDir(), t.TempDir()
	for _, name := range []string{"kakao-auth", "rm", "chmod"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\nprintf '%s\\0' \"$@\"\n"), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	c := exec.Command(shell, "-c", line)
	c.Dir = dir
	c.Env = []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + dir}
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	_ = c.Run() // "command not found" for the quoted form is fine
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("sh -c %q created %s: the hint ran a payload", line, e.Name())
	}
	words := strings.Split(out.String(), "\x00")
	return words[:len(words)-1]
}

// suggestedCommand matches a command line written into a string of the
// program (a hint, a next step) instead of built by termtext.Command: a
// kakao-auth command, or rm or chmod with an argument.
var suggestedCommand = regexp.MustCompile(`(^|["(\n]\s*)kakao-auth( (login|token|refresh|status|logout|export|exec|userinfo|api|scopes|emulator|help|completion)\b( -|["')%]|$| $)| -|["')%]| $)|(^|["(\s])(rm|chmod|sh|go) ([-+%'0-9]|$|run|install)`)

// Every command line a hint or a next step names is built by one function,
// termtext.Command, which quotes each word for the shell: no string
// literal of the program (outside help texts, which document commands
// rather than suggest them) spells one out.
func TestHints_EveryCommandIsBuiltByTermtextCommand(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../internal"} {
		err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			switch {
			case e.IsDir() && (e.Name() == "testdata" || e.Name() == "emulator"):
				// The emulator is the other side of the wire: its texts
				// are Kakao's, not kakao-auth's advice.
				return filepath.SkipDir
			case !e.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go"):
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fset := token.NewFileSet()
	for _, path := range files {
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		docs := map[ast.Expr]bool{} // the help texts of cobra commands and topics
		ast.Inspect(f, func(n ast.Node) bool {
			if kv, ok := n.(*ast.KeyValueExpr); ok {
				if k, ok := kv.Key.(*ast.Ident); ok && (k.Name == "Long" || k.Name == "Example" || k.Name == "Short" || k.Name == "Use") {
					ast.Inspect(kv.Value, func(n ast.Node) bool {
						if e, ok := n.(ast.Expr); ok {
							docs[e] = true
						}
						return true
					})
				}
			}
			return true
		})
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING || docs[lit] {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err != nil {
				t.Fatalf("%s: %v", fset.Position(lit.Pos()), err)
			}
			if m := suggestedCommand.FindString(s); m != "" && !allowedCommandText(path, s) {
				t.Errorf("%s: %q spells out a command (%q): build it with termtext.Command", fset.Position(lit.Pos()), s, m)
			}
			return true
		})
	}
}

// allowedCommandText reports the strings that name a command without
// suggesting one to run.
func allowedCommandText(path, s string) bool {
	// "kakao-auth help environment" documents the variables, and the
	// commands that read them.
	return filepath.Base(path) == "help.go"
}
