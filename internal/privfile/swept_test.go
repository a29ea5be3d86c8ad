package privfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// setBeforeRename sets the hook for one test.
func setBeforeRename(t *testing.T, hook func(tmp string)) {
	t.Helper()
	beforeRename = hook
	t.Cleanup(func() { beforeRename = nil })
}

// A writer stalled between its temp file and the rename (SIGSTOP, a
// suspended laptop) may find its temp file swept as a crashed write's
// leftover. The write is not lost: WriteAtomic writes it again.
func TestWriteAtomic_TempFileSweptBeforeTheRenameIsWrittenAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "f.json")
	if err := WriteAtomic(path, []byte("old")); err != nil {
		t.Fatal(err)
	}
	calls := 0
	setBeforeRename(t, func(tmp string) {
		calls++
		if calls == 1 {
			if err := os.Remove(tmp); err != nil {
				t.Fatal(err)
			}
		}
	})
	if err := WriteAtomic(path, []byte("new")); err != nil {
		t.Fatalf("WriteAtomic() after its temp file was swept = %v, want nil", err)
	}
	got, err := Read(path, 1024)
	if err != nil || string(got) != "new" {
		t.Errorf("Read() = %q, %v; want %q", got, err, "new")
	}
	if calls != 2 {
		t.Errorf("temp files made = %d, want 2", calls)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

// The retries are bounded, and a directory that is gone is not retried:
// its error is returned as it is.
func TestWriteAtomic_GivesUpWhenTheTempFileKeepsGoingOrTheDirectoryIsGone(t *testing.T) {
	tests := []struct {
		name      string
		remove    func(tmp string) error
		wantCalls int
	}{
		{"temp file swept every time", os.Remove, maxWriteAttempts},
		{"directory gone", func(tmp string) error { return os.RemoveAll(filepath.Dir(tmp)) }, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "d")
			if err := EnsureDir(dir); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "f.json")
			calls := 0
			setBeforeRename(t, func(tmp string) {
				calls++
				if err := tt.remove(tmp); err != nil {
					t.Fatal(err)
				}
			})
			if err := WriteAtomic(path, []byte("new")); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("WriteAtomic() = %v, want an error satisfying fs.ErrNotExist", err)
			}
			if calls != tt.wantCalls {
				t.Errorf("temp files made = %d, want %d", calls, tt.wantCalls)
			}
		})
	}
}
