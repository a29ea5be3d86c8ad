package cmd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// nobodyUID is the other local user of the take-over test: "nobody" on
// Debian and most Linux systems.
const nobodyUID = 65534

// The start link is in the browser's arguments, which every local user
// can read. Another user who reads it and asks for it before the person's
// browser does (a browser still starting up takes a second; a script
// polling /proc, some milliseconds) would otherwise get Kakao's URL with
// the state, approve it with their own account and log this run in as
// them. The listener sees that the request comes from another user's
// socket, refuses it without Kakao's URL, and ends the login.
//
// The other user is a real one, nobody (uid 65534), running curl, which
// follows every redirect as far as it gets: through the emulator's
// automatic approval (a Kakao account that approved the app before) back
// to the callback. Switching users needs root.
func TestStartLink_AnotherUserIsRefusedAndEndsTheLogin(t *testing.T) {
	curl := otherUserCurl(t)
	for _, tt := range []struct {
		name string
		what string // "login" or "logout"
		// viaStart: the other user takes the start link the browser was
		// given; otherwise the authorize URL --no-browser printed (one
		// who looks over the person's shoulder), answered at the callback.
		viaStart bool
		args     func(redirect string) []string
		cfg      func(redirect string) emulator.Config
	}{
		{"login: the start link", "login", true,
			func(redirect string) []string {
				return []string{"login", "--redirect-uri", redirect, "--timeout", "20s"}
			},
			func(redirect string) emulator.Config {
				return emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}}
			}},
		{"login --no-browser: the callback", "login", false,
			func(redirect string) []string {
				return []string{"login", "--no-browser", "--redirect-uri", redirect, "--timeout", "20s"}
			},
			func(redirect string) emulator.Config {
				return emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}}
			}},
		{"logout --kakao-account: the start link", "logout", true,
			func(redirect string) []string {
				return []string{"logout", "--kakao-account", "--logout-redirect-uri", redirect, "--timeout", "20s"}
			},
			func(redirect string) emulator.Config { return emulator.Config{LogoutRedirectURIs: []string{redirect}} }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			linkFile := filepath.Join(h.dir, "link")
			// A browser that is slow to start: its launcher returns at
			// once, and the browser itself never gets to the link.
			browser := filepath.Join(h.dir, "browser.sh")
			script := "#!/bin/sh\nprintf '%s' \"$1\" > '" + linkFile + ".tmp' && mv '" + linkFile + ".tmp' '" + linkFile + "'\n"
			if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
				t.Fatal(err)
			}
			redirect := "http://127.0.0.1:" + mustFreePort(t) + "/" + tt.what
			emu, base := newTestEmulator(t, tt.cfg(redirect))
			env := []string{"KAKAO_AUTH_BROWSER=" + browser, "KAKAO_CLIENT_ID=" + emulator.DefaultClientID, "KAKAO_AUTH_URL=" + base, "KAKAO_API_URL=" + base, "KAKAO_AUTH_STORE=file"}
			p := &proc{cmd: execCommand(tt.args(redirect), h, env, "")}
			p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })

			var target string
			if tt.viaStart {
				for deadline := time.Now().Add(20 * time.Second); target == ""; time.Sleep(5 * time.Millisecond) {
					if time.Now().After(deadline) {
						t.Fatalf("the browser command never ran; stderr:\n%s", p.stderr.String())
					}
					link, _ := os.ReadFile(linkFile)
					target = string(link)
				}
			} else {
				p.waitFor(t, "still waiting for the browser")
				m := regexp.MustCompile(`(?m)^  (http://\S+/oauth/authorize\S+)$`).FindStringSubmatch(p.stderr.String())
				if m == nil {
					t.Fatalf("no authorize URL on stderr:\n%s", p.stderr.String())
				}
				target = m[1]
			}
			headers := curl(t, target)
			code := p.exitCode(t)
			stderr := p.stderr.String()

			statuses := regexp.MustCompile(`(?m)^HTTP/\S+ (\d+)`).FindAllStringSubmatch(headers, -1)
			if len(statuses) == 0 || statuses[len(statuses)-1][1] != "403" {
				t.Errorf("the other user's requests were answered:\n%s\nwant the last one refused with 403", headers)
			}
			if tt.viaStart && (len(statuses) != 1 || emu.Stats().AuthorizeRequests != 0) {
				t.Errorf("the other user was sent on from the start link to Kakao (%d authorize requests):\n%s", emu.Stats().AuthorizeRequests, headers)
			}
			if st := emu.Stats(); st.CodeExchanges != 0 || st.AccountLogouts != 0 {
				t.Errorf("the emulator saw %d code exchanges and %d account logouts, want none", st.CodeExchanges, st.AccountLogouts)
			}
			if code != ExitFailure {
				t.Errorf("exit %d, want %d", code, ExitFailure)
			}
			for _, want := range []string{
				"kakao-auth: error: someone else on this machine, user nobody (uid 65534), tried to take over this " + tt.what + ": their request to its local link was refused and the " + tt.what + " was stopped; kakao-auth sent nothing to Kakao",
				"kakao-auth: hint: ",
			} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if strings.Contains(stderr, "Logged in") || strings.Contains(stderr, "logged out of Kakao") {
				t.Errorf("the %s went through with the other user's answer:\n%s", tt.what, stderr)
			}
			if _, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}.TokensDir()}).Load(t.Context(), "default"); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("a token was stored (Load: %v)", err)
			}
		})
	}
}

// otherUserCurl returns a function that GETs a URL with curl as nobody,
// following every redirect, and returns the headers of every response.
// Switching users needs root: it skips without, except under CI.
func otherUserCurl(t *testing.T) func(t *testing.T, url string) string {
	t.Helper()
	curl := curlAs(t)
	return func(t *testing.T, url string) string { t.Helper(); return curl(t, nobodyUID, url) }
}

// curlAs is otherUserCurl for any uid.
func curlAs(t *testing.T) func(t *testing.T, uid uint32, url string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		if keyringtest.InCI() {
			t.Fatal("CI runs as root and must run the test as another user (nobody, uid 65534)")
		}
		t.Skip("not root: cannot run a process as another user (nobody, uid 65534)")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		if keyringtest.InCI() {
			t.Fatal("curl is not installed, and CI must run the test as another user")
		}
		t.Skip("curl is not installed")
	}
	return func(t *testing.T, uid uint32, url string) string {
		t.Helper()
		c := exec.Command(curl, "-s", "-L", "--max-time", "10", "-o", "/dev/null", "-D", "-", url)
		c.Dir = "/"
		c.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
		c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		out, err := c.Output()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("run curl as uid %d: %v", uid, err)
		}
		return string(out)
	}
}

// The same with a person who is not root (the tests above run as root,
// who passes anyway): kakao-auth itself runs as nobody. The person's own
// browser, another process of nobody, gets through and logs in, and so
// does root's; a process of a uid with no name at all is refused, and named
// by its uid.
func TestListener_NonRootPersonsBrowserAndRootPassAnotherUIDDoesNot(t *testing.T) {
	curl := curlAs(t)
	// nobody must be able to run the test binary and own its home: the
	// test's own temporary directories are root's, mode 0700.
	binDir, err := os.MkdirTemp("", "kakao-auth-peer-bin-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(binDir) })
	bin := filepath.Join(binDir, "kakao-auth")
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		uid       uint32
		wantCode  int
		wantLines []string
	}{
		{"the person's own browser", nobodyUID, ExitOK, []string{"Logged in as Kakao user"}},
		{"root, who can read the person's files anyway", 0, ExitOK, []string{"Logged in as Kakao user"}},
		{"a uid with no name", nobodyUID - 1, ExitFailure, []string{
			"kakao-auth: error: someone else on this machine, uid 65533, tried to take over this login",
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir, err := os.MkdirTemp("", "kakao-auth-peer-home-")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			h := home{run: filepath.Join(dir, "run"), config: filepath.Join(dir, "config"), dir: dir}
			linkFile := filepath.Join(dir, "link")
			browser := filepath.Join(dir, "browser.sh")
			script := "#!/bin/sh\nprintf '%s' \"$1\" > '" + linkFile + ".tmp' && mv '" + linkFile + ".tmp' '" + linkFile + "'\n"
			if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{h.run, h.config} {
				if err := os.Mkdir(p, 0o700); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range []string{dir, h.run, h.config, browser} {
				if err := os.Chown(p, nobodyUID, nobodyUID); err != nil {
					t.Fatal(err)
				}
			}
			redirect := freeRedirect(t)
			emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
			env := []string{"KAKAO_AUTH_BROWSER=" + browser, "KAKAO_CLIENT_ID=" + emulator.DefaultClientID, "KAKAO_AUTH_URL=" + base, "KAKAO_API_URL=" + base, "KAKAO_AUTH_STORE=file"}
			p := &proc{cmd: execCommand([]string{"login", "--redirect-uri", redirect, "--timeout", "20s"}, h, env, "")}
			p.cmd.Path, p.cmd.Args[0], p.cmd.Dir = bin, bin, "/"
			p.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID}}
			p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
			if err := p.cmd.Start(); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
			var link []byte
			for deadline := time.Now().Add(20 * time.Second); len(link) == 0; time.Sleep(5 * time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatalf("the browser command never ran; stderr:\n%s", p.stderr.String())
				}
				link, _ = os.ReadFile(linkFile)
			}
			headers := curl(t, tt.uid, string(link))
			if code := p.exitCode(t); code != tt.wantCode {
				t.Errorf("exit %d, want %d", code, tt.wantCode)
			}
			for _, want := range tt.wantLines {
				if !strings.Contains(p.stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
				}
			}
			if n := emu.Stats().CodeExchanges; (n == 1) != (tt.wantCode == ExitOK) {
				t.Errorf("%d code exchanges; the browser's requests were answered:\n%s", n, headers)
			}
		})
	}
}
