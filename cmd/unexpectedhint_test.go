package cmd

import (
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// An answer that is not Kakao's (a proxy's HTML page) gets a hint that
// names the server, and no flag the command does not take: only login has
// --auth-url; every other command got its server at login (or, in
// env-only mode, from KAKAO_AUTH_URL).
func TestHints_UnexpectedAnswerNamesOnlyFlagsTheCommandTakes(t *testing.T) {
	for _, args := range [][]string{
		{"token", "--force-refresh"},
		{"refresh"},
		{"api", "/v2/user/me", "--min-ttl", "5h59m"},
		{"exec", "--min-ttl", "5h59m", "--", "true"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			emu, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, base, root, DefaultProfile)
			emu.SetFault(emulator.FaultHTML)
			d, _, stderr := storeDeps(root, nil, "")
			if code := Main(t.Context(), args, d); code != ExitFailure {
				t.Fatalf("exit %d, want %d\n%s", code, ExitFailure, stderr)
			}
			if !strings.Contains(stderr.String(), base) {
				t.Errorf("stderr does not name the server %s:\n%s", base, stderr)
			}
			hintNamesOnlyFlagsOf(t, stderr.String(), args)
		})
	}
}
