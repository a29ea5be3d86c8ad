package cmd

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

func TestExecCmd_UsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"exec"}, "kakao-auth: error: exec needs a command to run\nkakao-auth: hint: name the command to run after --, as in \"kakao-auth exec -- env\"\n"},
		{[]string{"exec", "--"}, "kakao-auth: error: exec needs a command to run\n"},
		{[]string{"exec", "--min-ttl", "-1m", "--", "true"}, "--min-ttl must not be negative"},
		{[]string{"exec", "--rotated-refresh-token-file", "rt", "--", "true"}, "--rotated-refresh-token-file needs KAKAO_REFRESH_TOKEN"},
		{[]string{"exec", "--no-such-flag", "true"}, "unknown flag: --no-such-flag"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
			if code := Main(t.Context(), tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) {
				t.Errorf("stdout %q, stderr %q; want nothing and %q", stdout, stderr, tt.want)
			}
		})
	}
}

// envOf parses the output of env.
func envOf(out string) map[string]string {
	vars := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			vars[k] = v
		}
	}
	return vars
}

// The command gets an access token with at least --min-ttl left (the
// stored one when it has, a refreshed one otherwise) and the profile's API
// server, and never the refresh token or the client secret, even when
// they are in kakao-auth's own environment; the rest of the environment
// is passed on.
func TestExec_CommandGetsAFreshTokenAndNoSecrets(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix commands")
	}
	for _, tt := range []struct {
		name      string
		minTTL    string
		refreshes int
	}{
		{"token with enough left", "5m", 0},
		{"token with too little left", "1h", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			rec := loggedInProfile(t, srv.URL, root, "default")
			rec.Expiry = time.Now().Add(30 * time.Minute)
			if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
				t.Fatal(err)
			}
			t.Setenv("KAKAO_CLIENT_SECRET", "secret-in-the-environment")
			t.Setenv("KAKAO_REFRESH_TOKEN", "refresh-token-in-the-environment")
			t.Setenv("KAKAO_ACCESS_TOKEN", "stale-access-token")
			t.Setenv("KAKAO_API_URL", "https://elsewhere.example")
			t.Setenv("KAKAO_AUTH_TEST_KEPT", "kept")

			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"exec", "--min-ttl", tt.minTTL, "--", "env"}, d); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr = %q, want nothing", stderr)
			}
			stored, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
			if err != nil {
				t.Fatal(err)
			}
			if got := emu.Stats().Refreshes; got != tt.refreshes {
				t.Errorf("%d refreshes, want %d", got, tt.refreshes)
			}
			env := envOf(stdout.String())
			want := map[string]string{"KAKAO_ACCESS_TOKEN": stored.AccessToken, "KAKAO_API_URL": srv.URL, "KAKAO_AUTH_TEST_KEPT": "kept"}
			for k, v := range want {
				if env[k] != v {
					t.Errorf("the command got %s=%q, want %q", k, env[k], v)
				}
			}
			if left := time.Until(stored.Expiry); left < time.Hour && tt.refreshes > 0 {
				t.Errorf("the command's token has %s left", left)
			}
			for _, k := range []string{"KAKAO_CLIENT_SECRET", "KAKAO_REFRESH_TOKEN"} {
				if v, ok := env[k]; ok {
					t.Errorf("the command got %s=%q", k, v)
				}
			}
			if strings.Contains(stdout.String(), stored.RefreshToken) {
				t.Error("the command's environment holds the refresh token")
			}
		})
	}
}

// Env-only mode, as in CI: the command gets a token refreshed from
// KAKAO_REFRESH_TOKEN, never that refresh token, and a rotated one goes to
// --rotated-refresh-token-file; in GitHub Actions the access token is
// masked before the command can print it.
func TestExec_EnvOnlyMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix commands")
	}
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	root := t.TempDir()
	rec := loggedInProfile(t, srv.URL, root, "default")
	t.Setenv("KAKAO_REFRESH_TOKEN", rec.RefreshToken) // as the CI runner sets it
	rotated := filepath.Join(t.TempDir(), "rotated")
	env := map[string]string{
		"KAKAO_REFRESH_TOKEN": rec.RefreshToken, "KAKAO_CLIENT_ID": emulator.DefaultClientID,
		"KAKAO_AUTH_URL": srv.URL, "KAKAO_API_URL": srv.URL, "GITHUB_ACTIONS": "true",
	}
	d, stdout, stderr := storeDeps(t.TempDir(), env, "")
	if code := Main(t.Context(), []string{"exec", "--rotated-refresh-token-file", rotated, "--", "sh", "-c", `echo "token=$KAKAO_ACCESS_TOKEN"; env`}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stdout.String(), "\n")
	token := strings.TrimPrefix(first, "token=")
	if !strings.HasPrefix(token, "emu_at_") {
		t.Fatalf("the command printed %q, want its access token", first)
	}
	if !strings.HasPrefix(stderr.String(), "::add-mask::"+rec.RefreshToken+"\n") || !strings.Contains(stderr.String(), "::add-mask::"+token+"\n") {
		t.Errorf("stderr does not mask the refresh token first and the access token:\n%s", stderr)
	}
	newRT, err := os.ReadFile(rotated)
	if err != nil || !strings.HasPrefix(string(newRT), "emu_rt_") {
		t.Fatalf("rotated refresh token file: %q, %v", newRT, err)
	}
	for _, secret := range []string{rec.RefreshToken, strings.TrimSpace(string(newRT))} {
		if strings.Contains(stdout.String(), secret) {
			t.Error("the command's environment holds a refresh token")
		}
	}
	if got := envOf(stdout.String())["KAKAO_API_URL"]; got != srv.URL {
		t.Errorf("KAKAO_API_URL = %q, want %q", got, srv.URL)
	}
}

// kakao-auth ends as its command did: with its exit status, 128+N for a
// command ended by signal N (where the command runs as a child, as for
// Main in a test; a real run becomes the command, exec.txtar), saying
// nothing of its own; 127 and 126, with
// a message, for a command that cannot be found or run, and then no token
// is fetched for it.
func TestExec_ExitStatusIsTheCommands(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("unix commands")
	}
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	noInterpreter := filepath.Join(dir, "no-interpreter")
	if err := os.WriteFile(plain, []byte("echo hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(noInterpreter, []byte("#!/no/such/interpreter\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		command    []string
		code       int
		stderr     string // "" means none
		refreshes  int
		commandRan bool
	}{
		{[]string{"true"}, 0, "", 1, true},
		{[]string{"sh", "-c", "exit 42"}, 42, "", 1, true},
		{[]string{"sh", "-c", "echo oops >&2; exit 1"}, 1, "oops\n", 1, true},
		{[]string{"sh", "-c", "kill -TERM $$"}, 128 + 15, "", 1, true},
		{[]string{"sh", "-c", "kill -KILL $$"}, 128 + 9, "", 1, true},
		{[]string{"no-such-command-for-kakao-auth"}, 127, `kakao-auth: error: command "no-such-command-for-kakao-auth" not found` + "\nkakao-auth: hint: ", 0, false},
		{[]string{filepath.Join(dir, "missing")}, 127, "not found", 0, false},
		{[]string{plain}, 126, `kakao-auth: error: command "` + plain + `" cannot be run: permission denied` + "\nkakao-auth: hint: ", 0, false},
		{[]string{dir}, 126, "cannot be run", 0, false},
		{[]string{noInterpreter}, 127, "cannot be run: no such file or directory", 1, false},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.command, " "), func(t *testing.T) {
			emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, srv.URL, root, "default") // expired: a run refreshes
			d, stdout, stderr := storeDeps(root, nil, "")
			code := Main(t.Context(), append([]string{"exec", "--"}, tt.command...), d)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			if (tt.stderr == "" && stderr.Len() != 0) || !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr = %q, want %q", stderr, tt.stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q", stdout)
			}
			if got := emu.Stats().Refreshes; got != tt.refreshes {
				t.Errorf("%d refreshes, want %d", got, tt.refreshes)
			}
		})
	}
}
