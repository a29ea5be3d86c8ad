//go:build linux || darwin

package privfile

import (
	"errors"
	"path/filepath"
	"syscall"
	"testing"
)

// A FIFO planted where a private file should be is refused at once, not
// waited on for a writer that never comes.
func TestRead_RefusesAFIFOWithoutBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	var ie *InsecureError
	if _, err := Read(path, 10); !errors.As(err, &ie) {
		t.Errorf("Read(FIFO) = %v, want an InsecureError", err)
	}
}
