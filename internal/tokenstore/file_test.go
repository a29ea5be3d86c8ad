package tokenstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

func TestFile_SaveLoadDeleteRoundTrip(t *testing.T) {
	ctx := t.Context()
	f := &File{Dir: filepath.Join(t.TempDir(), "tokens")}

	if _, err := f.Load(ctx, "default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load() before Save = %v, want ErrNotFound", err)
	}
	first := sampleRecord()
	if err := f.Save(ctx, "default", first); err != nil {
		t.Fatalf("Save() = %v", err)
	}
	// A refresh rotates the tokens: the second Save replaces the first.
	second := sampleRecord()
	second.AccessToken, second.RefreshToken = "rotated-access", "rotated-refresh"
	if err := f.Save(ctx, "default", second); err != nil {
		t.Fatalf("second Save() = %v", err)
	}
	got, err := f.Load(ctx, "default")
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	want := *second
	want.Version = RecordVersion
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Load() mismatch (-want +got):\n%s", diff)
	}

	if err := f.Delete(ctx, "default"); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if _, err := f.Load(ctx, "default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load() after Delete = %v, want ErrNotFound", err)
	}
	if err := f.Delete(ctx, "default"); err != nil {
		t.Errorf("Delete() of an absent record = %v, want nil", err)
	}
}

func TestFile_SaveIsAtomicAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	f := &File{Dir: dir}
	for range 3 {
		if err := f.Save(t.Context(), "work", sampleRecord()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"work.json"}, names); diff != "" {
		t.Errorf("files after Save mismatch (-want +got):\n%s", diff)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "work.json"): 0o600} {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != want {
			t.Errorf("mode of %s = %#o, want %#o", path, got, want)
		}
	}
}

func TestFile_RefusesUntrustedRecords(t *testing.T) {
	good, err := Encode(sampleRecord())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		unixOnly bool
		plant    func(t *testing.T, path string) // puts something at path
		wantLoad func(error) bool
		// wantSave: Save must refuse and leave the bytes alone.
		wantSaveRefused bool
	}{
		{
			name: "symlink",
			plant: func(t *testing.T, path string) {
				target := filepath.Join(t.TempDir(), "elsewhere.json")
				if err := os.WriteFile(target, good, 0o600); err != nil {
					t.Fatal(err)
				}
				if err := os.Symlink(target, path); err != nil {
					t.Skipf("cannot make a symlink here: %v", err)
				}
			},
			wantLoad:        isInsecure,
			wantSaveRefused: true,
		},
		{
			name:     "mode 0644",
			unixOnly: true,
			plant: func(t *testing.T, path string) {
				writeFileMode(t, path, good, 0o644)
			},
			wantLoad:        isInsecure,
			wantSaveRefused: true,
		},
		{
			name: "truncated",
			plant: func(t *testing.T, path string) {
				writeFileMode(t, path, good[:len(good)-10], 0o600)
			},
			wantLoad: isCorrupt,
		},
		{
			name: "too large",
			plant: func(t *testing.T, path string) {
				writeFileMode(t, path, make([]byte, maxRecordFile+1), 0o600)
			},
			wantLoad: isCorrupt,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("no permission bits on windows")
			}
			// t.TempDir's own mode depends on the umask; make a private one.
			dir := filepath.Join(t.TempDir(), "tokens")
			if err := privfile.EnsureDir(dir); err != nil {
				t.Fatal(err)
			}
			f := &File{Dir: dir}
			path := filepath.Join(dir, "default.json")
			tt.plant(t, path)

			r, err := f.Load(t.Context(), "default")
			if !tt.wantLoad(err) {
				t.Errorf("Load() = %+v, %v; want it refused", r, err)
			}

			before := readLinkAndTarget(t, path)
			err = f.Save(t.Context(), "default", sampleRecord())
			if !tt.wantSaveRefused {
				// A corrupt record is what a fresh login replaces.
				if err != nil {
					t.Errorf("Save() over it = %v, want nil", err)
				}
				return
			}
			var ie *privfile.InsecureError
			if !errors.As(err, &ie) || ie.Path != path {
				t.Errorf("Save() over it = %v, want a *privfile.InsecureError about %s", err, path)
			}
			if diff := cmp.Diff(before, readLinkAndTarget(t, path)); diff != "" {
				t.Errorf("refused Save() changed the bytes on disk (-before +after):\n%s", diff)
			}
		})
	}
}

func TestFile_RefusesPathsInProfileNames(t *testing.T) {
	root := t.TempDir()
	f := &File{Dir: filepath.Join(root, "tokens")}
	for _, name := range badProfileNames {
		if _, err := f.Load(t.Context(), name); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Load(%q) = %v, want a refusal", name, err)
		}
		if err := f.Save(t.Context(), name, sampleRecord()); err == nil {
			t.Errorf("Save(%q) = nil, want a refusal", name)
		}
		if err := f.Delete(t.Context(), name); err == nil {
			t.Errorf("Delete(%q) = nil, want a refusal", name)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "evil.json")); err == nil {
		t.Errorf("a Save escaped the token directory")
	}
}

func isInsecure(err error) bool {
	var ie *privfile.InsecureError
	return errors.As(err, &ie)
}

func isCorrupt(err error) bool {
	var ce *CorruptError
	return errors.As(err, &ce)
}

// writeFileMode writes data to path with exactly mode, whatever the umask.
func writeFileMode(t *testing.T, path string, data []byte, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// readLinkAndTarget describes what is at path: the link text, if it is
// one, and the bytes it leads to.
func readLinkAndTarget(t *testing.T, path string) []string {
	t.Helper()
	link, _ := os.Readlink(path)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return []string{link, string(data)}
}

// A crash between WriteAtomic's temp file and its rename leaves the temp
// file, holding a whole record (a refresh token among it). The next save,
// and logout, take away such leftovers; a temp file young enough to be
// another process's write in progress is left alone.
func TestFile_SaveAndDeleteSweepWhatACrashedWriteLeft(t *testing.T) {
	for _, op := range []string{"save", "delete"} {
		t.Run(op, func(t *testing.T) {
			ctx := t.Context()
			dir := filepath.Join(t.TempDir(), "tokens")
			f := &File{Dir: dir}
			if err := f.Save(ctx, "other", sampleRecord()); err != nil {
				t.Fatalf("Save() = %v", err)
			}
			stale := filepath.Join(dir, ".tmp-123456")
			fresh := filepath.Join(dir, ".tmp-654321")
			for _, p := range []string{stale, fresh} {
				if err := os.WriteFile(p, []byte(`{"refresh_token":"left-behind"}`), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			old := time.Now().Add(-2 * privfile.StaleTemp)
			if err := os.Chtimes(stale, old, old); err != nil {
				t.Fatal(err)
			}

			var err error
			if op == "save" {
				err = f.Save(ctx, "default", sampleRecord())
			} else {
				err = f.Delete(ctx, "other")
			}
			if err != nil {
				t.Fatalf("%s: %v", op, err)
			}
			if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("after %s, the stale temp file is still there (Lstat: %v)", op, err)
			}
			if _, err := os.Lstat(fresh); err != nil {
				t.Errorf("after %s, a temp file of a write in progress is gone: %v", op, err)
			}
		})
	}
}

// Logout through a tokens directory that a link replaced removes nothing
// where the link points: neither a record nor an old temp file.
func TestFile_DeleteThroughALinkedDirectoryTouchesNothingThere(t *testing.T) {
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := privfile.EnsureDir(target); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(target, ".tmp-victim")
	if err := os.WriteFile(victim, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * privfile.StaleTemp)
	if err := os.Chtimes(victim, old, old); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tokens")
	if err := os.Symlink(target, dir); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	record := filepath.Join(target, "default.json")
	writeFileMode(t, record, []byte("{}"), 0o600)
	f := &File{Dir: dir}
	if err := f.Delete(t.Context(), "default"); !isInsecure(err) {
		t.Errorf("Delete() = %v, want a refusal of the linked directory", err)
	}
	for _, p := range []string{victim, record} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("Delete() removed %s, where the link points: %v", p, err)
		}
	}
}
