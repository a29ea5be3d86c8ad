package cmd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// streams records the writes of a command to stdout and stderr in the
// order they happened, as the GitHub Actions log sees them.
type streams struct {
	mu     sync.Mutex
	writes []streamWrite
}

type streamWrite struct {
	stdout bool
	data   string
}

type streamWriter struct {
	s      *streams
	stdout bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	w.s.writes = append(w.s.writes, streamWrite{w.stdout, string(p)})
	return len(p), nil
}

// masked returns the values masked before the write at index i, unescaped
// as the runner unescapes workflow-command data.
func (s *streams) maskedBefore(i int) map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	unescape := strings.NewReplacer("%0D", "\r", "%0A", "\n", "%25", "%")
	m := map[string]bool{}
	for _, w := range s.writes[:i] {
		for _, line := range strings.Split(w.data, "\n") {
			if v, ok := strings.CutPrefix(line, "::add-mask::"); ok && !w.stdout {
				m[unescape.Replace(v)] = true
			}
		}
	}
	return m
}

// maskSecretPattern matches every secret of the emulator's: access and
// refresh tokens, ID tokens (JWTs); maskClientSecret is the app's secret,
// with a "%" that the runner would unescape if left as it is.
var maskSecretPattern = regexp.MustCompile(`emu_(?:at|rt)_[A-Za-z0-9_-]+|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+`)

const maskClientSecret = "client-secret-%25-x"

func secretsIn(s string) []string {
	found := maskSecretPattern.FindAllString(s, -1)
	if strings.Contains(s, maskClientSecret) {
		found = append(found, maskClientSecret)
	}
	return found
}

func TestGitHubActions_EverySecretIsMaskedBeforeItIsWritten(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{ClientSecret: maskClientSecret, AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	root := t.TempDir()
	ghEnv, ghOutput := filepath.Join(root, "gh-env"), filepath.Join(root, "gh-output")
	base := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_ENV": ghEnv, "GITHUB_OUTPUT": ghOutput,
		envClientSecret: maskClientSecret,
	}
	login := loginArgs(emuURL, redirect, "--scope", "openid,profile_nickname")

	var exported string
	run := func(t *testing.T, env map[string]string, args ...string) {
		t.Helper()
		os.Remove(ghEnv)
		os.Remove(ghOutput)
		all := map[string]string{}
		for k, v := range base {
			all[k] = v
		}
		for k, v := range env {
			all[k] = v
		}
		d, _, _ := storeDeps(root, all, "")
		d.OpenBrowser = agreeingBrowser
		s := &streams{}
		d.Stdout, d.Stderr = streamWriter{s, true}, streamWriter{s, false}
		if code := Main(t.Context(), args, d); code != ExitOK {
			t.Fatalf("%v: exit %d; output %+v", args, code, s.writes)
		}
		printed := 0
		for i, w := range s.writes {
			if !w.stdout {
				continue
			}
			masked := s.maskedBefore(i)
			for _, v := range secretsIn(w.data) {
				printed++
				if !masked[v] {
					t.Errorf("%v: %.12s… reached stdout before an ::add-mask:: for it", args, v)
				}
			}
			if args[0] == "export" {
				exported += w.data
			}
		}
		masked := s.maskedBefore(len(s.writes))
		for _, file := range []string{ghEnv, ghOutput} {
			data, _ := os.ReadFile(file)
			for _, v := range secretsIn(string(data)) {
				printed++
				if !masked[v] {
					t.Errorf("%v: %.12s… went to %s without an ::add-mask:: for it", args, v, filepath.Base(file))
				}
			}
		}
		if printed == 0 {
			t.Errorf("%v printed no secret; the test checks nothing", args)
		}
	}

	for _, args := range [][]string{
		append(login[:len(login):len(login)], "-o", "json"),
		append(login[:len(login):len(login)], "-o", "text"),
		{"token"},
		{"token", "-o", "json", "--force-refresh"},
		{"token", "-o", "github-env"},
		{"token", "-o", "github-output"},
		{"token", "--id-token"},
		{"token", "--id-token", "-o", "json"},
		{"token", "--id-token", "-o", "github-env"},
		{"status", "--show-token"},
		{"status", "--show-token", "-o", "json"},
		{"refresh", "-o", "text"},
		{"refresh", "-o", "json"},
		{"export", "--include-secret"},
		{"export", "--format", "json", "--include-secret"},
		{"export", "-o", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { run(t, nil, args...) })
	}

	// Env-only mode, with the exported refresh token: Kakao rotates it
	// (10 days left), so the new one goes to the step output too.
	vars, err := godotenv.Unmarshal(exported[:strings.Index(exported, "{")])
	if err != nil {
		t.Fatal(err)
	}
	envOnly := map[string]string{envRefreshToken: vars[envRefreshToken], envClientID: emulator.DefaultClientID, envAuthURL: emuURL}
	t.Run("env-only token -o github-output", func(t *testing.T) { run(t, envOnly, "token", "-o", "github-output") })
}

func TestGitHubActions_ASecretWithALineBreakIsNotPrinted(t *testing.T) {
	// The runner masks line by line: one ::add-mask:: cannot cover it.
	root := storeExportValues(t, emulator.DefaultClientID, "rt", "line1\nline2")
	d, stdout, stderr := storeDeps(root, map[string]string{"GITHUB_ACTIONS": "true"}, "")
	if code := Main(t.Context(), []string{"export", "--format", "json", "--include-secret"}, d); code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	// --format json: the error document, which names no secret either.
	if doc := oneJSONDocument(t, stdout.Bytes()); doc["error"] == nil || strings.Contains(stdout.String(), "line1") || strings.Contains(stderr.String(), "line1") {
		t.Errorf("stdout %q, stderr %q; want the error document and the secret unnamed", stdout, stderr)
	}
}
