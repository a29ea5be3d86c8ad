package cmd

import (
	"fmt"
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
	m, err := readEnvFile(reader, file, dir)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// readEnvFile is readBack's work, with the reader's failure as an error.
func readEnvFile(reader, file, dir string) (map[string]string, error) {
	if reader == "godotenv" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		m, err := godotenv.UnmarshalBytes(data)
		if err != nil {
			return nil, fmt.Errorf("godotenv: %v", err)
		}
		// The three the sh readers print; an emulator's URLs are read
		// back by exportenv_test.go.
		return map[string]string{envClientID: m[envClientID], envRefreshToken: m[envRefreshToken], envClientSecret: m[envClientSecret]}, nil
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
		return nil, fmt.Errorf("sh (%s): %v", reader, err)
	}
	v := strings.Split(string(out), "\x00")
	if len(v) != 4 {
		return nil, fmt.Errorf("sh (%s) printed %q", reader, out)
	}
	return map[string]string{envClientID: v[0], envRefreshToken: v[1], envClientSecret: v[2]}, nil
}

var envReaders = []string{"eval", "source", "godotenv"}

func TestExport_EnvFormatsReadBackExactlyAndRunNothing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	tests := []struct {
		name                 string
		clientID, rt, secret string
	}{
		{
			name:     "shell and dotenv syntax",
			clientID: `app key #not-a-comment = "quoted"`,
			rt:       "rt$(touch pwned-subst)`touch pwned-backtick`\"dq\"; touch pwned-semicolon \\back\\slash\\ end",
			secret:   `sec ${HOME} $HOME $(id) %25 \n \" # x=y \ z`,
		},
		{
			name:     "single quotes",
			clientID: `'`,
			rt:       `it's`,
			secret:   "a'b\"c$(touch pwned-subst)`touch pwned-backtick`\\d $HOME ${HOME} # z",
		},
		{
			name:     "single quote with backslashes before dollars and quotes",
			clientID: `'\$HOME \\$HOME \${HOME} \\\$(id) \"x\\" y`,
			rt:       `"it's" a \n\r\t \` + "`x`" + ` $ ${ $( \ z`,
			secret:   `'starts and ends with a quote'`,
		},
		{
			name:     "control characters",
			clientID: "line1\nKAKAO_CLIENT_ID=evil",
			rt:       "it's\ta\rb\x1b]0;t\x07\x7f",
			secret:   "\nit's\n",
		},
	}
	for _, tt := range tests {
		want := map[string]string{envClientID: tt.clientID, envRefreshToken: tt.rt, envClientSecret: tt.secret}
		root := storeExportValues(t, tt.clientID, tt.rt, tt.secret)
		for _, format := range []string{"env", "dotenv"} {
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"export", "--format", format, "--include-secret"}, d); code != ExitOK {
				t.Errorf("%s: export --format %s: exit %d; stderr:\n%s", tt.name, format, code, stderr)
				continue
			}
			for _, reader := range envReaders {
				t.Run(tt.name+"/"+format+"/"+reader, func(t *testing.T) {
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
}

// refusedEnvValues are the values envQuote refuses, each with why.
var refusedEnvValues = map[string]string{
	"nul":                              "a\x00b",
	"cr lf":                            "line1\r\nline2",
	"trailing backslash":               `ends in \`,
	"single quote, trailing backslash": `it's \`,
	"single quote, trailing dquote":    `it's "x"`,
}

func TestExport_RefusesAValueNoQuotingReadsBackEverywhere(t *testing.T) {
	for name, secret := range refusedEnvValues {
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

// TestEnvQuote_RefusedValuesReadBackWrongSomewhere holds envQuote's
// refusals to the real readers: in single quotes and in envQuote's double
// quotes alike, some reader fails or reads another value.
func TestEnvQuote_RefusedValuesReadBackWrongSomewhere(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	for name, value := range refusedEnvValues {
		for form, quoted := range map[string]string{"single": envSingleQuoted(value), "double": envDoubleQuoted(value)} {
			t.Run(name+"/"+form, func(t *testing.T) {
				dir := t.TempDir()
				file := filepath.Join(dir, "ci.env")
				data := envClientID + "='id'\n" + envRefreshToken + "=" + quoted + "\n" + envClientSecret + "='s'\n"
				if err := os.WriteFile(file, []byte(data), 0o600); err != nil {
					t.Fatal(err)
				}
				want := map[string]string{envClientID: "id", envRefreshToken: value, envClientSecret: "s"}
				for _, reader := range envReaders {
					got, err := readEnvFile(reader, file, dir)
					if err != nil || !cmp.Equal(want, got) {
						return
					}
				}
				t.Errorf("every reader reads %q back exactly from %q: envQuote need not refuse it", value, quoted)
			})
		}
	}
}
