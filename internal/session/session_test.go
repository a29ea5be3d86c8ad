package session

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func newSession(state string) *Session {
	return &Session{
		State:       state,
		Verifier:    "verifier-" + state,
		ClientID:    "client",
		RedirectURI: "http://localhost:8765/callback",
		AuthURL:     "http://127.0.0.1:9339",
		Scopes:      []string{"talk_message"},
		Profile:     "default",
	}
}

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func testDir(t *testing.T) (Dir, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)}
	return Dir{Path: filepath.Join(t.TempDir(), "sessions"), Now: c.now}, c
}

func TestCreate_WritesPrivateFileInPrivateDir(t *testing.T) {
	d, _ := testDir(t)
	path, err := d.Create(newSession("s1"))
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on windows")
	}
	for p, want := range map[string]os.FileMode{d.Path: 0o700, path: 0o600} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %#o, want %#o", p, got, want)
		}
	}
}

func TestCreate_RoundTripsThroughFind(t *testing.T) {
	d, c := testDir(t)
	in := newSession("s1")
	if _, err := d.Create(in); err != nil {
		t.Fatal(err)
	}
	got, err := d.Find("s1")
	if err != nil {
		t.Fatal(err)
	}
	want := newSession("s1")
	want.Version = Version
	want.CreatedAt = c.t
	want.ExpiresAt = c.t.Add(Lifetime)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Find() mismatch (-want +got):\n%s", diff)
	}
}

func TestCreate_NeverWritesTheClientSecret(t *testing.T) {
	// The Session type has no field for it; this pins that down.
	d, _ := testDir(t)
	path, err := d.Create(newSession("s1"))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, bad := range []string{"secret", "client_secret"} {
		if strings.Contains(string(data), bad) {
			t.Errorf("session file mentions %q:\n%s", bad, data)
		}
	}
}

func TestFind_Errors(t *testing.T) {
	d, c := testDir(t)
	if _, err := d.Create(newSession("live")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Find("missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(missing) = %v, want ErrNotFound", err)
	}
	if _, err := d.Find(""); !errors.Is(err, ErrNotFound) {
		t.Errorf("Find(\"\") = %v, want ErrNotFound", err)
	}
	c.t = c.t.Add(Lifetime)
	if _, err := d.Find("live"); !errors.Is(err, ErrExpired) {
		t.Errorf("Find(expired) = %v, want ErrExpired", err)
	}
}

func TestRead_RefusesTamperedFiles(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(t *testing.T, d Dir, path string)
		want     any
		unixOnly bool
	}{
		{
			name:     "group readable",
			tamper:   func(t *testing.T, d Dir, path string) { chmod(t, path, 0o640) },
			want:     new(*InsecureError),
			unixOnly: true,
		},
		{
			name:     "world writable",
			tamper:   func(t *testing.T, d Dir, path string) { chmod(t, path, 0o666) },
			want:     new(*InsecureError),
			unixOnly: true,
		},
		{
			name: "symlink to another file",
			tamper: func(t *testing.T, d Dir, path string) {
				target := filepath.Join(t.TempDir(), "elsewhere.json")
				data, _ := os.ReadFile(path)
				os.WriteFile(target, data, 0o600)
				os.Remove(path)
				if err := os.Symlink(target, path); err != nil {
					t.Skip("no symlinks here:", err)
				}
			},
			want: new(*InsecureError),
		},
		{
			name:   "not json",
			tamper: func(t *testing.T, d Dir, path string) { write(t, path, "{not json") },
			want:   new(*CorruptError),
		},
		{
			name:   "unknown fields",
			tamper: func(t *testing.T, d Dir, path string) { write(t, path, `{"version":1,"evil":true}`) },
			want:   new(*CorruptError),
		},
		{
			name: "missing verifier",
			tamper: func(t *testing.T, d Dir, path string) {
				write(t, path, `{"version":1,"state":"s1","client_id":"c","redirect_uri":"http://localhost:1/","expires_at":"2030-01-01T00:00:00Z"}`)
			},
			want: new(*CorruptError),
		},
		{
			name: "content names another state",
			tamper: func(t *testing.T, d Dir, path string) {
				other := newSession("other")
				if _, err := d.Create(other); err != nil {
					t.Fatal(err)
				}
				if err := os.Rename(d.PathFor("other"), path); err != nil {
					t.Fatal(err)
				}
			},
			want: new(*InsecureError),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("no permission bits on windows")
			}
			d, _ := testDir(t)
			path, err := d.Create(newSession("s1"))
			if err != nil {
				t.Fatal(err)
			}
			tt.tamper(t, d, path)
			_, err = d.Find("s1")
			if err == nil {
				t.Fatal("Find() accepted a tampered file")
			}
			if !errors.As(err, tt.want) {
				t.Errorf("Find() = %v (%T), want %T", err, err, tt.want)
			}
		})
	}
}

func TestCreate_RefusesAnOpenDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits on windows")
	}
	d, _ := testDir(t)
	if err := os.MkdirAll(d.Path, 0o755); err != nil {
		t.Fatal(err)
	}
	chmod(t, d.Path, 0o755)
	_, err := d.Create(newSession("s1"))
	var ie *InsecureError
	if !errors.As(err, &ie) {
		t.Fatalf("Create() in a 0755 dir = %v, want InsecureError", err)
	}
}

func TestDelete_RemovesFileAndToleratesMissing(t *testing.T) {
	d, _ := testDir(t)
	path, err := d.Create(newSession("s1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Delete("s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("file still there after Delete: %v", err)
	}
	if err := d.Delete("s1"); err != nil {
		t.Errorf("second Delete() = %v, want nil", err)
	}
}

func TestSweep_RemovesOnlyStaleFiles(t *testing.T) {
	d, c := testDir(t)
	if _, err := d.Create(newSession("old")); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(Lifetime + time.Minute)
	if _, err := d.Create(newSession("fresh")); err != nil {
		t.Fatal(err)
	}
	// A temp file left by a crash mid-write, and a damaged file, both old.
	oldTime := c.t.Add(-2 * Lifetime)
	for _, name := range []string{".tmp-123", "deadbeef" + fileSuffix} {
		p := filepath.Join(d.Path, name)
		write(t, p, "{")
		os.Chtimes(p, oldTime, oldTime)
	}
	// An unrelated file is never touched.
	write(t, filepath.Join(d.Path, "notes.txt"), "keep")

	n, err := d.Sweep()
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("Sweep() removed %d files, want 3", n)
	}
	var left []string
	entries, _ := os.ReadDir(d.Path)
	for _, e := range entries {
		left = append(left, e.Name())
	}
	want := []string{fileName("fresh"), "notes.txt"}
	if diff := cmp.Diff(want, left); diff != "" {
		t.Errorf("files after Sweep() (-want +got):\n%s", diff)
	}
}

func TestSweep_MissingDirIsFine(t *testing.T) {
	d := Dir{Path: filepath.Join(t.TempDir(), "absent")}
	if n, err := d.Sweep(); err != nil || n != 0 {
		t.Errorf("Sweep() = %d, %v; want 0, nil", n, err)
	}
}

func TestDefaultDir_PrefersRuntimeDir(t *testing.T) {
	rt := t.TempDir()
	env := map[string]string{"XDG_RUNTIME_DIR": rt}
	got, err := DefaultDir(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(rt, "kakao-auth"); got != want {
		t.Errorf("DefaultDir() = %q, want %q", got, want)
	}
	env["XDG_RUNTIME_DIR"] = filepath.Join(rt, "missing")
	got, err = DefaultDir(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(got) != "sessions" {
		t.Errorf("DefaultDir() without a runtime dir = %q, want …/kakao-auth/sessions", got)
	}
}

func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSweep_RemovesSessionsOfDeadProcesses(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("process liveness is not checked on windows")
	}
	d, _ := testDir(t)
	d.Now = time.Now
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no true(1):", err)
	}
	for state, pid := range map[string]int{"dead": dead.Process.Pid, "alive": os.Getpid(), "two-step": 0} {
		s := newSession(state)
		s.OwnerPID = pid
		if _, err := d.Create(s); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := d.Sweep(); err != nil || n != 1 {
		t.Fatalf("Sweep() = %d, %v; want 1 removed", n, err)
	}
	if _, err := d.Find("dead"); !errors.Is(err, ErrNotFound) {
		t.Errorf("the dead process's session is still there: %v", err)
	}
	for _, state := range []string{"alive", "two-step"} {
		if _, err := d.Find(state); err != nil {
			t.Errorf("session %q was swept: %v", state, err)
		}
	}
}

// The sweep checks the directory before it removes anything in it, and
// never works through a link: a session directory that is a link (to
// wherever), or that others can open, keeps every file, and the sweep says
// why.
func TestSweep_ChecksTheDirectoryFirstAndNeverFollowsALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("links and permission bits")
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, d Dir, other string)
	}{
		{"a link to another directory", func(t *testing.T, d Dir, other string) {
			if err := os.Symlink(other, d.Path); err != nil {
				t.Fatal(err)
			}
		}},
		{"a directory others can open", func(t *testing.T, d Dir, other string) {
			if err := os.Rename(other, d.Path); err != nil {
				t.Fatal(err)
			}
			chmod(t, d.Path, 0o755)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, c := testDir(t)
			// other holds what a sweep would remove: an expired session and
			// an old temp file.
			other := filepath.Join(t.TempDir(), "other")
			src := Dir{Path: other, Now: c.now}
			if _, err := src.Create(newSession("old")); err != nil {
				t.Fatal(err)
			}
			tmp := filepath.Join(other, ".tmp-123")
			write(t, tmp, "{")
			old := c.t.Add(-2 * Lifetime)
			os.Chtimes(tmp, old, old)
			c.t = c.t.Add(Lifetime + time.Minute)
			tt.setup(t, d, other)

			n, err := d.Sweep()
			var ie *InsecureError
			if !errors.As(err, &ie) || n != 0 {
				t.Errorf("Sweep() = %d, %v; want 0 and an InsecureError", n, err)
			}
			entries, _ := os.ReadDir(d.Path)
			if len(entries) != 2 {
				t.Errorf("files left: %v, want both", entries)
			}
		})
	}
}
