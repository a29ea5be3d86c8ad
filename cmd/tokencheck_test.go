package cmd

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// A token response with a token unfit for a header, a shell or an env file,
// a token_type other than bearer (such as "Bearer\r\nX-Inj: 1"), or with a
// missing, non-integer, non-positive or absurd lifetime, is
// refused as malformed: exit 1, nothing printed, the stored record as it
// was. (An absurd refresh_token_expires_in once overflowed into a year-1737
// expiry, after which "token" said login required without asking Kakao.)
func TestToken_MalformedTokenResponseIsRefusedAndKeepsTheRecord(t *testing.T) {
	for _, fault := range []emulator.Fault{
		emulator.FaultHugeRefreshLifetime, emulator.FaultNegativeExpiresIn, emulator.FaultZeroExpiresIn, emulator.FaultNoExpiresIn,
		emulator.FaultNoRefreshLifetime, emulator.FaultAccessTokenQuote, emulator.FaultAccessTokenControl,
		emulator.FaultRefreshTokenSpace, emulator.FaultRefreshTokenControl, emulator.FaultIDTokenSpace,
		emulator.FaultTokenTypeHeader, emulator.FaultTokenTypeBasic, emulator.FaultTokenTypeEscape,
	} {
		t.Run(string(fault), func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, emuURL, root, "default")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			before, _ := os.ReadFile(file)

			emu.SetFault(fault)
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"token"}, d); code != ExitFailure {
				t.Errorf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "malformed token response") || !strings.Contains(stderr.String(), "kakao-auth: hint: ") ||
				strings.ContainsAny(stderr.String(), "\r\x1b") {
				t.Errorf("stdout %q, stderr %q; want nothing on stdout, and a malformed token response with a hint", stdout, stderr)
			}
			if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
				t.Error("the stored record changed after a malformed token response")
			}

			// The old login still works once the server behaves.
			emu.SetFault(emulator.FaultNone)
			d, stdout, stderr = storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"token"}, d); code != ExitOK || stdout.Len() == 0 {
				t.Errorf("after the fault: exit %d, stdout %q; stderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

// A login whose token response is malformed stores nothing: not the
// malformed tokens, not a half of them.
func TestLogin_MalformedTokenResponseStoresNothing(t *testing.T) {
	for _, fault := range []emulator.Fault{emulator.FaultNoRefreshToken, emulator.FaultAccessTokenQuote, emulator.FaultHugeRefreshLifetime} {
		t.Run(string(fault), func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			emu.SetFault(fault)
			redirect := freeRedirect(t)
			emu.RegisterRedirectURI(redirect)
			d, stdout, stderr := storeDeps(root, nil, "")
			d.OpenBrowser = agreeingBrowser
			code := Main(t.Context(), []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL,
				"--api-url", emuURL, "--redirect-uri", redirect, "--store", "file", "--timeout", "20s", "--output", "json"}, d)
			if code != ExitFailure || !strings.Contains(stderr.String(), "malformed token response") {
				t.Errorf("exit %d, stderr %q; want exit 1, a malformed token response", code, stderr)
			}
			// -o json: the error document, and no token.
			if doc := oneJSONDocument(t, stdout.Bytes()); doc["error"] == nil || doc["access_token"] != nil || doc["refresh_token"] != nil {
				t.Errorf("stdout %q, want the error document and no token", stdout)
			}
			if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); !os.IsNotExist(err) {
				t.Errorf("a token file exists after the failed login (%v)", err)
			}
		})
	}
}

// In env-only mode (CI) a rotated refresh token goes to a file and to the
// step output; a malformed one goes nowhere.
func TestEnvToken_MalformedRotatedRefreshTokenIsNotWritten(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	emu.SetFault(emulator.FaultRefreshTokenControl)
	rotated, ghOutput := filepath.Join(root, "rotated"), filepath.Join(root, "gh-output")
	d, stdout, stderr := storeDeps(root, map[string]string{
		envRefreshToken: rec.RefreshToken, envClientID: emulator.DefaultClientID, envAuthURL: emuURL,
		"GITHUB_ACTIONS": "true", "GITHUB_OUTPUT": ghOutput,
	}, "")
	code := Main(t.Context(), []string{"token", "--rotated-refresh-token-file", rotated, "--output", "github-output"}, d)
	if code != ExitFailure || strings.Contains(stdout.String(), "\x1b") || !strings.Contains(stderr.String(), "malformed token response") {
		t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and a malformed token response", code, stdout, stderr)
	}
	for _, f := range []string{rotated, ghOutput} {
		if data, err := os.ReadFile(f); err == nil {
			t.Errorf("%s was written: %q", filepath.Base(f), data)
		}
	}
}

// The emulator refuses lifetimes that kakao-auth would refuse to receive.
func TestEmulatorCmd_LifetimesMustBeOnesKakaoAuthAccepts(t *testing.T) {
	tests := []struct {
		args      []string
		wantUsage bool
	}{
		{[]string{"--access-ttl", "1s"}, false},
		{[]string{"--refresh-ttl", "87600h"}, false},
		{[]string{"--access-ttl", "500ms"}, true},
		{[]string{"--access-ttl", "0"}, true},
		{[]string{"--refresh-ttl", "87601h"}, true},
	}
	for _, tt := range tests {
		d, _, _ := testDeps(nil, "")
		c := NewEmulatorCmd(d, func(context.Context, *EmulatorOptions) error { return nil })
		c.SetArgs(tt.args)
		c.SetOut(io.Discard)
		c.SetErr(io.Discard)
		err := c.Execute()
		if usage := err != nil && exitCode(err) == ExitUsage; usage != tt.wantUsage || (err != nil && !usage) {
			t.Errorf("emulator %v = %v, want a usage error: %v", tt.args, err, tt.wantUsage)
		}
	}
}
