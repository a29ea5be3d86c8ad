package cmd

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/joho/godotenv"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
)

// TestMain makes kakao-auth and a scripted browser runnable as programs in
// the testscript scripts.
func TestMain(m *testing.M) {
	// Tests that start real kakao-auth processes re-run this binary with
	// this variable set.
	if os.Getenv(asBrowserEnv) == "1" {
		fakeBrowserMain()
		os.Exit(0)
	}
	if os.Getenv(asKakaoAuthEnv) == "1" {
		kakaoAuthMain()
	}
	testscript.Main(keyringtest.Wrap(m), map[string]func(){
		"kakao-auth":   kakaoAuthMain,
		"fake-browser": fakeBrowserMain,
	})
}

// asKakaoAuthEnv makes the test binary behave as kakao-auth, and
// asBrowserEnv as the scripted browser (it wins, so a kakao-auth child can
// run the test binary as its browser command).
const (
	asKakaoAuthEnv = "KAKAO_AUTH_TEST_AS_MAIN"
	asBrowserEnv   = "KAKAO_AUTH_TEST_AS_BROWSER"
)

// kakaoAuthMain is main.go's main.
func kakaoAuthMain() {
	os.Exit(Main(context.Background(), os.Args[1:], DefaultDeps()))
}

// fakeBrowserMain plays a person at a browser: it follows the URL, presses
// Agree (or Cancel with FAKE_BROWSER_DECISION=cancel) on the emulator's
// consent page, picking the account FAKE_BROWSER_USER names when the page
// offers several, and writes the page it ends on to FAKE_BROWSER_PAGE.
func fakeBrowserMain() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: fake-browser URL")
		os.Exit(2)
	}
	ua := &emulator.UserAgent{Decision: emulator.Agree, User: os.Getenv("FAKE_BROWSER_USER")}
	if os.Getenv("FAKE_BROWSER_DECISION") == "cancel" {
		ua.Decision = emulator.Cancel
	}
	page, err := ua.Visit(context.Background(), os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "fake-browser:", err)
		os.Exit(1)
	}
	if out := os.Getenv("FAKE_BROWSER_PAGE"); out != "" {
		// Whole or not at all: a script may be reading it already.
		tmp := out + ".tmp"
		if os.WriteFile(tmp, []byte(page.Body), 0o600) == nil {
			os.Rename(tmp, out)
		}
	}
}

func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			run := filepath.Join(env.WorkDir, "run")
			if err := os.Mkdir(run, 0o700); err != nil {
				return err
			}
			env.Setenv("XDG_RUNTIME_DIR", run)
			env.Setenv("HOME", filepath.Join(env.WorkDir, "home"))
			env.Setenv("XDG_CACHE_HOME", filepath.Join(env.WorkDir, "home", ".cache"))
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(env.WorkDir, "home", ".config"))
			env.Setenv("FAKE_BROWSER_PAGE", filepath.Join(env.WorkDir, "page.html"))
			for _, name := range []string{"PORT", "PORT2", "EMUPORT"} {
				p, err := freePort()
				if err != nil {
					return err
				}
				env.Setenv(name, p)
			}
			env.Setenv("REDIRECT", "http://127.0.0.1:"+env.Getenv("PORT")+"/callback")
			// The keyring scripts use the private gnome-keyring that
			// TestMain starts; CI must have it.
			if !keyringtest.Available() && keyringtest.InCI() {
				return errors.New("CI is set but there is no private keyring (apt-get install dbus gnome-keyring)")
			}
			env.Setenv("DBUS_SESSION_BUS_ADDRESS", os.Getenv("DBUS_SESSION_BUS_ADDRESS"))
			env.Setenv(keyringtest.EnvReady, os.Getenv(keyringtest.EnvReady))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "keyring" {
				return keyringtest.Available(), nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits":     cmdExits,
			"wait-port": cmdWaitPort,
			"wait-page": cmdWaitPage,
			"approve":   cmdApprove,
			"env-file":  cmdEnvFile,
		},
	})
}

// cmdExits runs a program and checks its exact exit code, as a shell's $?
// shows it (128+N when signal N ended the program):
// exits CODE program [args...]
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			got = 128 + int(ws.Signal())
		}
	case err != nil:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// cmdWaitPort waits until something listens on 127.0.0.1:PORT.
func cmdWaitPort(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: wait-port PORT")
	}
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", "127.0.0.1:"+args[0], time.Second)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("nothing listens on port %s", args[0])
}

// cmdWaitPage waits for the page the fake browser ended on to match
// PATTERN. kakao-auth may be done before its browser command has written
// the page down (as a person's browser outlives the login), so a script
// waits for it, up to 10 s, instead of reading it at once.
// wait-page PATTERN
func cmdWaitPage(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: wait-page PATTERN")
	}
	re, err := regexp.Compile(args[0])
	ts.Check(err)
	path := ts.Getenv("FAKE_BROWSER_PAGE")
	deadline := time.Now().Add(10 * time.Second)
	var last []byte
	for time.Now().Before(deadline) {
		if last, err = os.ReadFile(path); err == nil && re.Match(last) {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("the browser's page never matched %q; last seen:\n%s", args[0], last)
}

// cmdApprove plays a person approving on another device: it opens the
// authorize URL in URLFILE (the emulator must auto-approve) and writes the
// address the browser would end on to OUTFILE, without visiting it.
// approve URLFILE OUTFILE
func cmdApprove(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: approve URLFILE OUTFILE")
	}
	authURL := strings.TrimSpace(ts.ReadFile(args[0]))
	resp, err := noRedirects.Get(authURL)
	ts.Check(err)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		ts.Fatalf("authorize answered %s with no redirect", resp.Status)
	}
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(loc+"\n"), 0o600))
}

// cmdEnvFile sets the script's environment from an env file (the env
// format of "kakao-auth export"), read as "gh secret set --env-file" reads
// it.
func cmdEnvFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: env-file FILE")
	}
	vars, err := godotenv.Unmarshal(ts.ReadFile(args[0]))
	ts.Check(err)
	for k, v := range vars {
		ts.Setenv(k, v)
	}
}

// freePort is a loopback port free right now, for a server or a listener
// a test starts later. It comes from below the ephemeral range (Linux's
// default starts at 32768), where the system never hands out ports of its
// own: a port asked for with ":0", by this test or any other running at
// the same time, cannot take it between this pick and its use. Only
// another test's freePort can, one chance in several thousand.
func freePort() (string, error) {
	const lo, hi = 20000, 32000
	for range 200 {
		port := strconv.Itoa(lo + rand.IntN(hi-lo))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			continue
		}
		ln.Close()
		// "localhost" redirect URIs listen on [::1] as well.
		if ln6, err := net.Listen("tcp", "[::1]:"+port); err == nil {
			ln6.Close()
		} else if !errors.Is(err, syscall.EADDRNOTAVAIL) && !errors.Is(err, syscall.EAFNOSUPPORT) {
			continue
		}
		return port, nil
	}
	return "", errors.New("no free loopback port between 20000 and 32000")
}
