package cmd

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// tokenSchema is the one JSON shape of a login's tokens (README, "JSON
// output"): each field's name and the kind of JSON value it holds.
var tokenSchema = map[string]string{
	"profile":                       "string",
	"access_token":                  "string",
	"token_type":                    "string",
	"expires_at":                    "time",
	"expires_at_unix":               "unix",
	"refresh_token":                 "string",
	"refresh_token_expires_at":      "time",
	"refresh_token_expires_at_unix": "unix",
	"scopes":                        "strings",
	"id_token":                      "string",
}

// tokenRequired are the schema fields every document has; the others are
// the token values, present only where the command shows them.
var tokenRequired = []string{"profile", "token_type", "expires_at", "expires_at_unix", "refresh_token_expires_at", "refresh_token_expires_at_unix", "scopes"}

var tokenValueFields = []string{"access_token", "refresh_token", "id_token"}

// checkTokenSchema checks doc against tokenSchema: the required fields are
// there, every schema field has its kind, each _unix field is its time,
// and the token values are exactly values.
func checkTokenSchema(t *testing.T, what string, doc map[string]any, values []string) {
	t.Helper()
	for _, f := range tokenRequired {
		if _, ok := doc[f]; !ok {
			t.Errorf("%s: no %q", what, f)
		}
	}
	for _, old := range []string{"scope", "expires_in_unix"} {
		if _, ok := doc[old]; ok {
			t.Errorf("%s: has %q, which is not in the schema", what, old)
		}
	}
	for f, kind := range tokenSchema {
		v, ok := doc[f]
		if !ok {
			continue
		}
		switch kind {
		case "string":
			if s, ok := v.(string); !ok || s == "" {
				t.Errorf("%s: %s = %#v, want a non-empty string", what, f, v)
			}
		case "time":
			s, _ := v.(string)
			at, err := time.Parse(time.RFC3339, s)
			if err != nil || !strings.HasSuffix(s, "Z") {
				t.Errorf("%s: %s = %#v, want an RFC 3339 UTC time", what, f, v)
				continue
			}
			if unix, _ := doc[f+"_unix"].(float64); int64(unix) != at.Unix() {
				t.Errorf("%s: %s_unix = %v, want %d (%s)", what, f, doc[f+"_unix"], at.Unix(), s)
			}
		case "unix":
			if n, ok := v.(float64); !ok || n != float64(int64(n)) || n <= 0 {
				t.Errorf("%s: %s = %#v, want a positive whole number", what, f, v)
			}
		case "strings":
			list, ok := v.([]any)
			if !ok {
				t.Errorf("%s: %s = %#v, want an array", what, f, v)
			}
			for _, s := range list {
				if _, ok := s.(string); !ok {
					t.Errorf("%s: %s has %#v, want strings", what, f, s)
				}
			}
		}
	}
	var got []string
	for _, f := range tokenValueFields {
		if _, ok := doc[f]; ok {
			got = append(got, f)
		}
	}
	if !slices.Equal(got, values) {
		t.Errorf("%s: token values %v, want %v", what, got, values)
	}
}

// sameTokenFields checks that two documents about one login agree on every
// schema field both have.
func sameTokenFields(t *testing.T, what string, a, b map[string]any) {
	t.Helper()
	for f := range tokenSchema {
		va, oka := a[f]
		vb, okb := b[f]
		if oka && okb {
			ja, _ := json.Marshal(va)
			jb, _ := json.Marshal(vb)
			if string(ja) != string(jb) {
				t.Errorf("%s: %s differs: %s vs %s", what, f, ja, jb)
			}
		}
	}
}

func TestJSONOutput_EveryCommandSharesTheTokenSchema(t *testing.T) {
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	redirect := freeRedirect(t)
	emu.RegisterRedirectURI(redirect)
	root := t.TempDir()

	run := func(t *testing.T, args ...string) any {
		t.Helper()
		d, stdout, stderr := storeDeps(root, nil, "")
		d.OpenBrowser = agreeingBrowser
		if code := Main(t.Context(), args, d); code != ExitOK {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
		var doc any
		if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
			t.Fatalf("%v: stdout is not JSON (%v):\n%s", args, err, stdout)
		}
		return doc
	}
	object := func(t *testing.T, args ...string) map[string]any {
		t.Helper()
		doc, ok := run(t, args...).(map[string]any)
		if !ok {
			t.Fatalf("%v: not a JSON object", args)
		}
		return doc
	}

	login := object(t, loginArgs(emuURL, redirect, "--scope", "openid,profile_nickname", "-o", "json")...)
	all := []string{"access_token", "refresh_token", "id_token"}
	checkTokenSchema(t, "login -o json", login, all)
	if got, _ := login["scopes"].([]any); len(got) != 2 {
		t.Errorf("login scopes = %v, want openid and profile_nickname", got)
	}

	// Every other command, on the same login before any refresh.
	tests := []struct {
		args   []string
		values []string
	}{
		{[]string{"token", "-o", "json"}, []string{"access_token"}},
		{[]string{"token", "-o", "json", "--id-token"}, []string{"access_token", "id_token"}},
		{[]string{"status", "-o", "json"}, nil},
		{[]string{"status", "-o", "json", "--show-token"}, all},
		{[]string{"export", "--format", "json"}, []string{"refresh_token"}},
		{[]string{"export", "-o", "json"}, []string{"refresh_token"}},
	}
	for _, tt := range tests {
		name := strings.Join(tt.args, " ")
		t.Run(name, func(t *testing.T) {
			doc := object(t, tt.args...)
			checkTokenSchema(t, name, doc, tt.values)
			sameTokenFields(t, name+" vs login", login, doc)
		})
	}
	t.Run("status --all -o json", func(t *testing.T) {
		list, ok := run(t, "status", "--all", "-o", "json").([]any)
		if !ok || len(list) != 1 {
			t.Fatalf("status --all -o json = %v, want an array of one profile", list)
		}
		doc, _ := list[0].(map[string]any)
		checkTokenSchema(t, "status --all -o json", doc, nil)
		sameTokenFields(t, "status --all vs login", login, doc)
	})

	// refresh changes the tokens; it then agrees with token.
	refreshed := object(t, "refresh", "-o", "json")
	checkTokenSchema(t, "refresh -o json", refreshed, []string{"access_token"})
	if refreshed["access_token"] == login["access_token"] || refreshed["refreshed"] != true {
		t.Errorf("refresh -o json: access token %v, refreshed %v; want a new token and true", refreshed["access_token"], refreshed["refreshed"])
	}
	sameTokenFields(t, "refresh vs token", refreshed, object(t, "token", "-o", "json"))
}

// export takes -o like every command that prints data; --format is the
// same flag under its old name, and the two must not disagree.
func TestExport_OutputAndFormatAreOneFlag(t *testing.T) {
	root := storeExportValues(t, emulator.DefaultClientID, "emu_rt_x", "")
	tests := []struct {
		args     []string
		wantCode int
		want     string // start of stdout
	}{
		{[]string{"export"}, ExitOK, "export KAKAO_CLIENT_ID='"},
		{[]string{"export", "-o", "json"}, ExitOK, "{"},
		{[]string{"export", "--output", "dotenv"}, ExitOK, "KAKAO_CLIENT_ID='"},
		{[]string{"export", "--format", "json"}, ExitOK, "{"},
		{[]string{"export", "-o", "json", "--format", "json"}, ExitOK, "{"},
		{[]string{"export", "-o", "json", "--format", "env"}, ExitUsage, "{\n  \"error\""}, // -o json: the error document
		{[]string{"export", "-o", "yaml"}, ExitUsage, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), tt.args, d); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			if !strings.HasPrefix(stdout.String(), tt.want) || (tt.want == "") != (stdout.Len() == 0) {
				t.Errorf("stdout = %q, want it to start with %q", stdout, tt.want)
			}
		})
	}
}

// refresh prints nothing on stdout unless asked: -o text is the new access
// token alone, as login's.
func TestRefresh_OutputText(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	before := loggedInProfile(t, emuURL, root, "default")
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"refresh"}, d); code != ExitOK || stdout.Len() != 0 {
		t.Fatalf("refresh: exit %d, stdout %q; stderr:\n%s", code, stdout, stderr)
	}
	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"refresh", "-o", "text"}, d); code != ExitOK {
		t.Fatalf("refresh -o text: exit %d; stderr:\n%s", code, stderr)
	}
	after, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if stdout.String() != after.AccessToken+"\n" || after.AccessToken == before.AccessToken {
		t.Errorf("stdout = %q, want the new access token %q", stdout, after.AccessToken)
	}
}
