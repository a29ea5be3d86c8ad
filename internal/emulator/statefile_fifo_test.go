//go:build unix

package emulator

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A state file that is a FIFO is refused at once, as any file that is not
// a regular one is: opening a FIFO without a writer would block in open(2),
// where no Ctrl-C reaches the emulator.
func TestOpen_FIFOIsRefusedWithoutWaiting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		srv, err := Open(Config{}, path)
		if err == nil {
			srv.Close()
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Open(FIFO) = %v, want an error saying it is not a regular file", err)
		}
	case <-time.After(3 * time.Second):
		// Let the blocked open(2) go, so the test ends.
		if f, err := os.OpenFile(path, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		<-done
		t.Error("Open(FIFO) was still waiting after 3s")
	}
}
