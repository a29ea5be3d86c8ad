package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/joho/godotenv"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// storeExportValues logs a profile in against an emulator and puts values
// of choice into its record directly (the client would refuse such values
// from Kakao).
func storeExportValues(t *testing.T, clientID, refreshToken, secret string) string {
	t.Helper()
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	rec.ClientID, rec.RefreshToken, rec.ClientSecret = clientID, refreshToken, secret
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	return root
}

// readBack reads an export through a reader of env files: "eval" and "."
// in a real sh, and godotenv (the parser of "gh secret set --env-file").
// It runs in dir, so a command the file ran would leave its mark there.
func readBack(t *testing.T, reader, file, dir string) map[string]string {
	t.Helper()
	if reader == "godotenv" {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		m, err := godotenv.UnmarshalBytes(data)
		if err != nil {
			t.Fatalf("godotenv: %v", err)
		}
		return m
	}
	load := `. "$1"`
	if reader == "eval" {
		load = `eval "$(cat "$1")"`
	}
	cmd := exec.Command("/bin/sh", "-c", load+`; printf '%s\0%s\0%s\0' "$KAKAO_CLIENT_ID" "$KAKAO_REFRESH_TOKEN" "$KAKAO_CLIENT_SECRET"`, "sh", file)
	cmd.Dir = dir
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh (%s): %v", reader, err)
	}
	v := strings.Split(string(out), "\x00")
	if len(v) != 4 {
		t.Fatalf("sh (%s) printed %q", reader, out)
	}
	return map[string]string{envClientID: v[0], envRefreshToken: v[1], envClientSecret: v[2]}
}

func TestExport_EnvFormatsReadBackExactlyAndRunNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	want := map[string]string{
		envClientID:     `app key #not-a-comment = "quoted"`,
		envRefreshToken: "rt$(touch pwned-subst)`touch pwned-backtick`\"dq\"; touch pwned-semicolon \\back\\slash\\ end",
		envClientSecret: `sec ${HOME} $HOME $(id) %25 \n \" # x=y \ z`,
	}
	root := storeExportValues(t, want[envClientID], want[envRefreshToken], want[envClientSecret])
	for _, format := range []string{"env", "dotenv"} {
		d, stdout, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"export", "--format", format, "--include-secret"}, d); code != ExitOK {
			t.Fatalf("export --format %s: exit %d; stderr:\n%s", format, code, stderr)
		}
		for _, reader := range []string{"eval", "source", "godotenv"} {
			t.Run(format+"/"+reader, func(t *testing.T) {
				dir := t.TempDir()
				file := filepath.Join(dir, "ci.env")
				if err := os.WriteFile(file, stdout.Bytes(), 0o600); err != nil {
					t.Fatal(err)
				}
				got := readBack(t, reader, file, dir)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("read back (-want +got):\n%s\nexport printed:\n%s", diff, stdout)
				}
				if ran, _ := filepath.Glob(filepath.Join(dir, "pwned*")); len(ran) > 0 {
					t.Errorf("reading the export ran commands: %v", ran)
				}
			})
		}
	}
}

func TestExport_RefusesAValueNoQuotingReadsBackEverywhere(t *testing.T) {
	// sh reads 'a'\''b' as a'b, but godotenv stops at the second quote;
	// godotenv also turns \r\n into \n, and reads 'a\' as unterminated.
	// Such a value is refused whole.
	for name, secret := range map[string]string{
		"single quote": `it's`,
		"line break":   "line1\nKAKAO_CLIENT_ID=evil",
		"escape":       "a\x1b]0;t\x07",
		"backslash":    `ends in \`,
	} {
		for _, format := range []string{"env", "dotenv"} {
			t.Run(name+"/"+format, func(t *testing.T) {
				root := storeExportValues(t, emulator.DefaultClientID, "rt", secret)
				d, stdout, stderr := storeDeps(root, nil, "")
				if code := Main(t.Context(), []string{"export", "--format", format, "--include-secret"}, d); code != ExitFailure {
					t.Errorf("exit %d, want %d", code, ExitFailure)
				}
				if stdout.Len() != 0 {
					t.Errorf("stdout = %q, want nothing", stdout)
				}
				if !strings.Contains(stderr.String(), envClientSecret) || !strings.Contains(stderr.String(), "-o json") || strings.Contains(stderr.String(), secret) {
					t.Errorf("stderr should name %s and -o json, without the value:\n%s", envClientSecret, stderr)
				}
			})
		}
	}
	// JSON carries any value exactly.
	root := storeExportValues(t, emulator.DefaultClientID, "rt", `it's`)
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"export", "--format", "json", "--include-secret"}, d); code != ExitOK || !strings.Contains(stdout.String(), `"client_secret": "it's"`) {
		t.Errorf("export --format json: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
