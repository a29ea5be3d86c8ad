package cmd

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// --allow-remote serves beyond loopback with a warning, and --public-url is
// what discovery and the issuer say. Only a loopback client is used.
func TestEmulator_AllowRemoteWarnsAndPublicURLIsTheIssuer(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix signals")
	}
	h := newHome(t)
	port := mustFreePort(t)
	public := "http://kakao-emulator:" + port
	p := startKakaoAuth(t, h, "emulator", "--allow-remote", "--addr", "0.0.0.0:"+port, "--public-url", public+"/")
	p.waitFor(t, "Press Ctrl-C to stop.")
	for _, want := range []string{
		"Kakao emulator listening on http://127.0.0.1:" + port,
		"public URL:    " + public,
		"kakao-auth: warning: the emulator listens on 0.0.0.0:" + port + ", beyond this machine: it hands tokens for its fake users to anyone who can reach it.",
	} {
		if !strings.Contains(p.stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, p.stderr.String())
		}
	}

	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	var d map[string]any
	err = json.NewDecoder(resp.Body).Decode(&d)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if d["issuer"] != public || d["token_endpoint"] != public+"/oauth/token" {
		t.Errorf("discovery issuer %v, token_endpoint %v; want %s and its /oauth/token", d["issuer"], d["token_endpoint"], public)
	}

	p.cmd.Process.Signal(os.Interrupt)
	if code := p.exitCode(t); code != ExitOK {
		t.Errorf("exit code %d, want 0; stderr:\n%s", code, p.stderr.String())
	}
	if got := p.stdout.String(); got != public+"\n" {
		t.Errorf("stdout = %q, want the public URL", got)
	}
}

// Flags of the emulator's app settings reach its Config as given; an
// empty --scopes-required means none, its absence the emulator's default.
func TestEmulatorCmd_AppSettingsReachTheConfig(t *testing.T) {
	tests := []struct {
		args []string
		want emulator.Config
	}{
		{nil, emulator.Config{}},
		{[]string{"--scopes-required", "account_email,talk_message"}, emulator.Config{ScopesRequired: []string{"account_email", "talk_message"}}},
		{[]string{"--scopes-required", ""}, emulator.Config{ScopesRequired: []string{}}},
		{[]string{"--logout-redirect-uri", "http://127.0.0.1:8765/bye", "--logout-redirect-uri", "http://localhost:9000/logout"},
			emulator.Config{LogoutRedirectURIs: []string{"http://127.0.0.1:8765/bye", "http://localhost:9000/logout"}}},
	}
	for _, tt := range tests {
		d, _, _ := testDeps(nil, "")
		var got emulator.Config
		c := NewEmulatorCmd(d, func(_ context.Context, o *EmulatorOptions) error { got = o.Config; return nil })
		c.SetArgs(tt.args)
		c.SetOut(io.Discard)
		c.SetErr(io.Discard)
		if err := c.Execute(); err != nil {
			t.Fatalf("emulator %q: %v", tt.args, err)
		}
		// The lifetimes have flag defaults; compare the rest.
		got.AccessTTL, got.RefreshTTL = 0, 0
		// nil (the default) and empty (none) differ.
		if diff := cmp.Diff(tt.want, got, cmp.Comparer(func(a, b []string) bool {
			return (a == nil) == (b == nil) && slices.Equal(a, b)
		})); diff != "" {
			t.Errorf("emulator %q: Config mismatch (-want +got):\n%s", tt.args, diff)
		}
	}
}

// A busy --addr says so plainly, not a nested "start the emulator: start
// emulator: listen …", and exits 1 as login's busy port does.
func TestEmulator_BusyAddressSaysSo(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	d, stdout, stderr := testDeps(nil, "")
	if code := Main(t.Context(), []string{"emulator", "--addr", l.Addr().String()}, d); code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	want := "kakao-auth: error: " + l.Addr().String() + " is already in use\n"
	if !strings.HasPrefix(stderr.String(), want) || !strings.Contains(stderr.String(), "hint: ") || strings.Contains(stderr.String(), "listen tcp") {
		t.Errorf("stderr = %q, want it to start with %q and give a hint", stderr, want)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q", stdout)
	}
}

// The banner lists the users file's accounts; that file is outside text,
// so a nickname cannot move the cursor or print a line of its own.
func TestEmulatorBanner_UsersAreShownSafely(t *testing.T) {
	got := describeUser(emulator.User{ID: 7, Nickname: "Ryan\x1b[2J\r\nkakao-auth: fake\u009b31m\u202e", Email: "r@example.com"})
	if strings.ContainsAny(got, "\x1b\r\n\u009b\u202e") {
		t.Errorf("describeUser() = %q, want no control characters", got)
	}
	if !strings.Contains(got, "r@example.com") || !strings.HasSuffix(got, " 7") {
		t.Errorf("describeUser() = %q, want the email and the ID kept", got)
	}
}
