package privfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestWriteAtomic_ThenRead(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "f.json")
	for _, content := range []string{"first", "second, longer content"} {
		if err := WriteAtomic(path, []byte(content)); err != nil {
			t.Fatal(err)
		}
		got, err := Read(path, 1024)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != content {
			t.Errorf("Read() = %q, want %q", got, content)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %#o, want 0600", fi.Mode().Perm())
		}
		di, _ := os.Stat(dir)
		if di.Mode().Perm() != 0o700 {
			t.Errorf("dir mode = %#o, want 0700", di.Mode().Perm())
		}
	}
}

func TestRead_Refusals(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	os.WriteFile(good, []byte("x"), 0o600)

	if _, err := Read(filepath.Join(dir, "missing"), 10); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing) = %v, want ErrNotExist", err)
	}
	big := filepath.Join(dir, "big")
	os.WriteFile(big, make([]byte, 11), 0o600)
	if _, err := Read(big, 10); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Read(big) = %v, want ErrTooLarge", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(good, link); err == nil {
		var ie *InsecureError
		if _, err := Read(link, 10); !errors.As(err, &ie) {
			t.Errorf("Read(symlink) = %v, want InsecureError", err)
		}
		if err := WriteAtomic(link, []byte("y")); !errors.As(err, &ie) {
			t.Errorf("WriteAtomic(symlink) = %v, want InsecureError", err)
		}
		if data, _ := os.ReadFile(good); string(data) != "x" {
			t.Errorf("the link target was overwritten: %q", data)
		}
	}
	if runtime.GOOS == "windows" {
		return
	}
	open := filepath.Join(dir, "open")
	os.WriteFile(open, []byte("x"), 0o644)
	os.Chmod(open, 0o644)
	var ie *InsecureError
	if _, err := Read(open, 10); !errors.As(err, &ie) {
		t.Errorf("Read(0644) = %v, want InsecureError", err)
	}
	openDir := filepath.Join(dir, "opendir")
	os.Mkdir(openDir, 0o755)
	os.Chmod(openDir, 0o755)
	if err := EnsureDir(openDir); !errors.As(err, &ie) {
		t.Errorf("EnsureDir(0755) = %v, want InsecureError", err)
	}
}

// The tool replaces its files by renaming a new one over them while other
// processes read them; a reader gets the old file or the new one, whole, and
// never calls the replacement tampering.
func TestRead_FileReplacedWhileReadIsNeverRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := WriteAtomic(path, []byte("v0")); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		for i := 1; ; i++ {
			select {
			case <-stop:
				done <- nil
				return
			default:
			}
			if err := WriteAtomic(path, []byte(fmt.Sprintf("v%d", i))); err != nil {
				done <- err
				return
			}
		}
	}()
	for range 20000 {
		data, err := Read(path, 64)
		if err != nil {
			t.Errorf("Read() while the file is replaced = %v", err)
			break
		}
		if len(data) < 2 || data[0] != 'v' {
			t.Errorf("Read() = %q, want a whole version", data)
			break
		}
	}
	close(stop)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// SweepTemps takes only stale regular temp files: never a record, a young
// temp file, a directory, or a link (nor what the link points to).
func TestSweepTemps_RemovesOnlyStaleTempFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "d")
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * StaleTemp)
	mk := func(name string, make func(string) error) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := make(p); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, old, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
			t.Fatal(err)
		}
		return p
	}
	file := func(p string) error { return os.WriteFile(p, []byte("x"), 0o600) }
	stale := mk(".tmp-1", file)
	record := mk("default.json", file)
	subdir := mk(".tmp-2", func(p string) error { return os.Mkdir(p, 0o700) })
	link := filepath.Join(dir, ".tmp-3")
	if err := os.Symlink(outside, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	if err := os.Chtimes(outside, old, old); err != nil {
		t.Fatal(err)
	}
	young := filepath.Join(dir, ".tmp-4")
	if err := file(young); err != nil {
		t.Fatal(err)
	}

	n, err := SweepTemps(dir)
	if err != nil || n != 1 {
		t.Fatalf("SweepTemps() = %d, %v; want 1, nil", n, err)
	}
	if _, err := os.Lstat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("stale temp file kept (Lstat: %v)", err)
	}
	for _, p := range []string{record, subdir, link, young, outside} {
		if _, err := os.Lstat(p); err != nil {
			t.Errorf("%s was removed: %v", p, err)
		}
	}
	if n, err := SweepTemps(filepath.Join(dir, "missing")); n != 0 || err != nil {
		t.Errorf("SweepTemps(missing dir) = %d, %v; want 0, nil", n, err)
	}
}

func TestInsecureError_HintOfALockFileGivesTheExactRemoval(t *testing.T) {
	tests := []struct {
		path, reason, want string
	}{
		{"/home/u/.config/kakao-auth/locks/work.lock", "not a regular file but a symbolic link",
			"remove the link itself (rm /home/u/.config/kakao-auth/locks/work.lock)"},
		{"/home/it's me/locks/work.lock", "not a regular file",
			`remove it (rm '/home/it'\''s me/locks/work.lock')`},
	}
	for _, tt := range tests {
		hint := (&InsecureError{Path: tt.path, Reason: tt.reason, LockFile: true}).Hint()
		if !strings.Contains(hint, tt.want) || !strings.Contains(hint, "holds nothing") {
			t.Errorf("Hint() = %q, want it to say %q and that a lock file holds nothing", hint, tt.want)
		}
	}
}

// A link put in place of the directory is not followed: the sweep refuses
// it and removes nothing where it points.
func TestSweepTemps_RefusesADirectoryThatIsALink(t *testing.T) {
	target := filepath.Join(t.TempDir(), "elsewhere")
	if err := EnsureDir(target); err != nil {
		t.Fatal(err)
	}
	victim := filepath.Join(target, ".tmp-victim")
	if err := os.WriteFile(victim, []byte("not ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * StaleTemp)
	if err := os.Chtimes(victim, old, old); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "tokens")
	if err := os.Symlink(target, dir); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	n, err := SweepTemps(dir)
	var ie *InsecureError
	if n != 0 || !errors.As(err, &ie) {
		t.Errorf("SweepTemps(link) = %d, %v; want 0, an *InsecureError", n, err)
	}
	if _, err := os.Lstat(victim); err != nil {
		t.Errorf("the sweep removed a file where the link points: %v", err)
	}
}

// A directory that others can write to is not swept either: a temp file
// there may not be ours.
func TestSweepTemps_RefusesADirectoryThatIsNotPrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no modes here")
	}
	dir := filepath.Join(t.TempDir(), "d")
	if err := EnsureDir(dir); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, ".tmp-1")
	if err := os.WriteFile(stale, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-2 * StaleTemp)
	if err := os.Chtimes(stale, old, old); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	var ie *InsecureError
	if n, err := SweepTemps(dir); n != 0 || !errors.As(err, &ie) {
		t.Errorf("SweepTemps(mode 0777) = %d, %v; want 0, an *InsecureError", n, err)
	}
	if _, err := os.Lstat(stale); err != nil {
		t.Errorf("the sweep removed a file in a directory it should refuse: %v", err)
	}
}
