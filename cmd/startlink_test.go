package cmd

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// argvBrowser writes a browser command, a real program, that appends its
// arguments (one per line) to the returned file, copies the session files
// of home h beside it and then plays the person at the browser (the test
// binary as fake-browser).
func argvBrowser(t *testing.T, h home) (command, argvFile, snapDir string) {
	t.Helper()
	argvFile = filepath.Join(h.dir, "argv")
	snapDir = filepath.Join(h.dir, "sessions-seen")
	command = filepath.Join(h.dir, "browser.sh")
	script := "#!/bin/sh\n" +
		"printf '%s\\n' \"$@\" >> '" + argvFile + "'\n" +
		"mkdir -p '" + snapDir + "' && cp " + filepath.Join(h.run, "kakao-auth") + "/*.session.json '" + snapDir + "'/ 2>/dev/null\n" +
		"exec env " + asBrowserEnv + "=1 '" + os.Args[0] + "' \"$1\"\n"
	if err := os.WriteFile(command, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	return command, argvFile, snapDir
}

// Any local user can read a process's arguments (ps, /proc/PID/cmdline).
// The browser's must not carry what answers the login or the logout: the
// state, the PKCE challenge or the nonce.
func TestBrowserArgv_CarriesNoStateChallengeOrNonce(t *testing.T) {
	t.Run("login", func(t *testing.T) {
		h := newHome(t)
		command, argvFile, snapDir := argvBrowser(t, h)
		redirect := freeRedirect(t)
		p := &proc{cmd: execCommand([]string{"login", "--emulator", "--redirect-uri", redirect, "--timeout", "20s"}, h, []string{"KAKAO_AUTH_BROWSER=" + command}, "")}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(t); code != ExitOK {
			t.Fatalf("login: exit %d\n%s", code, p.stderr.String())
		}
		argv, err := os.ReadFile(argvFile)
		if err != nil || len(argv) == 0 {
			t.Fatalf("the browser command never ran: %v", err)
		}
		snaps, _ := filepath.Glob(filepath.Join(snapDir, "*.session.json"))
		if len(snaps) != 1 {
			t.Fatalf("session files seen by the browser: %v, want 1", snaps)
		}
		data, _ := os.ReadFile(snaps[0])
		var sess struct {
			State    string `json:"state"`
			Verifier string `json:"code_verifier"`
			Nonce    string `json:"nonce"`
		}
		if err := json.Unmarshal(data, &sess); err != nil || sess.State == "" || sess.Verifier == "" || sess.Nonce == "" {
			t.Fatalf("session file %s: %v\n%s", snaps[0], err, data)
		}
		secrets := map[string]string{"state": sess.State, "code_challenge": oauth2.S256ChallengeFromVerifier(sess.Verifier), "nonce": sess.Nonce}
		for name, value := range secrets {
			if strings.Contains(string(argv), value) || strings.Contains(string(argv), name+"=") {
				t.Errorf("the browser's argv carries the %s: %q", name, argv)
			}
		}
		if line := strings.TrimSpace(string(argv)); !strings.HasPrefix(line, strings.TrimSuffix(redirect, "/callback")+"/start/") {
			t.Errorf("the browser's argv is %q, want the login's start link on %s", line, redirect)
		}
	})
	t.Run("logout --kakao-account", func(t *testing.T) {
		h := newHome(t)
		command, argvFile, _ := argvBrowser(t, h)
		logoutURI := "http://127.0.0.1:" + mustFreePort(t) + "/logout"
		emu, base := newTestEmulator(t, emulator.Config{LogoutRedirectURIs: []string{logoutURI}})
		env := []string{"KAKAO_AUTH_BROWSER=" + command, "KAKAO_CLIENT_ID=" + emulator.DefaultClientID, "KAKAO_AUTH_URL=" + base, "KAKAO_AUTH_STORE=file"}
		p := &proc{cmd: execCommand([]string{"logout", "--kakao-account", "--logout-redirect-uri", logoutURI, "--timeout", "20s"}, h, env, "")}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(t); code != ExitOK {
			t.Fatalf("logout: exit %d\n%s", code, p.stderr.String())
		}
		if got := emu.Stats().AccountLogouts; got != 1 {
			t.Errorf("AccountLogouts = %d, want 1", got)
		}
		argv, _ := os.ReadFile(argvFile)
		if strings.Contains(string(argv), "state=") || strings.Contains(string(argv), "/oauth/logout") {
			t.Errorf("the browser's argv carries Kakao's logout URL with its state: %q", argv)
		}
		if line := strings.TrimSpace(string(argv)); !strings.HasPrefix(line, strings.TrimSuffix(logoutURI, "/logout")+"/start/") {
			t.Errorf("the browser's argv is %q, want the logout's start link on %s", line, logoutURI)
		}
	})
}

// The start link works once. When another local user opens it first, the
// person's browser is the second request: it gets an error page, and the
// run ends at once (exit 1, a failure: nobody denied or cancelled
// anything, and the person should look at what happened) rather than wait
// for the other user's answer.
func TestStartLink_SecondRequestEndsTheRun(t *testing.T) {
	for _, tt := range []struct {
		name string
		args func(t *testing.T) ([]string, map[string]string)
		what string
	}{
		{"login", func(t *testing.T) ([]string, map[string]string) {
			return []string{"login", "--emulator", "--redirect-uri", freeRedirect(t), "--timeout", "10s"}, nil
		}, "login"},
		{"logout --kakao-account", func(t *testing.T) ([]string, map[string]string) {
			logoutURI := "http://127.0.0.1:" + mustFreePort(t) + "/logout"
			_, base := newTestEmulator(t, emulator.Config{LogoutRedirectURIs: []string{logoutURI}})
			return []string{"logout", "--kakao-account", "--logout-redirect-uri", logoutURI, "--timeout", "10s"},
				withDisplay(map[string]string{"KAKAO_CLIENT_ID": emulator.DefaultClientID, "KAKAO_AUTH_URL": base})
		}, "logout"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			args, env := tt.args(t)
			d, stdout, stderr := storeDeps(t.TempDir(), env, "")
			var secondStatus int
			var secondPage string
			opened := make(chan struct{})
			d.OpenBrowser = func(_ context.Context, _, link string) error {
				defer close(opened)
				// The other user, who read the link in ps, stops at the
				// redirect; then the person's browser asks.
				for i := range 2 {
					resp, err := noRedirects.Get(link)
					if err != nil {
						return err
					}
					if i == 1 {
						secondStatus = resp.StatusCode
						body, _ := io.ReadAll(resp.Body)
						secondPage = string(body)
					}
					resp.Body.Close()
				}
				return nil
			}
			code := Main(t.Context(), args, d)
			<-opened
			if code != ExitFailure {
				t.Errorf("exit %d, want %d", code, ExitFailure)
			}
			if secondStatus != 409 || !strings.Contains(secondPage, "This link was already used") {
				t.Errorf("the second request got %d:\n%s", secondStatus, secondPage)
			}
			out := stderr.String()
			for _, want := range []string{
				"kakao-auth: error: this " + tt.what + "'s one-time link was opened a second time, so the " + tt.what + " was stopped: someone else on this machine may have opened it first",
				"kakao-auth: hint: run the " + tt.what + " again and open its link only once",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stderr lacks %q:\n%s", want, out)
				}
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
		})
	}
}
