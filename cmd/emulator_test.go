package cmd

import (
	"encoding/json"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
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
