package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// readmeSection is the README's text from the heading that starts with
// heading to the next heading of its level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(data), "\n"+heading)
	if !ok {
		t.Fatalf("README.md has no heading %q", heading)
	}
	level := heading[:strings.IndexByte(heading, ' ')+1]
	if i := strings.Index(rest, "\n"+level); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// commandLines are the lines of text that run "kakao-auth api".
func commandLines(text string) []string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, "kakao-auth api ") || strings.Contains(l, "| kakao-auth api ") {
			lines = append(lines, l)
		}
	}
	return lines
}

// outputComment is a trailing comment of one word or one JSON value: what
// the README says the line prints. Longer comments describe the line.
var outputComment = regexp.MustCompile(`\s#\s*(\S+)$`)

// The api examples people copy, from "kakao-auth api --help" and from the
// README's "Calling Kakao's API", run as written: each line through sh,
// with kakao-auth on PATH, after the login the README's "Tokens for
// scripts" shows, against a fresh emulator. Each exits 0; a --jq path
// finds something (null means the login lacks the item); a one-word
// comment is the output.
func TestAPI_DocumentedExamplesRunAsWritten(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("runs the examples through sh")
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh to run the examples with")
	}
	login := regexp.MustCompile(`(?m)^kakao-auth login --scope (\S+)`).FindStringSubmatch(readmeSection(t, "## Tokens for scripts"))
	if login == nil {
		t.Fatal(`README's "Tokens for scripts" has no "kakao-auth login --scope" line`)
	}
	scopes := strings.Split(login[1], ",")
	w := newKapiWorld(t, emulator.Config{}, "default", scopes...)
	loggedInWith(t, w.url, filepath.Join(w.h.config, "kakao-auth"), "bot", "", scopes...)
	if err := os.WriteFile(filepath.Join(w.h.dir, "memo.json"), []byte(memoJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	if err := os.Symlink(os.Args[0], filepath.Join(bin, "kakao-auth")); err != nil {
		t.Fatal(err)
	}
	env := []string{quickExit(), "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "TEMPLATE=" + memoJSON}

	help := commandLines(NewAPICmd(&Deps{}, nil).Example)
	readme := commandLines(readmeSection(t, "## Calling Kakao's API"))
	if len(help) < 4 || len(readme) < 6 {
		t.Fatalf("found %d examples in the help and %d in the README", len(help), len(readme))
	}
	for _, line := range append(help, readme...) {
		t.Run(line, func(t *testing.T) {
			c := execCommand(nil, w.h, env, "")
			c.Path, c.Args, c.Dir = sh, []string{"sh", "-c", line}, w.h.dir
			var stdout, stderr bytes.Buffer
			c.Stdout, c.Stderr = &stdout, &stderr
			if err := c.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				t.Fatalf("exit %d, stdout %q\nstderr:\n%s", ee.ExitCode(), stdout.String(), stderr.String())
			}
			if strings.Contains(line, "--jq") && strings.Contains(stdout.String(), "null\n") {
				t.Errorf("stdout %q: the --jq path finds nothing", stdout.String())
			}
			if m := outputComment.FindStringSubmatch(line); m != nil && stdout.String() != m[1]+"\n" {
				t.Errorf("stdout %q, want %q as the comment says", stdout.String(), m[1]+"\n")
			}
		})
	}
}
