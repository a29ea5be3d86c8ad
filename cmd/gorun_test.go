package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// After "login --emulator" under go run, the next steps say that
// kakao-auth is not installed only when no kakao-auth is on PATH: a go run
// build with an installed kakao-auth next to it needs no such note.
func TestLoginEmulator_NotInstalledNoteOnlyWithoutKakaoAuthOnPath(t *testing.T) {
	// The test binary is a go-build binary, as go run's is.
	exe, err := os.Executable()
	if err != nil || !strings.Contains(filepath.ToSlash(exe), "/go-build") {
		t.Skipf("the test binary %q is not a go-build binary, as under go run", exe)
	}
	const note = "kakao-auth is not installed"
	installed := t.TempDir()
	name := "kakao-auth"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	if err := os.WriteFile(filepath.Join(installed, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		path string
		note bool
	}{
		{"kakao-auth on PATH", installed, false},
		{"no kakao-auth on PATH", t.TempDir(), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			// No browser opens: the emulator's login presses Agree itself.
			c := execCommand([]string{"login", "--emulator", "--redirect-uri", freeRedirect(t), "--browser-command", filepath.Join(h.dir, "no-browser")},
				h, []string{quickExit(), "PATH=" + tt.path}, "")
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if err := c.Run(); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "Next steps:") {
				t.Fatalf("no next steps:\n%s", stderr.String())
			}
			if got := strings.Contains(stderr.String(), note); got != tt.note {
				t.Errorf("the note %q shown = %v, want %v; stderr:\n%s", note, got, tt.note, stderr.String())
			}
		})
	}
}
