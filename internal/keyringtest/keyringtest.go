// Package keyringtest gives a test binary a real Secret Service of its own:
// a private D-Bus session bus and an unlocked, throwaway gnome-keyring,
// started before the tests and stopped after them. The person's own bus and
// keyrings are never used: while the tests run, DBUS_SESSION_BUS_ADDRESS
// names the private bus or, when none could be started, a bus that does not
// exist.
//
// Use it from TestMain:
//
//	func TestMain(m *testing.M) { os.Exit(keyringtest.Wrap(m).Run()) }
//
// and call Require at the top of each test that needs the keyring: it skips
// with the reason when the system has no gnome-keyring, except under CI,
// where a missing keyring is a failure.
package keyringtest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"
)

// EnvReady is "1" in the environment of a test binary (and of the processes
// it starts) whose DBUS_SESSION_BUS_ADDRESS is a private keyring's bus.
const EnvReady = "KAKAO_AUTH_TEST_KEYRING"

// noBus is the bus address used when there is no private keyring: a path
// that cannot exist, so a keyring call fails at once instead of reaching the
// person's own keyring.
const noBus = "unix:path=/nonexistent/kakao-auth-test-no-bus"

// startTimeout bounds how long the daemons may take to come up.
const startTimeout = 10 * time.Second

// unavailable says why this process has no private keyring ("" when it has).
var unavailable = "the private keyring was not started (call keyringtest.Wrap in TestMain)"

// Runner is what testing.M and testscript's Main have in common.
type Runner interface{ Run() int }

type wrapped struct{ m Runner }

// Wrap returns m whose Run first starts a private keyring (or inherits the
// one a parent test process started) and stops it once the tests are done.
func Wrap(m Runner) Runner { return wrapped{m} }

func (w wrapped) Run() int {
	stop, err := setUp()
	if err != nil {
		unavailable = err.Error()
		os.Setenv("DBUS_SESSION_BUS_ADDRESS", noBus)
		os.Unsetenv(EnvReady)
	} else {
		unavailable = ""
	}
	defer stop()
	return w.m.Run()
}

// Available reports whether the private keyring serves this process.
func Available() bool {
	return os.Getenv(EnvReady) == "1" && os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
}

// Require skips t when there is no private keyring, saying why; under CI
// (CI set to anything but "false") it fails t instead: CI installs dbus and
// gnome-keyring, so a missing keyring there is a broken setup.
func Require(t testing.TB) {
	t.Helper()
	if Available() {
		return
	}
	reason := unavailable
	if reason == "" {
		reason = "DBUS_SESSION_BUS_ADDRESS or " + EnvReady + " is not set"
	}
	if InCI() {
		t.Fatalf("CI is set but there is no private keyring: %s (apt-get install dbus gnome-keyring)", reason)
	}
	t.Skipf("no private keyring: %s (apt-get install dbus gnome-keyring to run this test)", reason)
}

// InCI reports whether the tests run in CI, where no test may skip for want
// of a system part.
func InCI() bool {
	v := os.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}

// setUp starts the bus and the keyring, unless a parent process already
// did (its children inherit the environment).
func setUp() (stop func(), err error) {
	stop = func() {}
	if Available() {
		return stop, nil
	}
	daemons := []string{"dbus-daemon", "gnome-keyring-daemon"}
	paths := make([]string, len(daemons))
	for i, name := range daemons {
		if paths[i], err = exec.LookPath(name); err != nil {
			return stop, fmt.Errorf("%s is not installed", name)
		}
	}
	dir, err := os.MkdirTemp("", "kakao-auth-keyring-")
	if err != nil {
		return stop, err
	}
	var procs []*exec.Cmd
	stop = func() {
		for i := len(procs) - 1; i >= 0; i-- {
			procs[i].Process.Kill()
			procs[i].Wait()
		}
		os.RemoveAll(dir)
	}
	fail := func(err error) (func(), error) {
		stop()
		return func() {}, err
	}

	// The daemons, and whatever the bus starts on demand (dconf-service,
	// when a test's chromium reads a setting), see a home of their own
	// in dir, so that no test writes to the home of whoever runs it
	// (dconf-service's ~/.cache/dconf, for one). The password only guards
	// this throwaway keyring.
	for _, sub := range []string{"home", "data", "run"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			return fail(err)
		}
	}
	home := filepath.Join(dir, "home")
	env := append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_DATA_HOME="+filepath.Join(dir, "data"), "XDG_RUNTIME_DIR="+filepath.Join(dir, "run"))

	// The bus prints its address once it listens.
	bus := exec.Command(paths[0], "--session", "--nofork", "--nopidfile", "--print-address")
	bus.Env = env
	bus.SysProcAttr = dieWithParent()
	out, err := bus.StdoutPipe()
	if err != nil {
		return fail(err)
	}
	if err := bus.Start(); err != nil {
		return fail(fmt.Errorf("start dbus-daemon: %w", err))
	}
	procs = append(procs, bus)
	addr, err := readLine(out, startTimeout)
	if err != nil {
		return fail(fmt.Errorf("dbus-daemon did not print its address: %w", err))
	}
	go io.Copy(io.Discard, out)

	keyring := exec.Command(paths[1], "--foreground", "--unlock", "--components=secrets")
	keyring.Env = append(env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	keyring.Stdin = strings.NewReader("kakao-auth-test")
	keyring.SysProcAttr = dieWithParent()
	if err := keyring.Start(); err != nil {
		return fail(fmt.Errorf("start gnome-keyring-daemon: %w", err))
	}
	procs = append(procs, keyring)
	if err := waitUnlocked(addr, startTimeout); err != nil {
		return fail(err)
	}
	os.Setenv("DBUS_SESSION_BUS_ADDRESS", addr)
	os.Setenv(EnvReady, "1")
	return stop, nil
}

// readLine reads the first line of r, waiting at most d.
func readLine(r io.Reader, d time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		ch <- result{strings.TrimSpace(line), err}
	}()
	select {
	case res := <-ch:
		if res.line == "" {
			return "", errors.Join(errors.New("empty output"), res.err)
		}
		return res.line, nil
	case <-time.After(d):
		return "", errors.New("timed out")
	}
}

// waitUnlocked waits until the keyring owns org.freedesktop.secrets on the
// bus at addr and its default collection is unlocked, so a broken setup
// fails here and not as a confusing test failure.
func waitUnlocked(addr string, d time.Duration) error {
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("connect to the private bus: %w", err)
	}
	defer conn.Close()
	deadline := time.Now().Add(d)
	for {
		var owned bool
		err := conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.freedesktop.secrets").Store(&owned)
		if err == nil && owned {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("gnome-keyring-daemon did not start its Secret Service")
		}
		time.Sleep(20 * time.Millisecond)
	}
	v, err := conn.Object("org.freedesktop.secrets", "/org/freedesktop/secrets/aliases/default").
		GetProperty("org.freedesktop.Secret.Collection.Locked")
	if err != nil {
		return fmt.Errorf("read the keyring's lock state: %w", err)
	}
	if locked, ok := v.Value().(bool); !ok || locked {
		return errors.New("the private keyring is locked")
	}
	return nil
}
