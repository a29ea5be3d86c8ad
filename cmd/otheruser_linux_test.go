package cmd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
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
	h := newHome(t)
	linkFile := filepath.Join(h.dir, "link")
	// A browser that is slow to start: its launcher returns at once, and
	// the browser itself never gets to the link during the test.
	browser := filepath.Join(h.dir, "browser.sh")
	script := "#!/bin/sh\nprintf '%s' \"$1\" > '" + linkFile + ".tmp' && mv '" + linkFile + ".tmp' '" + linkFile + "'\n"
	if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}
	redirect := freeRedirect(t)
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})
	env := []string{"KAKAO_AUTH_BROWSER=" + browser, "KAKAO_CLIENT_ID=" + emulator.DefaultClientID, "KAKAO_AUTH_URL=" + base, "KAKAO_API_URL=" + base, "KAKAO_AUTH_STORE=file"}
	p := &proc{cmd: execCommand([]string{"login", "--redirect-uri", redirect, "--timeout", "20s"}, h, env, "")}
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
	// curl prints the headers of every response it follows, and nothing
	// else.
	attacker := exec.Command(curl, "-s", "-L", "--max-time", "10", "-o", "/dev/null", "-D", "-", string(link))
	attacker.Dir = "/"
	attacker.Env = []string{"PATH=/usr/bin:/bin", "HOME=/nonexistent"}
	attacker.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID}}
	headers, err := attacker.Output()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run curl as uid %d: %v", nobodyUID, err)
	}
	code := p.exitCode(t)
	stderr := p.stderr.String()

	if first, _, _ := strings.Cut(string(headers), "\n"); !strings.Contains(first, " 403") {
		t.Errorf("the other user's request for the start link got %q, want 403", strings.TrimSpace(first))
	}
	if strings.Contains(strings.ToLower(string(headers)), "location:") || strings.Contains(string(headers), "state=") {
		t.Errorf("the other user was sent on to Kakao:\n%s", headers)
	}
	if code != ExitFailure {
		t.Errorf("login: exit %d, want %d", code, ExitFailure)
	}
	for _, want := range []string{
		"kakao-auth: error: someone else on this machine, user nobody (uid 65534), tried to take over this login",
		"kakao-auth: hint: ",
		"--no-browser",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "Logged in") {
		t.Errorf("the login went through with the other user's answer:\n%s", stderr)
	}
	if _, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}.TokensDir()}).Load(t.Context(), "default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("a token was stored (Load: %v)", err)
	}
}
