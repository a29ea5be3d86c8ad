package cmd

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A file a flag names that is not there is the same condition for every
// flag: the same exit code (usage, 2) and a hint, for the client secret
// file as for api's body files.
func TestMissingFlagFile_SameExitCodeAndAHintForEveryFlag(t *testing.T) {
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInProfile(t, base, root, DefaultProfile)
	missing := filepath.Join(t.TempDir(), "missing")
	for _, args := range [][]string{
		{"token", "--client-secret-file", missing},
		{"login", "--client-secret-file", missing, "--client-id", emulator.DefaultClientID, "--no-browser"},
		{"api", "/v2/user/me", "--input", missing, "-X", "POST"},
		{"api", "/v2/user/me", "-F", "text=@" + missing},
	} {
		t.Run(strings.Join(args[:2], " "), func(t *testing.T) {
			d, _, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d\n%s", code, ExitUsage, stderr)
			}
			if !strings.Contains(stderr.String(), missing) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stderr does not name %s with a hint:\n%s", missing, stderr)
			}
		})
	}
}
