package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestBrowser_InheritsNoSecret opens a URL the way kakao-auth does, with a
// browser command and with the system's default launcher (an xdg-open on
// PATH), each a real child process that writes its environment to a file.
func TestBrowser_InheritsNoSecret(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the default launcher here is xdg-open")
	}
	envBin, err := exec.LookPath("env")
	if err != nil {
		t.Skip("no env(1)")
	}
	secrets := map[string]string{envClientSecret: "client-secret-4e1f", envRefreshToken: "refresh-token-9c2d"}
	for k, v := range secrets {
		t.Setenv(k, v)
	}
	t.Setenv("KAKAO_AUTH_TEST_KEPT", "kept")
	bin := t.TempDir()
	dump := filepath.Join(bin, "env.txt")
	script := "#!/bin/sh\n'" + envBin + "' > '" + dump + "'\n"
	for _, name := range []string{"xdg-open", "my-browser"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(script), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)

	for name, command := range map[string]string{"browser command": filepath.Join(bin, "my-browser"), "default launcher": ""} {
		t.Run(name, func(t *testing.T) {
			os.Remove(dump)
			d := DefaultDeps()
			if err := d.OpenBrowser(t.Context(), command, "http://127.0.0.1:1/oauth/authorize?state=s"); err != nil {
				t.Fatal(err)
			}
			var data []byte
			for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline) && len(data) == 0; time.Sleep(10 * time.Millisecond) {
				data, _ = os.ReadFile(dump)
			}
			env := string(data)
			if !strings.Contains(env, "KAKAO_AUTH_TEST_KEPT=kept") {
				t.Fatalf("the browser's environment lacks the other variables:\n%s", env)
			}
			for k, v := range secrets {
				if strings.Contains(env, v) || strings.Contains(env, k+"=") {
					t.Errorf("the browser inherited %s", k)
				}
			}
		})
	}
}
