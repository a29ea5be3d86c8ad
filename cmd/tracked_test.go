package cmd

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The repository holds source, not build output: no file git tracks is a
// compiled program (a "go test -c" binary, a kakao-auth built in place),
// which no reader can review and every go install of the module would
// download.
func TestRepository_TracksNoCompiledProgram(t *testing.T) {
	git, err := exec.LookPath("git")
	if err != nil {
		t.Skip("needs git")
	}
	out, err := exec.Command(git, "-C", "..", "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("not a git checkout: %v", err)
	}
	magics := [][]byte{
		[]byte("\x7fELF"),        // Linux
		{0xcf, 0xfa, 0xed, 0xfe}, // Mach-O 64-bit
		{0xca, 0xfe, 0xba, 0xbe}, // Mach-O universal
		[]byte("MZ"),             // Windows
	}
	for _, name := range strings.Split(strings.TrimRight(string(out), "\x00"), "\x00") {
		f, err := os.Open(filepath.Join("..", name))
		if err != nil {
			continue // deleted in the work tree
		}
		head := make([]byte, 4)
		n, _ := io.ReadFull(f, head)
		f.Close()
		for _, m := range magics {
			if bytes.HasPrefix(head[:n], m) {
				t.Errorf("git tracks %s, a compiled program: git rm --cached it", name)
			}
		}
	}
}
