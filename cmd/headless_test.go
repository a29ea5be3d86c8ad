package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *lockedBuffer) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Len()
}

func TestLogin_NoBrowserReadsThePastedAddress(t *testing.T) {
	const remote = "https://app.example.com/kakao/callback"
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{remote}})
	root := t.TempDir()
	d, stdout, _ := storeDeps(root, nil, "")
	stderr := &lockedBuffer{}
	d.Stderr = stderr
	pr, pw := io.Pipe()
	d.Stdin = pr
	d.OpenBrowser = func(_ context.Context, _, _ string) error { t.Error("--no-browser opened a browser"); return nil }

	done := make(chan int, 1)
	go func() {
		done <- Main(t.Context(), []string{"login", "--no-browser", "--client-id", emulator.DefaultClientID,
			"--auth-url", emuURL, "--api-url", emuURL, "--redirect-uri", remote, "--store", "file"}, d)
	}()
	var authURL string
	for deadline := time.Now().Add(5 * time.Second); authURL == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		for _, f := range strings.Fields(stderr.String()) {
			if strings.Contains(f, "/oauth/authorize?") {
				authURL = f
			}
		}
	}
	resp, err := noRedirects.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	io.WriteString(pw, resp.Header.Get("Location")+"\n")

	if code := <-done; code != ExitOK {
		t.Fatalf("exit code %d; stderr:\n%s", code, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
	if err != nil || rec.RedirectURI != remote {
		t.Errorf("stored record = %+v, %v; want one for %s", rec, err, remote)
	}
}

func TestLogin_NoBrowserDefaultsToTheSessionLifetime(t *testing.T) {
	d, _, _ := testDeps(nil, "")
	var got *LoginOptions
	c := NewLoginCmd(d, func(_ context.Context, o *LoginOptions) error { got = o; return nil })
	c.SetArgs([]string{"--no-browser", "--client-id", "k"})
	if err := c.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.Timeout != session.Lifetime {
		t.Errorf("timeout = %s, want %s", got.Timeout, session.Lifetime)
	}
}

// A refresh token is printed to a terminal only with --yes, by every
// command that can print one.
func TestRefreshTokenOnATerminalNeedsYes(t *testing.T) {
	for _, args := range [][]string{
		{"export"},
		{"export", "-o", "json"},
		{"status", "--show-token"},
		{"status", "--show-token", "-o", "json"},
		{"login", "--emulator", "-o", "json"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
			d.StdoutIsTerminal = true
			if code := Main(t.Context(), args, d); code != ExitUsage {
				t.Errorf("exit code = %d, want %d", code, ExitUsage)
			}
			out := stdout.String()
			if slices.Contains(args, "json") {
				// -o json still prints the error document, which holds
				// no token.
				var doc map[string]any
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc["error"] == nil || doc["refresh_token"] != nil || doc["access_token"] != nil ||
					(args[0] == "status" && doc["logged_in"] != false) {
					t.Errorf("stdout %q, want the error document without tokens", out)
				}
				out = ""
			}
			if out != "" || !strings.Contains(stderr.String(), "to a terminal") || !strings.Contains(stderr.String(), "--yes") {
				t.Errorf("stdout %q, stderr %q", stdout, stderr)
			}
		})
	}
	// With --yes the command runs (and here finds nobody logged in).
	d, _, stderr := storeDeps(t.TempDir(), nil, "")
	d.StdoutIsTerminal = true
	if code := Main(t.Context(), []string{"status", "--show-token", "--yes"}, d); code != ExitLoginRequired {
		t.Errorf("status --show-token --yes: exit %d, want %d; stderr %q", code, ExitLoginRequired, stderr)
	}
}

func TestExport_SecretOnlyWhenAsked(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	rec.ClientSecret = "the-secret"
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"export"}, d); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Contains(stdout.String(), "the-secret") || !strings.Contains(stderr.String(), "--include-secret") {
		t.Errorf("without --include-secret: stdout %q, stderr %q", stdout, stderr)
	}
	d, stdout, _ = storeDeps(root, nil, "")
	Main(t.Context(), []string{"export", "--include-secret"}, d)
	if !strings.Contains(stdout.String(), "KAKAO_CLIENT_SECRET='the-secret'\n") {
		t.Errorf("with --include-secret: stdout %q", stdout)
	}
}
