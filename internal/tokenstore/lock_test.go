package tokenstore

import (
	"io/fs"

	"bufio"
	"context"
	"errors"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func TestLock_SecondLockWaitsThenTimesOut(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	unlock, err := Lock(t.Context(), p, "default", time.Second)
	if err != nil {
		t.Fatalf("Lock() = %v", err)
	}

	const wait = 150 * time.Millisecond
	start := time.Now()
	_, err = Lock(t.Context(), p, "default", wait)
	waited := time.Since(start)
	var lte *LockTimeoutError
	if !errors.As(err, &lte) {
		t.Fatalf("second Lock() = %v, want a *LockTimeoutError", err)
	}
	if lte.Profile != "default" || lte.Waited != wait {
		t.Errorf("LockTimeoutError = %+v, want profile default, waited %v", lte, wait)
	}
	if waited < wait {
		t.Errorf("second Lock() gave up after %v, before its %v", waited, wait)
	}
	if lte.Hint() == "" {
		t.Errorf("LockTimeoutError has no hint")
	}

	if err := unlock(); err != nil {
		t.Fatalf("unlock() = %v", err)
	}
	if err := unlock(); err != nil {
		t.Errorf("second unlock() = %v, want nil", err)
	}
	unlock2, err := Lock(t.Context(), p, "default", wait)
	if err != nil {
		t.Fatalf("Lock() after unlock = %v", err)
	}
	unlock2()
}

func TestLock_WaitsForARelease(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	unlock, err := Lock(t.Context(), p, "default", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { unlock() })
	unlock2, err := Lock(t.Context(), p, "default", 10*time.Second)
	if err != nil {
		t.Fatalf("Lock() while the holder lets go = %v, want it to wait and succeed", err)
	}
	unlock2()
}

func TestLock_ProfilesDoNotBlockEachOther(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	unlockA, err := Lock(t.Context(), p, "a", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlockA()
	unlockB, err := Lock(t.Context(), p, "b", 0)
	if err != nil {
		t.Fatalf("Lock(b) while a is held = %v, want nil", err)
	}
	unlockB()
}

func TestLock_CancelledContext(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	unlock, err := Lock(t.Context(), p, "default", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err = Lock(ctx, p, "default", time.Minute)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Lock() with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestLock_FileIsPrivateAndPathsAreRefused(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	unlock, err := Lock(t.Context(), p, "default", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	unlock()
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{p.LocksDir(): 0o700, filepath.Join(p.LocksDir(), "default.lock"): 0o600} {
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("mode of %s = %#o, want %#o", path, got, want)
			}
		}
	}
	if unlock, err := Lock(t.Context(), Paths{}, "default", 0); err == nil {
		unlock()
		t.Errorf("Lock() with no Root = nil, want an error, not a relative directory")
	}
	for _, name := range badProfileNames {
		if unlock, err := Lock(t.Context(), p, name, 0); err == nil {
			unlock()
			t.Errorf("Lock(%q) = nil, want a refusal", name)
		}
	}
}

// lockHolderEnv makes the test binary, re-run by
// TestLock_HeldByAnotherProcess, hold the lock under the Root it names.
const lockHolderEnv = "KAKAO_AUTH_TEST_LOCK_HOLDER_ROOT"

func TestLock_HeldByAnotherProcess(t *testing.T) {
	if root := os.Getenv(lockHolderEnv); root != "" {
		holdLockUntilStdinCloses(t, root)
		return
	}

	root := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestLock_HeldByAnotherProcess$", "-test.count=1")
	child.Env = append(os.Environ(), lockHolderEnv+"="+root)
	child.Stderr = os.Stderr
	child.WaitDelay = 5 * time.Second
	stdin, err := child.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := child.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if child.ProcessState == nil { // not waited for: the test failed early
			child.Process.Kill()
			child.Wait()
		}
	})

	lines := bufio.NewScanner(stdout)
	for lines.Scan() && lines.Text() != "locked" {
	}
	if lines.Err() != nil || lines.Text() != "locked" {
		t.Fatalf("the child never said it holds the lock (%v)", lines.Err())
	}

	p := Paths{Root: root}
	if _, err := Lock(t.Context(), p, "default", 200*time.Millisecond); !errors.As(err, new(*LockTimeoutError)) {
		t.Fatalf("Lock() while another process holds it = %v, want a *LockTimeoutError", err)
	}

	stdin.Close() // tells the child to exit
	_, _ = io.Copy(io.Discard, stdout)
	if err := child.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	unlock, err := Lock(t.Context(), p, "default", 5*time.Second)
	if err != nil {
		t.Fatalf("Lock() after the other process exited = %v", err)
	}
	unlock()
}

// holdLockUntilStdinCloses is the child side of
// TestLock_HeldByAnotherProcess. It exits without unlocking: the lock must
// go with the process.
func holdLockUntilStdinCloses(t *testing.T, root string) {
	if _, err := Lock(t.Context(), Paths{Root: root}, "default", 5*time.Second); err != nil {
		t.Fatalf("child Lock() = %v", err)
	}
	os.Stdout.WriteString("locked\n")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
}

// A lock file is never opened through a link: Lock refuses one, and
// creates nothing where it points.
func TestLock_RefusesALinkedLockFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	p := Paths{Root: t.TempDir()}
	if err := os.MkdirAll(p.LocksDir(), 0o700); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "planted")
	if err := os.Symlink(target, filepath.Join(p.LocksDir(), "default.lock")); err != nil {
		t.Fatal(err)
	}
	unlock, err := Lock(t.Context(), p, "default", time.Second)
	if err == nil {
		unlock()
	}
	var ie *privfile.InsecureError
	if !errors.As(err, &ie) {
		t.Errorf("Lock() through a link = %v, want a *privfile.InsecureError", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Lock() created the link's target: %v", err)
	}
}
