package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/joho/godotenv"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// emulatorSecret matches every access token, refresh token and code the
// emulator issues (they carry these prefixes).
var emulatorSecret = regexp.MustCompile(`emu_(at|rt|code)_[A-Za-z0-9_-]+`)

// TestSecretHygiene_EveryCommand runs every command against the emulator
// and checks that no token, code, verifier or client secret shows up
// anywhere the user did not ask for it: stderr, error messages, the
// browser pages, the browser command's argv, the session file (which holds
// the verifier and nothing else secret).
func TestSecretHygiene_EveryCommand(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script as the browser")
	}
	const clientSecret = "client-secret-7f3a9c"
	emu, emuURL := newTestEmulator(t, emulator.Config{ClientSecret: clientSecret, AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})

	h := newHome(t)
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	argvFile := filepath.Join(h.dir, "argv")
	pageFile := filepath.Join(h.dir, "page.html")
	snapDir := filepath.Join(h.dir, "sessions-seen")
	browserScript := filepath.Join(h.dir, "browser.sh")
	script := "#!/bin/sh\n" +
		"printf '%s\\n' \"$#\" \"$@\" >> '" + argvFile + "'\n" +
		"mkdir -p '" + snapDir + "' && cp " + filepath.Join(h.run, "kakao-auth") + "/*.session.json '" + snapDir + "'/ 2>/dev/null\n" +
		"exec env " + asBrowserEnv + "=1 FAKE_BROWSER_PAGE='" + pageFile + "' '" + os.Args[0] + "' \"$1\"\n"
	if err := os.WriteFile(browserScript, []byte(script), 0o700); err != nil {
		t.Fatal(err)
	}

	var stderrAll strings.Builder
	asked := map[string]bool{} // outputs where secrets belong
	run := func(wantCode int, stdin string, env []string, args ...string) string {
		t.Helper()
		p := &proc{cmd: execCommand(args, h, env, stdin)}
		p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		if code := p.exitCode(t); code != wantCode {
			t.Fatalf("%v: exit %d, want %d\n%s", args, code, wantCode, p.stderr.String())
		}
		stderrAll.WriteString(p.stderr.String())
		return p.stdout.String()
	}
	base := []string{"KAKAO_AUTH_URL=" + emuURL, "KAKAO_API_URL=" + emuURL, "KAKAO_CLIENT_ID=" + emulator.DefaultClientID,
		"KAKAO_CLIENT_SECRET=" + clientSecret, "KAKAO_AUTH_STORE=file", "KAKAO_AUTH_BROWSER=" + browserScript}

	mustBeQuiet := func(what, out string) {
		t.Helper()
		if emulatorSecret.MatchString(out) || strings.Contains(out, clientSecret) {
			t.Errorf("%s shows a secret:\n%s", what, out)
		}
	}

	mustBeQuiet("login stdout", run(ExitOK, "", base, "login", "--redirect-uri", redirect))
	if out := run(ExitOK, "", base, "token"); !emulatorSecret.MatchString(out) {
		t.Errorf("token stdout = %q, want the access token", out)
	}
	asked["token"] = true
	run(ExitOK, "", base, "token", "--output", "json")
	mustBeQuiet("refresh stdout", run(ExitOK, "", base, "refresh"))
	// The profile note keeps the login's app for when the record cannot be
	// read: the client id and servers, never a token or the client secret.
	notePath := filepath.Join(tokenstore.Paths{Root: filepath.Join(h.config, "kakao-auth")}.ProfilesDir(), DefaultProfile+".json")
	note, err := os.ReadFile(notePath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(note), `"client_id":"`+emulator.DefaultClientID+`"`) {
		t.Errorf("profile note lacks the app's client id:\n%s", note)
	}
	mustBeQuiet("profile note", string(note))
	if strings.Contains(string(note), "secret") || strings.Contains(string(note), "token") || strings.Contains(string(note), "nonce") {
		t.Errorf("profile note mentions a secret:\n%s", note)
	}
	mustBeQuiet("status stdout", run(ExitOK, "", base, "status"))
	mustBeQuiet("status json", run(ExitOK, "", base, "status", "--output", "json"))
	run(ExitOK, "", base, "status", "--show-token")
	exported := run(ExitOK, "", base, "export", "--include-secret")
	if !strings.Contains(exported, clientSecret) {
		t.Errorf("export --include-secret did not print the secret")
	}
	// A two-step login, and failures that carry Kakao's error texts.
	url := run(ExitOK, "", base, "login", "--no-wait", "--redirect-uri", redirect, "--profile", "two")
	mustBeQuiet("login --no-wait stdout", url)
	wrong := append(append([]string{}, base...), "KAKAO_CLIENT_SECRET=wrong-secret")
	run(ExitFailure, "", wrong, "login", "--redirect-uri", redirect, "--profile", "bad", "--timeout", "10s")
	run(ExitFailure, "", base, "login", "--resume", redirect+"?code=emu_code_forged&state=nope")
	// Env-only mode under GitHub Actions: tokens only inside mask commands.
	vars, err := godotenv.Unmarshal(exported)
	if err != nil {
		t.Fatalf("export output: %v", err)
	}
	rt := vars["KAKAO_REFRESH_TOKEN"]
	gh := append(append([]string{}, base...), "KAKAO_REFRESH_TOKEN="+rt, "GITHUB_ACTIONS=true", "GITHUB_OUTPUT="+filepath.Join(h.dir, "gh-out"))
	p := execCommand([]string{"token", "--output", "github-output"}, h, gh, "")
	var ghErr lockedBuffer
	p.Stderr = &ghErr
	if err := p.Run(); err != nil {
		t.Fatalf("env-only token: %v\n%s", err, ghErr.String())
	}
	for _, line := range strings.Split(ghErr.String(), "\n") {
		if emulatorSecret.MatchString(line) && !strings.HasPrefix(line, "::add-mask::") {
			t.Errorf("env-only stderr shows a secret outside a mask command: %q", line)
		}
	}
	// api and scopes print Kakao's answers, never a token; an error
	// answer echoing the Authorization header shows it redacted.
	mustBeQuiet("api stdout", run(ExitOK, "", base, "api", "-i", "/v2/user/me"))
	mustBeQuiet("scopes stdout", run(ExitOK, "", base, "scopes", "-o", "json"))
	emu.SetFault(emulator.FaultEcho)
	mustBeQuiet("api stdout of an echoed error", run(ExitFailure, "", base, "api", "-i", "/v2/user/me"))
	emu.SetFault(emulator.FaultNone)
	run(ExitOK, "", base, "logout", "--revoke")
	run(ExitLoginRequired, "", base, "token")

	mustBeQuiet("stderr of every command", stderrAll.String())
	page, _ := os.ReadFile(pageFile)
	mustBeQuiet("the browser page", string(page))

	argv, _ := os.ReadFile(argvFile)
	for _, line := range strings.Split(strings.TrimSpace(string(argv)), "\n") {
		if line != "1" && !strings.HasPrefix(line, strings.TrimSuffix(redirect, "/callback")+"/start/") {
			t.Errorf("browser argv has %q: want only the login's one-time start link", line)
		}
		mustBeQuiet("browser argv", line)
	}
	snaps, _ := filepath.Glob(filepath.Join(snapDir, "*.session.json"))
	if len(snaps) == 0 {
		t.Fatal("no session file was seen while logging in")
	}
	for _, f := range snaps {
		data, _ := os.ReadFile(f)
		mustBeQuiet("session file", string(data))
		var s map[string]any
		if json.Unmarshal(data, &s) != nil || s["code_verifier"] == "" {
			t.Errorf("session file %s lacks the verifier", f)
		}
		if strings.Contains(string(data), "secret") {
			t.Errorf("session file mentions a secret:\n%s", data)
		}
	}
}

// The repository is read without the project's private notes: no file
// points to the notes file kept outside it (each fact cites Kakao's public
// documentation instead), and the README names no issue numbers, which a
// reader of the repository cannot look up.
func TestRepository_CitesOnlyWhatAReaderCanFollow(t *testing.T) {
	notes := "KAKAO" + ".md" // spelled apart, so this file does not name it
	err := filepath.WalkDir("..", func(path string, e os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() && e.Name() == ".git" {
			return filepath.SkipDir
		}
		if e.IsDir() || !e.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), notes) {
			t.Errorf("%s mentions %s, which is not in the repository", path, notes)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	issue := regexp.MustCompile(`(?i)\bissues? +#?\d+|(^|[\s(\[])#\d+\b`)
	for i, line := range strings.Split(string(readme), "\n") {
		if m := issue.FindString(line); m != "" {
			t.Errorf("README.md:%d names an issue (%q): %s", i+1, strings.TrimSpace(m), line)
		}
	}
}
