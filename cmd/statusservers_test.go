package cmd

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// status and status --all say which servers a profile uses when they are
// not Kakao's, so that profiles on several emulators can be told apart,
// and mark a profile whose emulator is gone: one of "login --emulator"
// (its emulator stopped with the login) or a loopback one nothing listens
// at any more.
func TestStatus_ShowsServersThatAreNotKakaosAndMarksAGoneEmulator(t *testing.T) {
	_, running := startTestEmulator(t, emulator.Config{AutoApprove: true})
	_, stopped := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, running.URL, root, "running")
	loggedInProfile(t, stopped.URL, root, "stopped")
	builtin := loggedInProfile(t, running.URL, root, "builtin")
	builtin.BuiltinEmulator = true
	saveRecord(t, root, "builtin", builtin)
	atKakao := loggedInProfile(t, running.URL, root, "kakao")
	atKakao.AuthURL, atKakao.APIURL = kakao.DefaultAuthURL, kakao.DefaultAPIURL
	saveRecord(t, root, "kakao", atKakao)
	stopped.Close()

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--all"}, d); code != ExitOK {
		t.Fatalf("status --all: exit %d\n%s", code, stderr)
	}
	rows := map[string]string{}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			rows[f[0]] = line
		}
	}
	for profile, want := range map[string]string{
		"running": running.URL,
		"stopped": stopped.URL + " (not running)",
		"builtin": running.URL + " (built-in emulator, stopped)",
	} {
		if !strings.Contains(rows[profile], want) {
			t.Errorf("status --all, profile %s: row %q lacks %q\n%s", profile, rows[profile], want, stdout)
		}
	}
	if strings.Contains(rows["kakao"], "http") || strings.Contains(rows["running"], "not running") {
		t.Errorf("status --all marks the wrong rows:\n%s", stdout)
	}

	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--all", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("status --all -o json: exit %d\n%s", code, stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e["profile"] == "stopped" && (e["auth_url"] != stopped.URL || e["api_url"] != stopped.URL || e["server_gone"] != true) {
			t.Errorf("status --all -o json, profile stopped: %v", e)
		}
		if e["profile"] == "running" && (e["auth_url"] != running.URL || e["server_gone"] != nil) {
			t.Errorf("status --all -o json, profile running: %v", e)
		}
	}

	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--profile", "running"}, d); code != ExitOK {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout.String(), "Servers:") || !strings.Contains(stdout.String(), running.URL) {
		t.Errorf("status of a profile at an emulator does not name it:\n%s", stdout)
	}
	// (status --profile kakao would ask Kakao: the tests stay offline.)
}
