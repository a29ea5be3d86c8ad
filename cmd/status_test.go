package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// saveRecord stores rec for profile in the file store under root.
func saveRecord(t *testing.T, root, profile string, rec *tokenstore.Record) {
	t.Helper()
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), profile, rec); err != nil {
		t.Fatal(err)
	}
}

// status -o json always prints a document; without a usable login it says
// logged_in false, and the exit code is the one the error has.
func TestStatus_JSONWithoutAUsableLoginIsStillADocument(t *testing.T) {
	tests := []struct {
		name     string
		setUp    func(t *testing.T, root string)
		wantCode int
		wantErr  string
	}{
		{"never logged in", func(*testing.T, string) {}, ExitLoginRequired, "not logged in"},
		{"note without a record", func(t *testing.T, root string) {
			if err := (tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}).SetBackend("default", tokenstore.BackendFile); err != nil {
				t.Fatal(err)
			}
		}, ExitLoginRequired, "nothing stored in the file store"},
		{"refresh token expired, Kakao unreachable", func(t *testing.T, root string) {
			_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
			rec := loggedInProfile(t, srv.URL, root, "default")
			srv.Close()
			rec.RefreshExpiry = time.Now().Add(-time.Hour)
			saveRecord(t, root, "default", rec)
		}, ExitLoginRequired, "the refresh token expired"},
		{"damaged record", func(t *testing.T, root string) {
			_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
			loggedInProfile(t, srv.URL, root, "default")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			if err := os.WriteFile(file, []byte("{not json"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, ExitFailure, "not valid JSON"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			tt.setUp(t, root)
			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"status", "-o", "json"}, d); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			var doc map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatalf("stdout is not a JSON document (%v): %q", err, stdout)
			}
			if doc["profile"] != "default" || doc["logged_in"] != false {
				t.Errorf("profile %v, logged_in %v; want default and false", doc["profile"], doc["logged_in"])
			}
			if msg, _ := doc["error"].(string); !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error = %q, want it to say %q", msg, tt.wantErr)
			}
			if _, ok := doc["warnings"].([]any); !ok {
				t.Errorf("warnings = %#v, want an array", doc["warnings"])
			}
			if !strings.Contains(stderr.String(), "kakao-auth: error: ") {
				t.Errorf("stderr = %q, want the error for people too", stderr)
			}
		})
	}
}

// Warnings are for people: on stderr in the text form, data in the JSON.
func TestStatus_WarningsGoToStderrOrIntoTheJSON(t *testing.T) {
	_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	root := t.TempDir()
	rec := loggedInProfile(t, emuURL, root, "default")
	rec.Expiry = time.Now().Add(time.Hour)
	saveRecord(t, root, "default", rec)

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status"}, d); code != ExitOK {
		t.Fatalf("status: exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stdout.String(), "30 days") {
		t.Errorf("stdout has the warning:\n%s", stdout)
	}
	if !strings.Contains(stderr.String(), "kakao-auth: warning: the refresh token has under 30 days left") {
		t.Errorf("stderr = %q, want the 30-day warning", stderr)
	}

	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("status -o json: exit %d; stderr:\n%s", code, stderr)
	}
	var doc struct {
		Warnings []string `json:"warnings"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Warnings) != 1 || !strings.Contains(doc.Warnings[0], "under 30 days") {
		t.Errorf("warnings = %q, want the 30-day warning", doc.Warnings)
	}
	if strings.Contains(stderr.String(), "30 days") {
		t.Errorf("stderr = %q; the JSON carries the warning", stderr)
	}
}

// A status whose check at Kakao refreshed the token says so.
func TestStatus_SaysWhenItRefreshedTheToken(t *testing.T) {
	for _, output := range []string{"text", "json"} {
		t.Run(output, func(t *testing.T) {
			// Kakao's clock runs 7 hours ahead: the access token has
			// expired there too, and tokeninfo says -401.
			var ahead atomic.Int64
			_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true, Now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
			root := t.TempDir()
			before := loggedInProfile(t, srv.URL, root, "default")
			ahead.Store(int64(7 * time.Hour))

			d, stdout, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), []string{"status", "-o", output}, d); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			after, err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), "default")
			if err != nil {
				t.Fatal(err)
			}
			if after.AccessToken == before.AccessToken {
				t.Fatal("status did not refresh the expired token; the test checks nothing")
			}
			if !strings.Contains(stderr.String(), "Refreshed the access token") {
				t.Errorf("stderr = %q, want it to say the token was refreshed", stderr)
			}
			if output == "json" {
				var doc map[string]any
				if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
					t.Fatal(err)
				}
				if doc["refreshed"] != true {
					t.Errorf("refreshed = %v, want true", doc["refreshed"])
				}
			}
		})
	}
	// A token still good is not refreshed, and nothing says it was.
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	rec := loggedInProfile(t, srv.URL, root, "default")
	rec.Expiry = time.Now().Add(time.Hour)
	saveRecord(t, root, "default", rec)
	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr.String(), "Refreshed") || !strings.Contains(stdout.String(), `"refreshed": false`) {
		t.Errorf("stdout %s\nstderr %q; want refreshed false and no message", stdout, stderr)
	}
}

// status --all lists every profile from what is stored, offline, with each
// one's problems; the listing itself succeeds.
func TestStatusAll_ListsEveryProfileOfflineWithItsWarnings(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	now := time.Now()
	good := loggedInProfile(t, srv.URL, root, "good")
	good.Expiry, good.UserID = now.Add(time.Hour), 4000000001
	saveRecord(t, root, "good", good)
	soon := loggedInProfile(t, srv.URL, root, "soon") // access token expired
	soon.RefreshExpiry = now.Add(5 * 24 * time.Hour)
	saveRecord(t, root, "soon", soon)
	gone := loggedInProfile(t, srv.URL, root, "gone")
	gone.RefreshExpiry = now.Add(-time.Hour)
	saveRecord(t, root, "gone", gone)
	loggedInProfile(t, srv.URL, root, "broken")
	if err := os.WriteFile(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "broken.json"), []byte("{"), 0o600); err != nil {
		t.Fatal(err)
	}
	srv.Close() // status --all never asks Kakao

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--all", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if stderr.Len() != 0 {
		t.Errorf("stderr = %q; -o json carries the warnings", stderr)
	}
	var list []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	type entry struct {
		Profile, Store string
		LoggedIn       bool
		Warnings       []string
		HasError       bool
		User           any
	}
	var got []entry
	for _, doc := range list {
		e := entry{Profile: doc["profile"].(string), Store: doc["store"].(string), LoggedIn: doc["logged_in"].(bool), User: doc["user"]}
		for _, w := range doc["warnings"].([]any) {
			e.Warnings = append(e.Warnings, strings.SplitN(w.(string), " (", 2)[0])
		}
		_, e.HasError = doc["error"]
		for _, f := range tokenValueFields {
			if _, ok := doc[f]; ok {
				t.Errorf("%s: status --all shows %s", e.Profile, f)
			}
		}
		got = append(got, e)
	}
	want := []entry{
		{Profile: "broken", Store: "file", HasError: true},
		{Profile: "gone", Store: "file", Warnings: []string{"the refresh token expired on " + rfc3339(gone.RefreshExpiry) + `: log in again with "kakao-auth login --profile gone"`}},
		{Profile: "good", Store: "file", LoggedIn: true, User: map[string]any{"id": float64(4000000001)}},
		{Profile: "soon", Store: "file", LoggedIn: true, Warnings: []string{"the access token has expired", "the refresh token has under 30 days left"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("status --all -o json mismatch (-want +got):\n%s", diff)
	}

	// The table: one row per profile on stdout, the warnings on stderr.
	d, stdout, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--all"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "PROFILE") || !strings.HasPrefix(lines[3], "good ") || !strings.Contains(lines[3], "4000000001") {
		t.Errorf("table:\n%s", stdout)
	}
	for _, want := range []string{
		`kakao-auth: warning: profile "broken": `,
		`kakao-auth: warning: profile "gone": the refresh token expired`,
		`kakao-auth: warning: profile "soon": the refresh token has under 30 days left`,
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stdout.String(), "warning") {
		t.Errorf("stdout has warnings:\n%s", stdout)
	}
}

// Profile notes of every shape read alike: one written before notes kept
// the app, one of a login now, one with fields a newer kakao-auth added.
func TestStatusAll_ReadsOldNewAndNewerProfileNotes(t *testing.T) {
	_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	notes := tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}
	for name, note := range map[string]string{
		"old":   `{"v":1,"store":"file"}`,
		"new":   "",
		"newer": `{"v":1,"store":"file","app":{"client_id":"` + emulator.DefaultClientID + `","region":"kr"},"pinned":true}`,
	} {
		rec := loggedInProfile(t, srv.URL, root, name)
		rec.Expiry = time.Now().Add(time.Hour)
		saveRecord(t, root, name, rec)
		if note == "" {
			if err := notes.SetLogin(name, tokenstore.BackendFile, rec.App()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.WriteFile(filepath.Join(notes.Dir, name+".json"), []byte(note), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	srv.Close()

	d, stdout, stderr := storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"status", "--all", "-o", "json"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var list []struct {
		Profile  string `json:"profile"`
		Store    string `json:"store"`
		LoggedIn bool   `json:"logged_in"`
		Error    string `json:"error"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	for _, e := range list {
		if e.Store != tokenstore.BackendFile || !e.LoggedIn || e.Error != "" {
			t.Errorf("status --all of profile %q = %+v, want logged in, in the file store", e.Profile, e)
		}
	}
	if len(list) != 3 {
		t.Errorf("status --all listed %d profiles, want 3:\n%s", len(list), stdout)
	}
	d, _, stderr = storeDeps(root, nil, "")
	if code := Main(t.Context(), []string{"logout", "--profile", "newer"}, d); code != ExitOK {
		t.Errorf("logout of the newer note's profile: exit %d\n%s", code, stderr)
	}
}

func TestStatusAll_NoProfilesAndBadCombinations(t *testing.T) {
	d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
	if code := Main(t.Context(), []string{"status", "--all", "-o", "json"}, d); code != ExitOK || strings.TrimSpace(stdout.String()) != "[]" {
		t.Errorf("no profiles: exit %d, stdout %q, want 0 and []; stderr %q", code, stdout, stderr)
	}
	d, stdout, stderr = storeDeps(t.TempDir(), nil, "")
	if code := Main(t.Context(), []string{"status", "--all"}, d); code != ExitOK || stdout.Len() != 0 || !strings.Contains(stderr.String(), "kakao-auth login") {
		t.Errorf("no profiles, text: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	for _, args := range [][]string{
		{"status", "--all", "--profile", "bot"},
		{"status", "--all", "--show-token"},
	} {
		d, stdout, _ := storeDeps(t.TempDir(), nil, "")
		if code := Main(t.Context(), args, d); code != ExitUsage || stdout.Len() != 0 {
			t.Errorf("%v: exit %d, stdout %q; want a usage error", args, code, stdout)
		}
	}
}

// status -o json prints its document whatever happens once -o json is
// read, a command line it refuses too: exit 2, and the document says what
// was wrong, for the profile asked for.
func TestStatus_JSONForARefusedCommandLineIsStillADocument(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		terminal    bool
		wantProfile string
		wantErr     string
	}{
		{name: "bad profile name", args: []string{"--profile", "bad name"}, wantProfile: "bad name", wantErr: "bad name"},
		{name: "bad profile name in the environment", env: map[string]string{envProfile: "../x"}, wantProfile: "../x", wantErr: "../x"},
		{name: "an argument", args: []string{"extra"}, wantProfile: "default", wantErr: `unexpected argument "extra"`},
		{name: "--show-token on a terminal", args: []string{"--show-token"}, terminal: true, wantProfile: "default", wantErr: "refusing to print the refresh token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), tt.env, "")
			d.StdoutIsTerminal = tt.terminal
			args := append([]string{"status", "-o", "json"}, tt.args...)
			if code := Main(t.Context(), args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, ExitUsage, stderr)
			}
			var doc map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil {
				t.Fatalf("stdout is not a JSON document (%v): %q", err, stdout)
			}
			if doc["profile"] != tt.wantProfile || doc["logged_in"] != false {
				t.Errorf("profile %v, logged_in %v; want %q and false", doc["profile"], doc["logged_in"], tt.wantProfile)
			}
			if msg, _ := doc["error"].(string); !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error = %q, want it to say %q", msg, tt.wantErr)
			}
			if hint, _ := doc["hint"].(string); hint == "" {
				t.Errorf("no hint in %v", doc)
			}
			if _, ok := doc["warnings"].([]any); !ok {
				t.Errorf("warnings = %#v, want an array", doc["warnings"])
			}
			if !strings.Contains(stderr.String(), "kakao-auth: error: ") {
				t.Errorf("stderr = %q, want the error for people too", stderr)
			}
		})
	}
}

// status --all -o json prints what a script reading it expects, an array,
// whatever happens once -o json is read: a command line it refuses (exit
// 2), or a list of profiles it cannot read (exit 1), is an array holding
// one entry with the error, and no profile name, as none was asked about.
// A script that loops over the entries meets an entry that is not logged
// in, as it would for a profile whose login cannot be read.
func TestStatusAll_JSONForAFailureIsStillAnArray(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		setUp    func(t *testing.T, root string)
		wantCode int
		wantErr  string
	}{
		{name: "--show-token", args: []string{"--show-token"}, wantCode: ExitUsage, wantErr: "--all never shows token values"},
		{name: "--profile", args: []string{"--profile", "work"}, wantCode: ExitUsage, wantErr: "--all and --profile cannot be combined"},
		{name: "an argument", args: []string{"extra"}, wantCode: ExitUsage, wantErr: `unexpected argument "extra"`},
		{name: "the list cannot be read", wantCode: ExitFailure, wantErr: "list profiles", setUp: func(t *testing.T, root string) {
			dir := tokenstore.Paths{Root: root}.ProfilesDir()
			if err := os.MkdirAll(filepath.Dir(dir), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir, nil, 0o600); err != nil { // not a directory
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			if tt.setUp != nil {
				tt.setUp(t, root)
			}
			d, stdout, stderr := storeDeps(root, nil, "")
			args := append([]string{"status", "--all", "-o", "json"}, tt.args...)
			if code := Main(t.Context(), args, d); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, stderr)
			}
			var list []map[string]any
			if err := json.Unmarshal(stdout.Bytes(), &list); err != nil {
				t.Fatalf("stdout is not a JSON array (%v): %q", err, stdout)
			}
			if len(list) != 1 {
				t.Fatalf("the array holds %d entries, want the one error: %s", len(list), stdout)
			}
			entry := list[0]
			if p, ok := entry["profile"]; ok {
				t.Errorf("the error entry names profile %v, which nobody asked about", p)
			}
			if entry["logged_in"] != false {
				t.Errorf("logged_in = %v, want false", entry["logged_in"])
			}
			if msg, _ := entry["error"].(string); !strings.Contains(msg, tt.wantErr) {
				t.Errorf("error = %q, want it to say %q", msg, tt.wantErr)
			}
			if _, ok := entry["warnings"].([]any); !ok {
				t.Errorf("warnings = %#v, want an array", entry["warnings"])
			}
			if tt.wantCode == ExitUsage {
				if hint, _ := entry["hint"].(string); hint == "" {
					t.Errorf("no hint in %v", entry)
				}
			}
			if !strings.Contains(stderr.String(), "kakao-auth: error: ") {
				t.Errorf("stderr = %q, want the error for people too", stderr)
			}
		})
	}
}

// status says Kakao no longer accepted the stored access token only when
// Kakao refused it (-401); a token that had expired here is refreshed
// before Kakao is asked, and status says that instead.
func TestStatus_SaysWhyItRefreshed(t *testing.T) {
	t.Run("expired", func(t *testing.T) {
		_, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
		root := t.TempDir()
		loggedInProfile(t, srv.URL, root, "default") // expired a minute ago
		d, _, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"status"}, d); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if strings.Contains(stderr.String(), "no longer accepted") || !strings.Contains(stderr.String(), "the stored one had expired") {
			t.Errorf("stderr = %q, want it to say the stored token had expired, not that Kakao refused it", stderr)
		}
	})
	t.Run("refused", func(t *testing.T) {
		emu, srv := startTestEmulator(t, emulator.Config{AutoApprove: true})
		root := t.TempDir()
		rec := loggedInProfile(t, srv.URL, root, "default")
		rec.Expiry = time.Now().Add(time.Hour)
		saveRecord(t, root, "default", rec)
		if n := emu.ExpireAccessTokens("", 0); n == 0 {
			t.Fatal("no access token to expire")
		}
		d, _, stderr := storeDeps(root, nil, "")
		if code := Main(t.Context(), []string{"status"}, d); code != ExitOK {
			t.Fatalf("exit %d; stderr:\n%s", code, stderr)
		}
		if !strings.Contains(stderr.String(), "Kakao no longer accepted the stored one") {
			t.Errorf("stderr = %q, want it to say Kakao refused the stored token", stderr)
		}
	})
}
