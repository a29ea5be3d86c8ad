package cmd

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A file-name flag given an empty value ("--state-file $STATE" with STATE
// unset) names no file: it is a usage error, as "login --resume ”" is,
// never taken for the flag left out. Left out, the emulator would keep its
// state in memory only, env-only mode would drop a rotated refresh token,
// and api would send no body, each without a word.
func TestEmptyFileFlag_IsAUsageError(t *testing.T) {
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	envOnly := map[string]string{envClientID: emulator.DefaultClientID, envAuthURL: base, envAPIURL: base, envRefreshToken: "emu_rt_unused"}
	for _, tt := range []struct {
		args []string
		env  map[string]string
		flag string
	}{
		{args: []string{"emulator", "--addr", "127.0.0.1:0", "--state-file", ""}, flag: "--state-file"},
		{args: []string{"emulator", "--addr", "127.0.0.1:0", "--users", ""}, flag: "--users"},
		{args: []string{"token", "--rotated-refresh-token-file", ""}, env: envOnly, flag: "--rotated-refresh-token-file"},
		{args: []string{"token", "-o", "json", "--rotated-refresh-token-file="}, env: envOnly, flag: "--rotated-refresh-token-file"},
		{args: []string{"exec", "--rotated-refresh-token-file", "", "--", "true"}, env: envOnly, flag: "--rotated-refresh-token-file"},
		{args: []string{"api", "/v2/user/me", "--rotated-refresh-token-file", ""}, env: envOnly, flag: "--rotated-refresh-token-file"},
		{args: []string{"api", "/v2/user/me", "-X", "POST", "--input", ""}, env: envOnly, flag: "--input"},
		{args: []string{"token", "--client-secret-file", ""}, env: envOnly, flag: "--client-secret-file"},
		{args: []string{"login", "--client-secret-file", "", "--no-browser"}, env: envOnly, flag: "--client-secret-file"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), tt.env, "")
			d.OpenBrowser = agreeingBrowser
			// Unchanged, the emulator would run until the context ends.
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if code := Main(ctx, tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d\nstderr:\n%s", code, ExitUsage, stderr)
			}
			if want := "kakao-auth: error: " + tt.flag + " is empty"; !strings.Contains(stderr.String(), want) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stderr does not say %q with a hint:\n%s", want, stderr)
			}
			if json := strings.Contains(strings.Join(tt.args, " "), "-o json"); json != strings.Contains(stdout.String(), `"error"`) {
				t.Errorf("stdout = %q (-o json: %v)", stdout, json)
			}
		})
	}
}
