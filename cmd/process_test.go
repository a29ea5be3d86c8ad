package cmd

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// proc is a real kakao-auth process (the test binary in disguise) with a
// private home.
type proc struct {
	cmd    *exec.Cmd
	stdout lockedBuffer // read while the process runs (an emulator prints its address)
	stderr lockedBuffer
}

type home struct{ run, config, dir string }

func newHome(t *testing.T) home {
	t.Helper()
	dir := t.TempDir()
	h := home{run: filepath.Join(dir, "run"), config: filepath.Join(dir, "config"), dir: dir}
	if err := os.Mkdir(h.run, 0o700); err != nil {
		t.Fatal(err)
	}
	return h
}

// cache is the home's user cache directory (XDG_CACHE_HOME).
func (h home) cache() string { return filepath.Join(h.dir, "cache") }

func (h home) sessionFiles(t *testing.T) []string {
	t.Helper()
	entries, _ := os.ReadDir(filepath.Join(h.run, "kakao-auth"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// execCommand prepares kakao-auth with args in home h, with extra env
// entries and stdin.
func execCommand(args []string, h home, env []string, stdin string) *exec.Cmd {
	c := exec.Command(os.Args[0], args...)
	c.Env = append(os.Environ(), asKakaoAuthEnv+"=1", "XDG_RUNTIME_DIR="+h.run, "XDG_CONFIG_HOME="+h.config,
		"XDG_CACHE_HOME="+h.cache(), "HOME="+h.dir, "KAKAO_AUTH_PROFILE=", "KAKAO_AUTH_STORE=", "KAKAO_CLIENT_ID=", "KAKAO_CLIENT_SECRET=",
		"KAKAO_REFRESH_TOKEN=", "KAKAO_AUTH_URL=", "KAKAO_API_URL=", "KAKAO_AUTH_BROWSER=", "BROWSER=", "GITHUB_ACTIONS=", "CI=")
	c.Env = append(c.Env, env...)
	c.Stdin = strings.NewReader(stdin)
	return c
}

func startKakaoAuth(t *testing.T, h home, args ...string) *proc {
	t.Helper()
	p := &proc{cmd: execCommand(args, h, []string{quickExit()}, "")}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.cmd.Process.Kill(); p.cmd.Wait() })
	return p
}

func (p *proc) waitFor(t *testing.T, text string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if strings.Contains(p.stderr.String(), text) {
			return
		}
	}
	t.Fatalf("never saw %q; stderr:\n%s", text, p.stderr.String())
}

func (p *proc) exitCode(t *testing.T) int {
	t.Helper()
	err := p.cmd.Wait()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

func TestLogin_SignalsEndTheRunCleanly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix signals")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			h := newHome(t)
			port := mustFreePort(t)
			p := startKakaoAuth(t, h, "login", "--emulator", "--redirect-uri", "http://127.0.0.1:"+port+"/callback", "--browser-command", "true")
			p.waitFor(t, "Waiting for the browser")
			if n := len(h.sessionFiles(t)); n != 1 {
				t.Fatalf("%d session files while waiting, want 1", n)
			}
			p.cmd.Process.Signal(sig)
			if code := p.exitCode(t); code != ExitCancelled {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, ExitCancelled, p.stderr.String())
			}
			if !strings.Contains(p.stderr.String(), "kakao-auth: error: login cancelled") {
				t.Errorf("stderr does not say the login was cancelled:\n%s", p.stderr.String())
			}
			if files := h.sessionFiles(t); len(files) != 0 {
				t.Errorf("session files left: %v", files)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:"+port)
			if err != nil {
				t.Fatalf("port %s not free right after the run: %v", port, err)
			}
			ln.Close()
		})
	}
}

func TestLogin_SessionOfAKilledRunIsSweptNextTime(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix signals")
	}
	h := newHome(t)
	port := mustFreePort(t)
	p := startKakaoAuth(t, h, "login", "--emulator", "--redirect-uri", "http://127.0.0.1:"+port+"/callback", "--browser-command", "true")
	p.waitFor(t, "Waiting for the browser")
	p.cmd.Process.Kill()
	p.cmd.Wait()
	left := h.sessionFiles(t)
	if len(left) != 1 {
		t.Fatalf("after SIGKILL: session files %v, want the one left behind", left)
	}
	// Any next run sweeps it; --no-wait leaves only its own.
	next := startKakaoAuth(t, h, "login", "--no-wait", "--client-id", "k", "--redirect-uri", "http://127.0.0.1:"+port+"/callback")
	if code := next.exitCode(t); code != ExitOK {
		t.Fatalf("login --no-wait: exit %d\n%s", code, next.stderr.String())
	}
	for _, f := range h.sessionFiles(t) {
		if f == left[0] {
			t.Errorf("the killed run's session %s was not swept", f)
		}
	}
}

func TestLogin_TwoAtOnceOnOneProfile(t *testing.T) {
	h := newHome(t)
	redirect := freeRedirect(t)
	var procs []*proc
	for range 2 {
		p := startKakaoAuth(t, h, "login", "--emulator", "--profile", "shared", "--output", "text",
			"--redirect-uri", redirect, "--browser-command", "env "+asBrowserEnv+"=1 '"+os.Args[0]+"'", "--timeout", "20s")
		procs = append(procs, p)
	}
	var wg sync.WaitGroup
	codes := make([]int, len(procs))
	for i, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); codes[i] = p.exitCode(t) }()
	}
	wg.Wait()
	var printed []string
	for i, p := range procs {
		switch {
		case codes[i] == ExitOK:
			printed = append(printed, strings.TrimSpace(p.stdout.String()))
		case codes[i] == ExitFailure && strings.Contains(p.stderr.String(), "is in use"):
		default:
			t.Errorf("login %d: exit %d\n%s", i, codes[i], p.stderr.String())
		}
	}
	if len(printed) == 0 {
		t.Fatal("neither login finished")
	}
	rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}.TokensDir()}).Load(t.Context(), "shared")
	if err != nil {
		t.Fatalf("stored record: %v", err)
	}
	whole := false
	for _, tok := range printed {
		whole = whole || rec.AccessToken == tok
	}
	if !whole {
		t.Errorf("stored access token is none of the finished logins' %v", printed)
	}
}
