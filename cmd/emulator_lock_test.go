//go:build linux

package cmd

import (
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
)

// A lock file another user left beside the state file (a shared
// directory) stops the emulator with the file and its owner named, and a
// hint that fits: nothing of the person's own is running.
func TestEmulator_ForeignLockFileIsNamedWithItsOwner(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to give a file to another user (uid 65534)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := os.WriteFile(path+".lock", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path+".lock", 65534, 65534); err != nil {
		t.Fatal(err)
	}
	owner := "uid 65534"
	if u, err := user.LookupId("65534"); err == nil {
		owner = "user " + u.Username + " (uid 65534)"
	}
	d, stdout, stderr := testDeps(nil, "")
	code := Main(t.Context(), []string{"emulator", "--addr", "127.0.0.1:0", "--state-file", path}, d)
	if code != 1 || stdout.Len() != 0 {
		t.Fatalf("exit %d, stdout %q; want 1 and nothing", code, stdout)
	}
	for _, want := range []string{
		"kakao-auth: error: state file " + path + ": its lock file is another user's: " + path + ".lock belongs to " + owner + ", not to you\n",
		"kakao-auth: hint: ask its owner to remove it, or give --state-file a path in a directory of your own\n",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("a state file was created beside another user's lock file")
	}
}
