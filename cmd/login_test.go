package cmd

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

func testDeps(env map[string]string, stdin string) (*Deps, *bytes.Buffer, *bytes.Buffer) {
	var stdout, stderr bytes.Buffer
	return &Deps{
		Stdin:  strings.NewReader(stdin),
		Stdout: &stdout,
		Stderr: &stderr,
		Getenv: func(k string) string { return env[k] },
		Now:    time.Now,
	}, &stdout, &stderr
}

func TestLoginCmd_SettingsComeFromFlagsThenEnvThenDefaults(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		stdin string
		want  LoginOptions
	}{
		{
			name: "defaults",
			args: []string{"--client-id", "key"},
			want: LoginOptions{
				App:     app{ClientID: "key", RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"},
				Timeout: 3 * time.Minute,
				Store:   "keyring",
			},
		},
		{
			name: "environment",
			env: map[string]string{
				"KAKAO_AUTH_STORE": "none",
				"KAKAO_CLIENT_ID":  "env-key", "KAKAO_CLIENT_SECRET": "env-secret\n",
				"KAKAO_REDIRECT_URI": "http://127.0.0.1:9000/cb", "KAKAO_AUTH_URL": "http://127.0.0.1:1/",
				"KAKAO_API_URL": "http://127.0.0.1:2", "KAKAO_AUTH_PROFILE": "bot",
			},
			want: LoginOptions{
				App:     app{ClientID: "env-key", ClientSecret: "env-secret", RedirectURIs: []string{"http://127.0.0.1:9000/cb"}, AuthURL: "http://127.0.0.1:1", APIURL: "http://127.0.0.1:2", Profile: "bot"},
				Timeout: 3 * time.Minute,
				Output:  "text",
				Store:   "none",
			},
		},
		{
			name: "several redirect URIs in the environment",
			args: []string{"--client-id", "key"},
			env:  map[string]string{"KAKAO_REDIRECT_URI": "http://localhost:8765/callback, http://localhost:8766/callback http://127.0.0.1:8767/cb"},
			want: LoginOptions{
				App:     app{ClientID: "key", RedirectURIs: []string{"http://localhost:8765/callback", "http://localhost:8766/callback", "http://127.0.0.1:8767/cb"}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"},
				Timeout: 3 * time.Minute,
				Store:   "keyring",
			},
		},
		{
			name: "flags win over environment",
			args: []string{
				"--client-id", "flag-key", "--client-secret-file", "-", "--redirect-uri", "http://localhost:1/a",
				"--redirect-uri", "http://localhost:2/b", "--auth-url", "http://127.0.0.1:3", "--api-url", "http://127.0.0.1:4",
				"--profile", "work", "--scope", "talk_message, account_email", "--scope", "openid", "--prompt", "login,select_account",
				"--login-hint", "ryan@example.com", "--service-terms", "t1,t2", "--timeout", "30s",
				"--browser-command", "firefox --new-window", "-o", "json", "--store", "file",
			},
			env:   map[string]string{"KAKAO_CLIENT_ID": "env-key", "KAKAO_CLIENT_SECRET": "env-secret", "KAKAO_REDIRECT_URI": "http://127.0.0.1:9000/cb", "KAKAO_AUTH_PROFILE": "bot"},
			stdin: "stdin-secret\n",
			want: LoginOptions{
				App:            app{ClientID: "flag-key", ClientSecret: "stdin-secret", RedirectURIs: []string{"http://localhost:1/a", "http://localhost:2/b"}, AuthURL: "http://127.0.0.1:3", APIURL: "http://127.0.0.1:4", Profile: "work"},
				Scopes:         []string{"talk_message", "account_email", "openid"},
				Prompt:         []string{"login", "select_account"},
				LoginHint:      "ryan@example.com",
				ServiceTerms:   []string{"t1", "t2"},
				Timeout:        30 * time.Second,
				BrowserCommand: "firefox --new-window",
				Output:         "json",
				Store:          "file",
			},
		},
		{
			name: "store none prints the token",
			args: []string{"--client-id", "key", "--store", "none"},
			env:  map[string]string{"KAKAO_AUTH_STORE": "file"},
			want: LoginOptions{
				App:     app{ClientID: "key", RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "default"},
				Timeout: 3 * time.Minute,
				Output:  "text",
				Store:   "none",
			},
		},
		{
			name: "emulator keeps away from real profiles unless told",
			args: []string{"--emulator", "--profile", "mine", "--store", "keyring"},
			env:  map[string]string{"KAKAO_AUTH_PROFILE": "bot", "KAKAO_AUTH_STORE": "none"},
			want: LoginOptions{
				App:      app{RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "mine"},
				Timeout:  3 * time.Minute,
				Store:    "keyring",
				Emulator: true,
			},
		},
		{
			name: "emulator needs no client id",
			args: []string{"--emulator"},
			want: LoginOptions{
				App:      app{RedirectURIs: []string{DefaultRedirectURI}, AuthURL: "https://kauth.kakao.com", APIURL: "https://kapi.kakao.com", Profile: "emulator"},
				Timeout:  3 * time.Minute,
				Store:    "file",
				Emulator: true,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := testDeps(tt.env, tt.stdin)
			var got *LoginOptions
			c := NewLoginCmd(d, func(_ context.Context, o *LoginOptions) error {
				got = o
				return nil
			})
			c.SetArgs(tt.args)
			if err := c.Execute(); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(&tt.want, got, cmp.AllowUnexported(app{})); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLoginCmd_HasNoPlainSecretFlag(t *testing.T) {
	d, _, _ := testDeps(nil, "")
	if f := NewLoginCmd(d, nil).Flags().Lookup("client-secret"); f != nil {
		t.Error("login has a --client-secret flag; secrets must not be in argv")
	}
}

func TestMain_ExitCodesAndMessages(t *testing.T) {
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"help", []string{"--help"}, ExitOK, ""},
		{"unknown command", []string{"nope"}, ExitUsage, "kakao-auth: error: unknown command \"nope\" for \"kakao-auth\"\nkakao-auth: hint: run \"kakao-auth --help\" for the commands\n"},
		{"missing client id", []string{"login"}, ExitUsage, "kakao-auth: error: no client id\n"},
		{"bad redirect", []string{"login", "--client-id", "k", "--redirect-uri", "http://10.0.0.1:80/cb"}, ExitUsage, "kakao-auth: error: redirect URI \"http://10.0.0.1:80/cb\": 10.0.0.1 is not a loopback address"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, stdout, stderr := testDeps(nil, "")
			code := Main(t.Context(), tt.args, d)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if !strings.HasPrefix(stderr.String(), tt.wantStderr) {
				t.Errorf("stderr = %q, want prefix %q", stderr, tt.wantStderr)
			}
			if tt.wantCode != ExitOK && stdout.Len() != 0 {
				t.Errorf("stdout = %q, want empty on failure", stdout)
			}
		})
	}
}

// The quick start works while another login holds the default port 8765:
// the built-in emulator registers a free port as well.
func TestLoginEmulator_BusyDefaultPortFallsBackToAFreeOne(t *testing.T) {
	if l, err := net.Listen("tcp", "127.0.0.1:8765"); err == nil {
		defer l.Close()
	} // else it is busy already, which is the point.
	d, _, stderr := storeDeps(t.TempDir(), nil, "")
	d.OpenBrowser = agreeingBrowser
	if code := Main(t.Context(), []string{"login", "--emulator"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !regexp.MustCompile(`come back to http://127\.0\.0\.1:\d+/callback`).MatchString(stderr.String()) {
		t.Errorf("the login did not use the fallback port; stderr:\n%s", stderr)
	}
}

// A login of a stored profile builds on its record; the app noted with
// the profile stands in only when the record cannot be read, and a note
// without one (older than the app's place in it) stands in for nothing.
func TestLoginCmd_RecordWinsOverTheNoteWhichStandsInWhenUnreadable(t *testing.T) {
	recApp := tokenstore.App{ClientID: "record-key", RedirectURI: "http://127.0.0.1:9001/callback",
		AuthURL: "https://record.example", APIURL: "https://api.record.example", Scopes: []string{"talk_message"}}
	noteApp := tokenstore.App{ClientID: "note-key", RedirectURI: "http://127.0.0.1:9002/callback",
		AuthURL: "https://note.example", APIURL: "https://api.note.example", Scopes: []string{"openid"}}
	tests := []struct {
		name    string
		corrupt bool   // the record does not decode
		note    string // the note as written; "" for the one a login writes with noteApp
		want    *tokenstore.App
		wantErr string
	}{
		{name: "record readable", want: &recApp},
		{name: "record unreadable", corrupt: true, want: &noteApp},
		{name: "record unreadable, note without an app", corrupt: true, note: `{"v":1,"store":"file"}`, wantErr: "no client id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			paths := tokenstore.Paths{Root: root}
			rec := &tokenstore.Record{ClientID: recApp.ClientID, RedirectURI: recApp.RedirectURI, AuthURL: recApp.AuthURL, APIURL: recApp.APIURL,
				Scopes: recApp.Scopes, AccessToken: "at", RefreshToken: "rt", Expiry: time.Now().Add(time.Hour)}
			if err := (&tokenstore.File{Dir: paths.TokensDir()}).Save(t.Context(), "work", rec); err != nil {
				t.Fatal(err)
			}
			notes := tokenstore.Profiles{Dir: paths.ProfilesDir()}
			if err := notes.SetLogin("work", tokenstore.BackendFile, noteApp); err != nil {
				t.Fatal(err)
			}
			if tt.note != "" {
				if err := os.WriteFile(filepath.Join(notes.Dir, "work.json"), []byte(tt.note), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if tt.corrupt {
				if err := os.WriteFile(filepath.Join(paths.TokensDir(), "work.json"), []byte("{"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			d, _, _ := storeDeps(root, nil, "")
			var got *LoginOptions
			c := NewLoginCmd(d, func(_ context.Context, o *LoginOptions) error {
				got = o
				return nil
			})
			c.SetArgs([]string{"--profile", "work"})
			err := c.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("login = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := LoginOptions{App: app{ClientID: tt.want.ClientID, RedirectURIs: []string{tt.want.RedirectURI}, AuthURL: tt.want.AuthURL, APIURL: tt.want.APIURL, Profile: "work"},
				Scopes: tt.want.Scopes, Store: tokenstore.BackendFile}
			got.App.Previous, got.App.PreviousStore, got.Timeout = nil, "", 0
			if diff := cmp.Diff(&want, got, cmp.AllowUnexported(app{})); diff != "" {
				t.Errorf("options mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Logging a profile in to another app asks first on a terminal: no keeps
// the stored login as it was (exit 3), yes replaces it.
func TestLogin_AnotherAppOverAProfileAsksOnATerminal(t *testing.T) {
	const otherApp = "another-rest-api-key"
	redirect := freeRedirect(t)
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, ClientIDs: []string{emulator.DefaultClientID, otherApp},
		RedirectURIs: []string{emulator.DefaultRedirectURI, redirect}})
	root := t.TempDir()
	loggedInProfile(t, base, root, "work")
	file := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
	before, err := file.Load(t.Context(), "work")
	if err != nil {
		t.Fatal(err)
	}
	question := fmt.Sprintf(`Profile "work" holds a login to app %s; replace it with a login to app %s? [y/N] `, emulator.DefaultClientID, otherApp)
	for _, tt := range []struct {
		answer string
		code   int
		app    string
	}{
		{"n\n", ExitCancelled, emulator.DefaultClientID},
		{"\n", ExitCancelled, emulator.DefaultClientID},
		{"y\n", ExitOK, otherApp},
	} {
		d, _, stderr := storeDeps(root, nil, tt.answer)
		d.StdinIsTerminal = true
		d.OpenBrowser = agreeingBrowser
		// A browser command: on a terminal with no display, login would ask for a paste.
		args := loginArgs(base, redirect, "--profile", "work", "--client-id", otherApp, "--browser-command", "agree")
		if code := Main(t.Context(), args, d); code != tt.code {
			t.Errorf("answer %q: exit %d, want %d\n%s", tt.answer, code, tt.code, stderr)
		}
		if !strings.HasPrefix(stderr.String(), question) {
			t.Errorf("answer %q: stderr does not start with the question %q:\n%s", tt.answer, question, stderr)
		}
		rec, err := file.Load(t.Context(), "work")
		if err != nil {
			t.Fatal(err)
		}
		if rec.ClientID != tt.app || (tt.code != ExitOK && !rec.Equal(before)) {
			t.Errorf("answer %q: stored login of app %s (unchanged: %v), want app %s", tt.answer, rec.ClientID, rec.Equal(before), tt.app)
		}
	}
}
