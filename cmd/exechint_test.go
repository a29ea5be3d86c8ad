package cmd

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A command found only in the current directory is refused with a hint
// that names its path: pasted into sh, that path is the one word it names,
// whatever the file name holds (a space, a $).
func TestExec_CurrentDirectoryHintQuotesThePathForTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh")
	}
	dir := t.TempDir()
	name := "my tool$(echo x)"
	if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	t.Setenv("PATH", ".")
	_, err = lookCommand(name)
	var he interface{ Hint() string }
	if err == nil || !errors.As(err, &he) {
		t.Fatalf("lookCommand(%q) = %v, want an error with a hint", name, err)
	}
	// Hints name a command in double quotes, for the reader: the line to
	// paste is what is between them.
	_, path, ok := strings.Cut(he.Hint(), `e.g. "`)
	path, _, ok2 := strings.Cut(path, `"`)
	if !ok || !ok2 {
		t.Fatalf("hint %q names no path", he.Hint())
	}
	out, err := exec.Command(sh, "-c", `printf '%s\n' `+path).CombinedOutput()
	if want := "./" + name + "\n"; err != nil || string(out) != want {
		t.Errorf("sh reads the hint's %s as %q (%v), want %q", path, out, err, want)
	}
}
