package cmd

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// exportInShell runs `eval "$(kakao-auth export -o FORMAT)"` in a real sh,
// then asks a child sh what it sees: a variable eval set but did not
// export never reaches it.
func exportInShell(t *testing.T, h home, format string) []string {
	t.Helper()
	c := execCommand(nil, h, nil, "")
	// Unset, not empty: a variable already in the environment is exported
	// whatever eval does, which would hide the bug.
	env := c.Env[:0]
	for _, kv := range c.Env {
		if !strings.HasPrefix(kv, "KAKAO_") || strings.HasPrefix(kv, asKakaoAuthEnv+"=") {
			env = append(env, kv)
		}
	}
	c.Env = env
	c.Path, c.Args = "/bin/sh", []string{"sh", "-c", `eval "$("$1" export -o "$2")" || exit 9
sh -c 'printf "%s|%s|%s|%s\n" "$KAKAO_CLIENT_ID" "$KAKAO_REFRESH_TOKEN" "$KAKAO_AUTH_URL" "$KAKAO_API_URL"'`, "sh", os.Args[0], format}
	out, err := c.Output()
	if err != nil {
		t.Fatalf("sh: %v", err)
	}
	return strings.Split(strings.TrimSuffix(string(out), "\n"), "|")
}

// `eval "$(kakao-auth export -o env)"` exports what it sets, so that a
// child process (the CI job's command) sees it; and the export of a
// profile whose servers are not Kakao's names them, or the job would call
// real Kakao with an emulator's token. -o dotenv stays plain NAME=value.
func TestExport_EnvReachesAChildProcessAndNamesServersThatAreNotKakaos(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	h := newHome(t)
	root := filepath.Join(h.config, "kakao-auth")
	rec := loggedInProfile(t, emuURL, root, "default")

	got := exportInShell(t, h, "env")
	want := []string{emulator.DefaultClientID, rec.RefreshToken, emuURL, emuURL}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a child of the shell that ran eval \"$(kakao-auth export -o env)\" sees (-want +got):\n%s", diff)
	}

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"export", "-o", "dotenv"}, d); code != ExitOK {
		t.Fatalf("export -o dotenv: exit %d\n%s", code, stderr)
	}
	if out := stdout.String(); strings.Contains(out, "export ") || !strings.Contains(out, envAuthURL+"='"+emuURL+"'") {
		t.Errorf("-o dotenv:\n%s\nwant plain NAME=value lines with %s", out, envAuthURL)
	}

	// A login to Kakao itself names no servers: CI's defaults are Kakao's.
	rec.AuthURL, rec.APIURL = kakao.DefaultAuthURL, kakao.DefaultAPIURL
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	got = exportInShell(t, h, "env")
	want = []string{emulator.DefaultClientID, rec.RefreshToken, "", ""}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("a login to Kakao: a child sees (-want +got):\n%s", diff)
	}
}
