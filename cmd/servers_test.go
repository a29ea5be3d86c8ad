package cmd

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Base URLs must be https://, or http:// on a loopback host; anything
// else would carry the code, the client secret and the refresh token (or
// the access token) in the clear, and is a usage error with a hint, unless
// the user opts in.
func TestLogin_CleartextServerIsAUsageError(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		refused bool
	}{
		{"https", []string{"--auth-url", "https://kauth.example.com", "--api-url", "https://kapi.example.com"}, nil, false},
		{"localhost", []string{"--auth-url", "http://localhost:9339", "--api-url", "http://LOCALHOST:9339"}, nil, false},
		{"127.0.0.0/8", []string{"--auth-url", "http://127.0.0.1:9339", "--api-url", "http://127.8.9.10:1"}, nil, false},
		{"::1", []string{"--auth-url", "http://[::1]:9339", "--api-url", "http://[::1]"}, nil, false},
		{"http auth flag", []string{"--auth-url", "http://kauth.example.com"}, nil, true},
		{"http api flag", []string{"--api-url", "http://kapi.example.com"}, nil, true},
		{"http auth env", nil, map[string]string{envAuthURL: "http://192.0.2.1:9339"}, true},
		{"http api env", nil, map[string]string{envAPIURL: "http://[2001:db8::1]:9339/"}, true},
		{"any address", []string{"--auth-url", "http://0.0.0.0:9339"}, nil, true},
		{"a name ending in localhost", []string{"--auth-url", "http://localhost.example.com"}, nil, true},
		{"not http", []string{"--auth-url", "ftp://kauth.example.com"}, nil, true},
		{"no scheme", []string{"--auth-url", "kauth.kakao.com"}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, stderr := testDeps(tt.env, "")
			ran := false
			c := NewLoginCmd(d, func(context.Context, *LoginOptions) error { ran = true; return nil })
			c.SetArgs(append([]string{"--client-id", "k"}, tt.args...))
			err := c.Execute()
			if !tt.refused {
				if err != nil || !ran || stderr.Len() != 0 {
					t.Errorf("Execute() = %v, stderr %q; want it accepted quietly", err, stderr)
				}
				return
			}
			var ue *usageError
			if !errors.As(err, &ue) || ran {
				t.Fatalf("Execute() = %v, want a usage error before anything runs", err)
			}
			hint := ue.Hint()
			if !strings.Contains(hint, "https://") {
				t.Errorf("hint %q does not say https://", hint)
			}
			// Only a cleartext server can be allowed by the opt-in.
			if optIn := !strings.HasPrefix(tt.name, "no") && !strings.HasPrefix(tt.name, "not"); optIn && (!strings.Contains(hint, "--allow-insecure-http") || !strings.Contains(hint, "KAKAO_AUTH_ALLOW_INSECURE_HTTP=1")) {
				t.Errorf("hint %q does not name the flag and the env", hint)
			}
		})
	}
}

// kakaoAt returns a URL that reaches base's emulator (on 127.0.0.1) but is
// not a loopback URL: 0.0.0.0, which connects to this machine on Linux and
// macOS, the way a container's emulator is reached by name.
func kakaoAt(t *testing.T, base string) string {
	t.Helper()
	port := base[strings.LastIndex(base, ":")+1:]
	conn, err := net.Dial("tcp", "0.0.0.0:"+port)
	if err != nil {
		t.Skip("0.0.0.0 does not reach this machine here:", err)
	}
	conn.Close()
	return "http://0.0.0.0:" + port
}

// With the opt-in, a cleartext server is used, and every run that talks to
// it warns; the stored profile remembers the opt-in.
func TestLogin_OptInAllowsACleartextServerAndWarnsEachRun(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	insecure := kakaoAt(t, emuURL)
	root := t.TempDir()
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)

	d, _, stderr := storeDeps(root, nil, "")
	d.OpenBrowser = agreeingBrowser
	code := Main(t.Context(), []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", insecure, "--api-url", insecure,
		"--redirect-uri", redirect, "--store", "file", "--allow-insecure-http"}, d)
	if code != ExitOK {
		t.Fatalf("login exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Count(stderr.String(), "kakao-auth: warning: ") != 1 || !strings.Contains(stderr.String(), insecure) || !strings.Contains(stderr.String(), "in the clear") {
		t.Errorf("login stderr = %q, want one warning naming %s", stderr, insecure)
	}
	if rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default"); err != nil || !rec.AllowInsecureHTTP {
		t.Errorf("stored login = %+v, %v; want the opt-in kept", rec, err)
	}
	for _, args := range [][]string{{"token", "--force-refresh"}, {"status"}} {
		d, stdout, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), args, d); code != ExitOK || stdout.Len() == 0 {
			t.Errorf("%v: exit %d, stdout %q; stderr:\n%s", args, code, stdout, stderr)
		}
		if strings.Count(stderr.String(), "kakao-auth: warning: ") != 1 || !strings.Contains(stderr.String(), "in the clear") {
			t.Errorf("%v: stderr = %q, want one cleartext warning", args, stderr)
		}
	}
}

// A stored profile whose server is cleartext, stored without the opt-in,
// is refused rather than used: exit 2, a hint, the record as it was, and
// nothing sent. The env opt-in lets it be used, with a warning.
func TestToken_StoredCleartextServerIsRefusedWithoutTheOptIn(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	insecure := kakaoAt(t, emuURL)
	root := t.TempDir()
	loggedInProfile(t, insecure, root, "default")
	file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
	before, _ := os.ReadFile(file)
	stats := emu.Stats()

	for _, args := range [][]string{{"token"}, {"refresh"}, {"userinfo"}, {"logout", "--revoke"}} {
		d, stdout, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), args, d); code != ExitUsage {
			t.Errorf("%v: exit %d, want 2; stderr:\n%s", args, code, stderr)
		}
		if stdout.Len() != 0 || !strings.Contains(stderr.String(), insecure) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") || !strings.Contains(stderr.String(), "KAKAO_AUTH_ALLOW_INSECURE_HTTP=1") {
			t.Errorf("%v: stdout %q, stderr %q; want the URL refused with a hint", args, stdout, stderr)
		}
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Error("the stored record changed")
	}
	if got := emu.Stats(); got != stats {
		t.Errorf("the cleartext server was asked: stats %+v, before %+v", got, stats)
	}

	d, stdout, stderr := storeDeps(root, map[string]string{"KAKAO_AUTH_ALLOW_INSECURE_HTTP": "1"}, "")
	if code := Main(t.Context(), []string{"token"}, d); code != ExitOK || stdout.Len() == 0 || !strings.Contains(stderr.String(), "kakao-auth: warning: ") {
		t.Errorf("with the env opt-in: exit %d, stdout %q, stderr %q; want the token and a warning", code, stdout, stderr)
	}
}

// Env-only mode (CI) checks KAKAO_AUTH_URL the same way.
func TestEnvToken_CleartextAuthURLNeedsTheOptIn(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	insecure := kakaoAt(t, emuURL)
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	env := map[string]string{envRefreshToken: rec.RefreshToken, envClientID: emulator.DefaultClientID, envAuthURL: insecure}

	d, stdout, stderr := storeDeps(root, env, "")
	if code := Main(t.Context(), []string{"token"}, d); code != ExitUsage || stdout.Len() != 0 || !strings.Contains(stderr.String(), "KAKAO_AUTH_ALLOW_INSECURE_HTTP=1") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a usage error with a hint", code, stdout, stderr)
	}
	if n := emu.Stats().Refreshes + emu.Stats().TokenErrors; n != 0 {
		t.Errorf("the cleartext server got %d token requests", n)
	}
	env["KAKAO_AUTH_ALLOW_INSECURE_HTTP"] = "1"
	d, stdout, stderr = storeDeps(root, env, "")
	if code := Main(t.Context(), []string{"token"}, d); code != ExitOK || stdout.Len() == 0 || !strings.Contains(stderr.String(), "in the clear") {
		t.Errorf("with the opt-in: exit %d, stdout %q, stderr %q; want the token and a warning", code, stdout, stderr)
	}
}

// A two-step login resumed from a session file whose server is cleartext
// needs the opt-in on the resuming run too; without it the code is not
// sent.
func TestLoginResume_SessionWithACleartextServerNeedsTheOptIn(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	insecure := kakaoAt(t, emuURL)
	root := t.TempDir()
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	env := map[string]string{envClientID: emulator.DefaultClientID, envAuthURL: insecure, envAPIURL: insecure, envStore: "file"}

	d, stdout, stderr := storeDeps(root, env, "")
	if code := Main(t.Context(), []string{"login", "--no-wait", "--redirect-uri", redirect, "--allow-insecure-http"}, d); code != ExitOK {
		t.Fatalf("login --no-wait: exit %d; stderr:\n%s", code, stderr)
	}
	resp, err := noRedirects.Get(strings.TrimSpace(stdout.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	addr := resp.Header.Get("Location")

	// The resuming run points nowhere cleartext itself, and has no opt-in.
	d, _, stderr = storeDeps(root, map[string]string{envClientID: emulator.DefaultClientID, envStore: "file"}, "")
	if code := Main(t.Context(), []string{"login", "--resume", addr}, d); code != ExitUsage || !strings.Contains(stderr.String(), insecure) {
		t.Errorf("resume without the opt-in: exit %d, want 2 naming %s; stderr:\n%s", code, insecure, stderr)
	}
	if st := emu.Stats(); st.CodeExchanges+st.TokenErrors != 0 {
		t.Errorf("the code was sent to the cleartext server: %+v", st)
	}
	if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); !os.IsNotExist(err) {
		t.Errorf("a login was stored (%v)", err)
	}

	// The pending login is still there for a run with the opt-in.
	d, _, stderr = storeDeps(root, map[string]string{envClientID: emulator.DefaultClientID, envStore: "file", envAllowInsecureHTTP: "1"}, "")
	if code := Main(t.Context(), []string{"login", "--resume", addr}, d); code != ExitOK || strings.Count(stderr.String(), "kakao-auth: warning: ") != 1 {
		t.Errorf("resume with the opt-in: exit %d, want 0 and one warning; stderr:\n%s", code, stderr)
	}
	rec, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
	if err != nil || rec.AuthURL != insecure || !rec.AllowInsecureHTTP {
		t.Errorf("stored login = %+v, %v; want %s with the opt-in kept", rec, err, insecure)
	}
}
