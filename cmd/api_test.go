package cmd

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// kapiWorld is an in-process emulator and a home whose "default" profile
// is logged in to it (file store), for running real kakao-auth processes.
type kapiWorld struct {
	emu  *emulator.Server
	url  string
	h    home
	file *tokenstore.File
}

// newKapiWorld logs profile in with scopes; its access token is expired,
// so the first use refreshes it.
func newKapiWorld(t *testing.T, cfg emulator.Config, profile string, scopes ...string) *kapiWorld {
	t.Helper()
	cfg.AutoApprove = true
	emu, base := newTestEmulator(t, cfg)
	h := newHome(t)
	root := filepath.Join(h.config, "kakao-auth")
	loggedInWith(t, base, root, profile, "", scopes...)
	return &kapiWorld{emu: emu, url: base, h: h, file: &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}}
}

// freshen refreshes profile's stored login now, as "kakao-auth refresh"
// does, so a run finds a valid access token and refreshes nothing.
func (w *kapiWorld) freshen(t *testing.T, profile string) *tokenstore.Record {
	t.Helper()
	if _, stderr, code := w.run(t, "", nil, "refresh", "--profile", profile); code != ExitOK {
		t.Fatalf("refresh: exit %d\n%s", code, stderr)
	}
	rec, err := w.file.Load(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// storedBytes is the profile's token file as it is on disk.
func (w *kapiWorld) storedBytes(t *testing.T, profile string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(w.file.Dir, profile+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// run runs kakao-auth as a process in the world's home.
func (w *kapiWorld) run(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	c := execCommand(args, w.h, append([]string{quickExit()}, env...), stdin)
	c.Dir = w.h.dir
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	err := c.Run()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// me is GET /v2/user/me as Kakao answers it to the stored access token.
func (w *kapiWorld) me(t *testing.T, profile string) []byte {
	t.Helper()
	rec, err := w.file.Load(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := (&kakao.API{BaseURL: w.url, Tokens: kakao.StaticToken(rec.AccessToken)}).Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	if err != nil || !resp.OK() {
		t.Fatalf("GET /v2/user/me with the stored token: %v, %v", resp, err)
	}
	return resp.Body
}

const memoJSON = `{"object_type":"text","text":"build 42 passed","link":{"web_url":"https://example.com"}}`

func TestAPI_GetPrintsKakaosBodyAsItCame(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname")
	stdout, stderr, code := w.run(t, "", nil, "api", "/v2/user/me")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if want := string(w.me(t, "default")); stdout != want {
		t.Errorf("stdout = %q, want Kakao's body exactly, %q", stdout, want)
	}
	// The expired access token was refreshed first, through the store.
	if n := w.emu.Stats().Refreshes; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
}

// What the emulator receives shows what the flags send: -F reads @file
// and @-, and sends null as an empty value; -f sends values as written;
// GET fields go in the query, POST fields in a form; --input is the body;
// -H is sent.
func TestAPI_FieldsHeadersAndInput(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "talk_message")
	w.freshen(t, "default")
	if err := os.WriteFile(filepath.Join(w.h.dir, "memo.json"), []byte(memoJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"template_object": {memoJSON}}.Encode()
	if err := os.WriteFile(filepath.Join(w.h.dir, "memo.form"), []byte(form), 0o600); err != nil {
		t.Fatal(err)
	}
	const send = "/v2/api/talk/memo/default/send"
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		want     string // in stdout
		memo     bool   // a memo arrives
	}{
		{"-F @file, POST by default", "", []string{"api", send, "-F", "template_object=@memo.json"}, ExitOK, `{"result_code":0}`, true},
		{"-F @- reads stdin", memoJSON, []string{"api", "-X", "POST", send, "-F", "template_object=@-"}, ExitOK, `"result_code":0`, true},
		{"--input is the raw body, a form", form, []string{"api", send, "--input", "-"}, ExitOK, `"result_code":0`, true},
		{"--input file", "", []string{"api", send, "--input", "memo.form"}, ExitOK, `"result_code":0`, true},
		{"-f sends @file as written", "", []string{"api", send, "-f", "template_object=@memo.json"}, ExitFailure, `"code":-2`, false},
		{"-F null is an empty value", "", []string{"api", send, "-F", "template_object=null"}, ExitFailure, `template_object is required`, false},
		{"-H is sent", "", []string{"api", send, "-F", "template_object=@memo.json", "-H", "Content-Type: text/plain"}, ExitFailure, `template_object is required`, false},
		{"GET fields go in the query", "", []string{"api", "/v2/user/scopes", "-f", `scopes=["talk_message"]`, "-X", "GET"}, ExitOK, `"scopes":[{"id":"talk_message"`, false},
		{"-F null in a query", "", []string{"api", "-X", "GET", "/v2/user/scopes", "-F", "scopes=null"}, ExitOK, `"id":"profile_nickname"`, false},
		{"-f null is the text null", "", []string{"api", "-X", "GET", "/v2/user/scopes", "-f", "scopes=null"}, ExitOK, `"scopes":[]`, false},
		{"a query in PATH", "", []string{"api", `/v2/user/scopes?scopes=%5B%22talk_message%22%5D`}, ExitOK, `"scopes":[{"id":"talk_message"`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(w.emu.Memos())
			stdout, stderr, code := w.run(t, tt.stdin, nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(stdout, tt.want) {
				t.Fatalf("exit %d, stdout %q; want %d and %q\nstderr:\n%s", code, stdout, tt.wantCode, tt.want, stderr)
			}
			memos := w.emu.Memos()
			if got := len(memos) > before; got != tt.memo {
				t.Fatalf("memo sent = %v, want %v", got, tt.memo)
			}
			if tt.memo && (memos[len(memos)-1].Text != "build 42 passed" || string(memos[len(memos)-1].TemplateObject) != memoJSON) {
				t.Errorf("memo = %+v, want the template as written", memos[len(memos)-1])
			}
		})
	}
	if n := w.emu.Stats().Refreshes; n != 1 {
		t.Errorf("%d refreshes, want only freshen's", n)
	}
}

func TestAPI_IncludeJQAndSilent(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "talk_message")
	rec := w.freshen(t, "default")

	stdout, _, code := w.run(t, "", nil, "api", "-i", "/v2/user/me")
	head, body, ok := strings.Cut(stdout, "\n\n")
	if code != ExitOK || !ok || !strings.HasPrefix(head, "HTTP/1.1 200 OK\n") || !strings.Contains(head, "\nContent-Type: application/json") {
		t.Errorf("-i: exit %d, stdout %q; want the status line, headers, a blank line", code, stdout)
	}
	if body != string(w.me(t, "default")) || strings.Contains(stdout, rec.AccessToken) || strings.Contains(stdout, "Authorization") {
		t.Errorf("-i: body %q, want Kakao's body and no request header", body)
	}

	for _, tt := range []struct{ expr, want string }{
		{".id", "4000000001\n"},
		{".kakao_account.profile.nickname", "Ryan\n"},
		{".properties | keys", `["nickname"]` + "\n"},
		{".kakao_account | .profile_nickname_needs_agreement, .profile_image_needs_agreement, .email_needs_agreement", "false\ntrue\ntrue\n"},
	} {
		if stdout, stderr, code := w.run(t, "", nil, "api", "/v2/user/me", "--jq", tt.expr); code != ExitOK || stdout != tt.want {
			t.Errorf("--jq %s: exit %d, stdout %q; want %q\n%s", tt.expr, code, stdout, tt.want, stderr)
		}
	}
	// An error answer is shown whole, not filtered.
	stdout, _, code = w.run(t, "", nil, "api", "-X", "POST", "/v2/api/talk/memo/default/send", "--jq", ".result_code")
	if code != ExitFailure || !strings.Contains(stdout, `"code":-2`) {
		t.Errorf("--jq on an error: exit %d, stdout %q; want Kakao's error body", code, stdout)
	}

	if stdout, _, code := w.run(t, "", nil, "api", "--silent", "-i", "/v2/user/me"); code != ExitOK || stdout != "" {
		t.Errorf("--silent: exit %d, stdout %q; want nothing", code, stdout)
	}
	if stdout, stderr, code := w.run(t, "", nil, "api", "--silent", "-X", "POST", "/v2/api/talk/memo/default/send"); code != ExitFailure || stdout != "" || !strings.Contains(stderr, "kakao API error -2") {
		t.Errorf("--silent on an error: exit %d, stdout %q, stderr %q; want exit 1, the error on stderr only", code, stdout, stderr)
	}
}

// A token Kakao refuses (ended early, say, while the record says it is
// valid) is refreshed once and the request made again, its body replayed.
func TestAPI_RefusedTokenRefreshesOnceAndRetries(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "talk_message")
	rec := w.freshen(t, "default")
	if n := w.emu.ExpireAccessTokens("", 0); n == 0 {
		t.Fatal("the emulator ended no access token")
	}
	before := w.emu.Stats().Refreshes
	if err := os.WriteFile(filepath.Join(w.h.dir, "memo.json"), []byte(memoJSON), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := w.run(t, "", nil, "api", "-X", "POST", "/v2/api/talk/memo/default/send", "-F", "template_object=@memo.json")
	if code != ExitOK || stdout != `{"result_code":0}` {
		t.Fatalf("exit %d, stdout %q\nstderr:\n%s", code, stdout, stderr)
	}
	if n := w.emu.Stats().Refreshes - before; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	if memos := w.emu.Memos(); len(memos) != 1 {
		t.Errorf("%d memos, want the one retried request", len(memos))
	}
	after, err := w.file.Load(t.Context(), "default")
	if err != nil || after.AccessToken == rec.AccessToken {
		t.Errorf("stored access token not replaced: %v", err)
	}
}

func TestAPI_InsufficientScopeHintsTheLoginCommand(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "bot", "profile_nickname")
	w.freshen(t, "bot")
	before := w.storedBytes(t, "bot")
	stdout, stderr, code := w.run(t, "", nil, "api", "--profile", "bot", "-X", "POST", "/v2/api/talk/memo/default/send", "-F", "template_object="+memoJSON)
	if code != ExitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	var body struct {
		Code           int      `json:"code"`
		RequiredScopes []string `json:"required_scopes"`
	}
	if json.Unmarshal([]byte(stdout), &body) != nil || body.Code != -402 {
		t.Errorf("stdout %q, want Kakao's -402 JSON", stdout)
	}
	want := "kakao-auth: error: POST /v2/api/talk/memo/default/send: kakao API error -402: insufficient scopes.\n" +
		"kakao-auth: hint: the login lacks consent for talk_message: run \"kakao-auth login --profile bot --scope talk_message\"\n"
	if stderr != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr, want)
	}
	if !bytes.Equal(before, w.storedBytes(t, "bot")) {
		t.Error("the stored record changed")
	}
}

// Kakao's quota error and server errors exit 1 with the body on stdout;
// nothing is refreshed and the stored record stays byte for byte.
func TestAPI_KakaoErrorsKeepTheStoredTokens(t *testing.T) {
	tests := []struct {
		name   string
		set    func(*emulator.Server)
		status string
		stdout string
		hint   string
	}{
		{"-10 quota", func(e *emulator.Server) { e.SetFault(emulator.FaultAPIQuota) }, "kakao API error -10", `"code":-10`, "quota"},
		{"500 from Kakao", func(e *emulator.Server) {
			e.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 500, Code: -1, Msg: "internal error"})
		}, "kakao API error -1", `"code":-1`, "tokens are kept"},
		{"503 not Kakao's", func(e *emulator.Server) {
			e.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 503, Code: 0, Msg: "down"})
		}, "HTTP 503", `"msg":"down"`, "try again"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname")
			w.freshen(t, "default")
			before := w.storedBytes(t, "default")
			refreshes := w.emu.Stats().Refreshes
			tt.set(w.emu)
			stdout, stderr, code := w.run(t, "", nil, "api", "/v2/user/me")
			if code != ExitFailure || !strings.Contains(stdout, tt.stdout) {
				t.Errorf("exit %d, stdout %q; want 1 and %q", code, stdout, tt.stdout)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 2 || !strings.Contains(lines[0], "GET /v2/user/me: ") || !strings.Contains(lines[0], tt.status) || !strings.Contains(lines[1], tt.hint) {
				t.Errorf("stderr:\n%s\nwant one error line with %q and a hint with %q", stderr, tt.status, tt.hint)
			}
			if !bytes.Equal(before, w.storedBytes(t, "default")) || w.emu.Stats().Refreshes != refreshes {
				t.Error("the stored record changed, or a refresh was made")
			}
		})
	}
}

// The access token goes to the login's API server only. Every refused
// PATH is a usage error before any token is used: the stored one is
// expired, so any use would have refreshed it.
func TestAPI_TokenGoesOnlyToTheAPIServer(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname")
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	host := strings.TrimPrefix(w.url, "http://")
	for _, args := range [][]string{
		{"https://kapi.evil.example/v2/user/me"},
		{other.URL + "/v2/user/me"},
		{"http://" + strings.Replace(host, "127.0.0.1", "localhost", 1) + "/v2/user/me"},
		{"https://" + host + "/v2/user/me"},
		{"http://user@" + host + "/v2/user/me"},
		{"//" + strings.TrimPrefix(other.URL, "http://") + "/v2/user/me"},
		{"kapi.evil.example:443/v2/user/me"},
		{"/v2/../../v2/user/me"},
		{"v2/../../v2/user/me"},
		{"../v2/user/me"},
		{"v2/%2e%2E/user/me"},
		{"/v2/%2E%2e/user/me"},
		{""},
		{"/v2/user/me", "-H", "Authorization: Bearer other"},
		{"/v2/user/me", "-H", "host: evil.example"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			stdout, stderr, code := w.run(t, "", nil, append([]string{"api"}, args...)...)
			if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "kakao-auth: hint: ") {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant a usage error with a hint", code, stdout, stderr)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
	if n := w.emu.Stats().Refreshes; n != 0 {
		t.Errorf("%d refreshes: a refused command used the token", n)
	}
	// A URL on the API server itself is fine, and so is a path without its
	// leading slash: as in gh api, it is relative to the API server.
	for _, path := range []string{w.url + "/v2/user/me?secure_resource=true", "v2/user/me", "v2/user/me?secure_resource=true"} {
		if stdout, stderr, code := w.run(t, "", nil, "api", path, "--jq", ".id"); code != ExitOK || stdout != "4000000001\n" {
			t.Errorf("api %s: exit %d, stdout %q\n%s", path, code, stdout, stderr)
		}
	}
	if stdout, stderr, code := w.run(t, "", nil, "api", "-X", "GET", "v2/user/scopes", "-f", `scopes=["profile_nickname"]`, "--jq", ".scopes[].id"); code != ExitOK || stdout != "profile_nickname\n" {
		t.Errorf("a relative path with fields: exit %d, stdout %q\n%s", code, stdout, stderr)
	}
}

// Env-only mode: the refresh token from the environment, nothing stored;
// a rotated refresh token is handed on as "token" does.
func TestAPI_EnvOnlyMode(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{RefreshTTL: 10 * 24 * time.Hour}, "default", "profile_nickname")
	rec, err := w.file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	ci := newHome(t)
	rotated := filepath.Join(ci.dir, "rotated.txt")
	c := execCommand([]string{"api", "/v2/user/me", "--jq", ".properties.nickname", "--rotated-refresh-token-file", rotated}, ci,
		[]string{"KAKAO_REFRESH_TOKEN=" + rec.RefreshToken, "KAKAO_CLIENT_ID=" + rec.ClientID, "KAKAO_AUTH_URL=" + w.url, "KAKAO_API_URL=" + w.url}, "")
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	if err := c.Run(); err != nil {
		t.Fatalf("%v\n%s", err, errb.String())
	}
	if out.String() != "Ryan\n" {
		t.Errorf("stdout %q, want Ryan", out.String())
	}
	if !strings.Contains(errb.String(), "Kakao rotated the refresh token") || strings.Contains(errb.String(), "emu_") {
		t.Errorf("stderr %q: want the rotation warning, no token", errb.String())
	}
	if data, err := os.ReadFile(rotated); err != nil || !strings.HasPrefix(string(data), "emu_rt_") {
		t.Errorf("rotated refresh token file: %q, %v", data, err)
	}
	if _, err := os.Stat(filepath.Join(ci.config, "kakao-auth")); !os.IsNotExist(err) {
		t.Errorf("env-only mode touched the config dir: %v", err)
	}
}

// Processes calling the API at once on an expired token share one refresh.
func TestAPI_ConcurrentProcessesOnAnExpiredTokenRefreshOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 20 processes")
	}
	w := newKapiWorld(t, emulator.Config{RefreshTTL: 10 * 24 * time.Hour}, "default", "profile_nickname")
	const n = 20
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stdout, stderr, code := w.run(t, "", nil, "api", "/v2/user/me", "--jq", ".id")
			if code != ExitOK {
				t.Errorf("process %d: exit %d\n%s", i, code, stderr)
			}
			outs[i] = stdout
		}()
	}
	wg.Wait()
	if got := w.emu.Stats().Refreshes; got != 1 {
		t.Errorf("%d refreshes, want exactly 1", got)
	}
	for i, out := range outs {
		if out != "4000000001\n" {
			t.Errorf("process %d printed %q", i, out)
		}
	}
	// The stored refresh token (rotated) is the one Kakao takes next.
	stored, err := w.file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&kakao.Client{ClientID: stored.ClientID, AuthURL: w.url}).Refresh(t.Context(), stored.RefreshToken); err != nil {
		t.Errorf("the stored refresh token no longer works: %v", err)
	}
}

func TestAPI_UsageErrors(t *testing.T) {
	emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, base, root, "default")
	for _, tt := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"api"}, "", "api takes one PATH"},
		{[]string{"api", "/a", "/b"}, "", "api takes one PATH"},
		{[]string{"api", "/v2/user/me", "-X", "GE T"}, "", "is not an HTTP method"},
		{[]string{"api", "/v2/user/me", "-f", "novalue"}, "", `-f "novalue" is not key=value`},
		{[]string{"api", "/v2/user/me", "-F", "=v"}, "", "is not key=value"},
		{[]string{"api", "/v2/user/me", "-H", "no colon"}, "", "is not a header"},
		{[]string{"api", "/v2/user/me", "--jq", ".["}, "", "--jq"},
		{[]string{"api", "/v2/user/me", "--input", "-", "-F", "a=@-"}, "", "stdin can be read only once"},
		{[]string{"api", "/v2/user/me", "-F", "a=@missing.json"}, "", "missing.json"},
		{[]string{"api", "/v2/user/me", "--min-ttl", "-1s"}, "", "--min-ttl"},
		{[]string{"api", "/v2/user/me", "--rotated-refresh-token-file", "x"}, "", "needs KAKAO_REFRESH_TOKEN"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(root, nil, tt.stdin)
			if code := Main(t.Context(), tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want 2; stderr:\n%s", code, stderr)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stdout %q, stderr %q; want %q and a hint", stdout, stderr, tt.want)
			}
		})
	}
	if n := emu.Stats().Refreshes; n != 0 {
		t.Errorf("%d refreshes, want none", n)
	}
}

// On a terminal, JSON is indented and Kakao's text cannot act on the
// terminal; off a terminal the same body goes out exactly.
func TestAPI_TerminalOutputIsIndentedAndSafe(t *testing.T) {
	emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, base, root, "default")
	emu.AnswerAPIWith(&emulator.APIErrorAnswer{Code: -2, Msg: "bad \u202ereversed\u009b2J"})

	d, stdout, _ := storeDeps(root, nil, "")
	d.StdoutIsTerminal = true
	if code := Main(t.Context(), []string{"api", "/v2/user/me"}, d); code != ExitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if want := "{\n  \"msg\": \"bad \\u202ereversed\\u009b2J\",\n  \"code\": -2\n}\n"; stdout.String() != want {
		t.Errorf("terminal stdout %q, want %q", stdout, want)
	}

	d, stdout, _ = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"api", "/v2/user/me"}, d); code != ExitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if want := "{\"msg\":\"bad \u202ereversed\u009b2J\",\"code\":-2}"; stdout.String() != want {
		t.Errorf("stdout %q, want the body exactly, %q", stdout, want)
	}
}

// A login against an emulator that has stopped says so, not "check the
// network connection".
func TestAPI_GoneEmulatorIsNamed(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, srv.URL, root, "default")
	rec.Expiry = time.Now().Add(time.Hour) // valid: no refresh before the call
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	srv.Close()
	moveToDeadServer(t, root, "default") // refused until the test ends
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"api", "/v2/user/me"}, d); code != ExitFailure {
		t.Errorf("exit %d, want 1", code)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "is no longer running") {
		t.Errorf("stdout %q, stderr %q; want the emulator named as gone", stdout, stderr)
	}
}
