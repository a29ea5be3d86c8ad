package cmd

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// rmHint matches the removal a hint suggests.
var rmHint = regexp.MustCompile(`(?m)^kakao-auth: hint: .*\(rm ('[^']*'|[^ )]+)\)`)

// A link planted at a profile's lock file is refused, never followed, and
// the hint says what it is: a lock file holds nothing, so once its maker is
// known the link itself can go, by the command printed.
func TestLinkedLockFile_HintSaysTheLinkCanBeRemoved(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	for _, args := range [][]string{{"token", "--force-refresh"}, {"logout", "--profile", "work"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := filepath.Join(t.TempDir(), "config dir") // a path the shell must have quoted
			loggedInProfile(t, emuURL, root, "work")
			lock := filepath.Join(tokenstore.Paths{Root: root}.LocksDir(), "work.lock")
			if err := os.MkdirAll(filepath.Dir(lock), 0o700); err != nil {
				t.Fatal(err)
			}
			target := filepath.Join(t.TempDir(), "planted")
			if err := os.Symlink(target, lock); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{envProfile: "work"}
			d, stdout, stderr := storeDeps(root, env, "")
			if code := Main(t.Context(), args, d); code != ExitFailure {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitFailure, stderr)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			if _, err := os.Lstat(target); err == nil {
				t.Errorf("the link was followed: %s exists", target)
			}
			out := stderr.String()
			if !strings.Contains(out, "holds nothing") {
				t.Errorf("the hint does not say that a lock file holds nothing:\n%s", out)
			}
			if strings.Contains(out, `"kakao-auth logout`) {
				t.Errorf("the hint sends the user to logout, which needs the same lock:\n%s", out)
			}
			m := rmHint.FindStringSubmatch(out)
			if m == nil {
				t.Fatalf("the hint names no rm command for the link:\n%s", out)
			}
			if b, err := exec.Command("/bin/sh", "-c", "rm "+m[1]).CombinedOutput(); err != nil {
				t.Fatalf("rm %s: %v\n%s", m[1], err, b)
			}
			if _, err := os.Lstat(lock); err == nil {
				t.Fatalf("rm %s left the link at %s", m[1], lock)
			}
			d, _, stderr = storeDeps(root, env, "")
			if code := Main(t.Context(), args, d); code != ExitOK {
				t.Errorf("after rm: exit %d; stderr:\n%s", code, stderr)
			}
		})
	}
}
