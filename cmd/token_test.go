package cmd

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// storeDeps are Deps whose profiles and session files live under root,
// with a short HTTP timeout so the hang fault ends quickly.
func storeDeps(root string, env map[string]string, stdin string) (*Deps, *bytes.Buffer, *bytes.Buffer) {
	d, stdout, stderr := testDeps(env, stdin)
	d.Paths = func() (tokenstore.Paths, error) { return tokenstore.Paths{Root: root}, nil }
	d.SessionDir = func() (string, error) { return filepath.Join(root, "sessions"), nil }
	d.OpenStore = tokenstore.Open
	// A connection pool of its own, as a kakao-auth process has: a pooled
	// connection to an emulator another Main closed would answer EOF. The
	// timeout is generous: under -race on a loaded 2-core machine the
	// emulator's first answer (it makes its signing key) can take seconds.
	// Tests of a server that never answers shorten it (hangingServerDeps).
	d.HTTPClient = &http.Client{Timeout: 20 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone()}
	return d, stdout, stderr
}

// hangingServerDeps is storeDeps with an HTTP timeout of 1s, for tests of a
// server that never answers.
func hangingServerDeps(root string, env map[string]string, stdin string) (*Deps, *bytes.Buffer, *bytes.Buffer) {
	d, stdout, stderr := storeDeps(root, env, stdin)
	d.HTTPClient.Timeout = time.Second
	return d, stdout, stderr
}

// agreeingBrowser opens URLs like a person who presses Agree.
func agreeingBrowser(ctx context.Context, _, url string) error {
	_, err := (&emulator.UserAgent{}).Visit(ctx, url)
	return err
}

func TestToken_FailedRefreshLeavesTheStoredRecordUntouched(t *testing.T) {
	tests := []struct {
		fault    emulator.Fault
		wantCode int
		wantErr  string
	}{
		{emulator.FaultReset, ExitFailure, "refresh: cannot reach"},
		{emulator.FaultHang, ExitFailure, "refresh: no answer from"},
		{emulator.Fault500, ExitFailure, "HTTP 500"},
		{emulator.FaultHTML, ExitFailure, "HTTP 502, text/html"},
		{emulator.FaultBadJSON, ExitFailure, "not valid JSON"},
		{emulator.FaultNoAccessToken, ExitFailure, "no access_token"},
		{emulator.FaultRateLimit, ExitFailure, "KOE237"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, emuURL, root, "default")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			before, _ := os.ReadFile(file)

			emu.SetFault(tt.fault)
			d, stdout, stderr := hangingServerDeps(root, nil, "")
			code := Main(t.Context(), []string{"token"}, d)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if !strings.Contains(stderr.String(), tt.wantErr) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stderr = %q, want %q and a hint", stderr, tt.wantErr)
			}
			after, _ := os.ReadFile(file)
			if !bytes.Equal(before, after) {
				t.Error("the stored record changed after a failed refresh")
			}
		})
	}
}

func TestToken_RejectedRefreshTokenIsLoginRequiredAndKeepsTheRecord(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
	before, _ := os.ReadFile(file)

	// The user unlinks the app (in KakaoTalk's settings, say).
	req, _ := http.NewRequest(http.MethodPost, emuURL+"/v1/user/unlink", nil)
	req.Header.Set("Authorization", "Bearer "+rec.AccessToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"token"}, d); code != ExitLoginRequired {
		t.Errorf("exit code = %d, want %d; stderr:\n%s", code, ExitLoginRequired, stderr)
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout = %q, want nothing", stdout)
	}
	if want := "kakao-auth: hint: run \"kakao-auth login\"\n"; !strings.HasSuffix(stderr.String(), want) {
		t.Errorf("stderr = %q, want it to end with %q", stderr, want)
	}
	if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
		t.Error("the stored record changed after KOE322")
	}
}

func TestToken_ValidTokenNeedsNoNetwork(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, srv.URL, root, "default")
	rec.Expiry = time.Now().Add(time.Hour)
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	srv.Close() // Kakao is unreachable from here on.

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"token"}, d); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	if stdout.String() != rec.AccessToken+"\n" {
		t.Errorf("stdout = %q, want the access token", stdout)
	}
	// Under --min-ttl, a refresh is attempted and fails: exit 1.
	d, stdout, _ = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"token", "--min-ttl", "2h"}, d); code != ExitFailure || stdout.Len() != 0 {
		t.Errorf("token --min-ttl 2h offline = exit %d, stdout %q; want exit 1 and nothing", code, stdout)
	}
}

func TestStatus_OfflineShowsLocalFacts(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, srv.URL, root, "default")
	srv.Close()

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status"}, d); code != ExitOK {
		t.Fatalf("exit code = %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"Profile:", "Client ID:      emulator-rest-api-key", "Access token:   expired", "Scopes:         talk_message"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr.String(), "Kakao could not be asked") {
		t.Errorf("stderr = %q, want a note that Kakao was not reached", stderr)
	}
}

func TestLogout_UnlinkAsksFirst(t *testing.T) {
	tests := []struct {
		answer     string
		wantCode   int
		wantStored bool
	}{
		{"n\n", ExitCancelled, true},
		{"\n", ExitCancelled, true},
		{"yes\n", ExitOK, false},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.answer), func(t *testing.T) {
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, emuURL, root, "default")
			d, _, stderr := storeDeps(root, nil, tt.answer)
			d.StdinIsTerminal = true
			code := Main(t.Context(), []string{"logout", "--unlink"}, d)
			if code != tt.wantCode {
				t.Errorf("exit code = %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr.String(), "Continue? [y/N]") {
				t.Errorf("no confirmation prompt on stderr: %q", stderr)
			}
			_, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json"))
			if stored := err == nil; stored != tt.wantStored {
				t.Errorf("record stored = %v, want %v", stored, tt.wantStored)
			}
		})
	}
}

func TestToken_RefreshedIDTokensAreVerifiedBeforeStoring(t *testing.T) {
	for _, fault := range []emulator.IDTokenFault{emulator.IDTokenOK, emulator.IDTokenWrongNonce, emulator.IDTokenBadSignature, emulator.IDTokenWrongIssuer} {
		t.Run("fault="+string(fault), func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			before := loggedInWith(t, emuURL, root, "default", "login-nonce", "openid", "profile_nickname")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			stored, _ := os.ReadFile(file)

			emu.SetIDTokenFault(fault)
			d, stdout, stderr := storeDeps(root, nil, "")
			code := Main(t.Context(), []string{"token", "--id-token"}, d)
			after, _ := os.ReadFile(file)
			if fault == emulator.IDTokenOK {
				if code != ExitOK || stdout.String() == before.IDToken+"\n" || !strings.HasPrefix(stdout.String(), "eyJ") {
					t.Errorf("exit %d, stdout %q: want a new ID token; stderr:\n%s", code, stdout, stderr)
				}
				return
			}
			if code != ExitFailure || stdout.Len() != 0 || !strings.Contains(stderr.String(), "ID token refused") {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 refusing the ID token", code, stdout, stderr)
			}
			if !bytes.Equal(stored, after) {
				t.Error("the stored record changed although the refreshed ID token was refused")
			}
		})
	}
}

func TestToken_RefreshWithoutANewIDTokenKeepsTheOldOne(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	before := loggedInWith(t, emuURL, root, "default", "n", "openid")
	emu.SetIDTokenFault(emulator.IDTokenOmitted)
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"token", "--id-token"}, d); code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if stdout.String() != before.IDToken+"\n" {
		t.Errorf("token --id-token = %q, want the ID token from the login", stdout)
	}
	rec, _ := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
	if rec.AccessToken == before.AccessToken {
		t.Error("the access token was not refreshed")
	}
}

// A --min-ttl longer than the access tokens Kakao gives can never be met:
// every run would refresh in vain, and a loop of them would meet Kakao's
// rate limit. token still prints the new token, and api still makes its
// call, and each says so.
func TestMinTTLBeyondTheTokensLife_IsSaid(t *testing.T) {
	for _, command := range [][]string{{"token"}, {"api", "/v2/user/me"}} {
		for _, tt := range []struct {
			minTTL string
			warn   bool
		}{
			{"2h", true},
			{"30m", false},
		} {
			t.Run(command[0]+" "+tt.minTTL, func(t *testing.T) {
				_, base := newTestEmulator(t, emulator.Config{AutoApprove: true, AccessTTL: time.Hour})
				root := t.TempDir()
				loggedInProfile(t, base, root, "default") // expired: the run refreshes
				d, stdout, stderr := storeDeps(root, nil, "")
				if code := Main(t.Context(), append(slices.Clone(command), "--min-ttl", tt.minTTL), d); code != ExitOK || stdout.Len() == 0 {
					t.Fatalf("exit %d, stdout %q\n%s", code, stdout, stderr)
				}
				warned := strings.Contains(stderr.String(), "--min-ttl "+tt.minTTL) && strings.Contains(stderr.String(), "just refreshed")
				if warned != tt.warn {
					t.Errorf("warned = %v, want %v; stderr:\n%s", warned, tt.warn, stderr)
				}
			})
		}
	}
}
