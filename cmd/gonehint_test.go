package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The hint for a stopped emulator names its --addr as a person would type
// it: an IPv6 loopback address in brackets is a glob pattern to a shell
// (zsh refuses it outright, sh swaps in a matching file name), so it is
// quoted like every other word of a suggested command.
func TestEmulatorGone_HintQuotesTheAddrForTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh")
	}
	e := &emulatorGoneError{profile: "nw", url: "http://[::1]:9339"}
	_, rest, ok := strings.Cut(e.Hint(), `"kakao-auth emulator": `)
	flag, _, ok2 := strings.Cut(rest, ", and the --state-file")
	if !ok || !ok2 {
		t.Fatalf("hint %q names no --addr", e.Hint())
	}
	dir := t.TempDir()
	// A file whose name the bare pattern [::1]:9339 matches.
	if err := os.WriteFile(filepath.Join(dir, "1:9339"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(sh, "-c", `printf '%s\n' `+flag)
	c.Dir = dir
	out, err := c.CombinedOutput()
	if want := "--addr\n[::1]:9339\n"; err != nil || string(out) != want {
		t.Errorf("sh reads the hint's %q as %q (%v), want the words %q", flag, out, err, want)
	}
}
