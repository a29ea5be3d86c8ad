package cmd

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// Every command that takes -o json prints, when it fails, one JSON
// document on stdout, in one shape: "error" (the message of the error
// line on stderr) and "hint" (its hint, left out when there is none).
// status adds fields of its own to the same two.
func TestJSONOutput_EveryFailureIsADocument(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, emuURL, root, "work")
	for _, tt := range []struct {
		name string
		args []string
		code int
	}{
		{"token", []string{"token", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
		{"refresh", []string{"refresh", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
		{"export", []string{"export", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
		{"scopes", []string{"scopes", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
		{"scopes revoke", []string{"scopes", "revoke", "-o", "json", "--yes", "--profile", "work", "no_such_item"}, ExitFailure},
		{"userinfo", []string{"userinfo", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
		{"login", []string{"login", "-o", "json", "--client-id", "k", "--timeout", "0s"}, ExitUsage},
		{"token usage", []string{"token", "-o", "json", "--min-ttl", "-1s"}, ExitUsage},
		{"status", []string{"status", "-o", "json", "--profile", "nosuch"}, ExitLoginRequired},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, stdout, stderr := storeDeps(root, map[string]string{envAuthURL: emuURL, envAPIURL: emuURL}, "")
			if code := Main(t.Context(), tt.args, d); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr)
			}
			doc := oneJSONDocument(t, stdout.Bytes())
			msg, hint := errorAndHint(stderr.String())
			if doc["error"] != msg || msg == "" {
				t.Errorf("error = %#v, want the error line's %q", doc["error"], msg)
			}
			if got, _ := doc["hint"].(string); got != hint {
				t.Errorf("hint = %#v, want the hint line's %q", doc["hint"], hint)
			}
			if _, ok := doc["hint"]; ok && hint == "" {
				t.Error(`"hint" is there without a hint`)
			}
		})
	}
}

// A command line that cannot be parsed exits 2 with the error on stderr
// only: -o json may not have been read.
func TestJSONOutput_UnparsableCommandLinePrintsNoDocument(t *testing.T) {
	d, stdout, stderr := testDeps(nil, "")
	if code := Main(t.Context(), []string{"token", "-o", "json", "--no-such-flag"}, d); code != ExitUsage || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q; want 2 and nothing\n%s", code, stdout, stderr)
	}
}

// oneJSONDocument decodes b, which must be one JSON object and nothing else.
func oneJSONDocument(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("stdout is not a JSON object (%v): %q", err, b)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("stdout has more than one document: %q", b)
	}
	return doc
}

// errorAndHint are the texts of the error and hint lines of stderr.
func errorAndHint(stderr string) (msg, hint string) {
	for line := range strings.SplitSeq(stderr, "\n") {
		if m, ok := strings.CutPrefix(line, "kakao-auth: error: "); ok {
			msg = m
		}
		if h, ok := strings.CutPrefix(line, "kakao-auth: hint: "); ok {
			hint = h
		}
	}
	return msg, hint
}
