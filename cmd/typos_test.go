package cmd

import (
	"strings"
	"testing"
)

// A mistyped command or flag is a usage error of two lines, the error and
// a hint, and the hint names what was probably meant.
func TestTypos_TheHintNamesWhatWasMeant(t *testing.T) {
	for _, tt := range []struct {
		args []string
		hint string
	}{
		{[]string{"lgoin"}, `kakao-auth: hint: did you mean "kakao-auth login"? run "kakao-auth --help" for the commands`},
		{[]string{"refersh"}, `kakao-auth: hint: did you mean "kakao-auth refresh"? run "kakao-auth --help" for the commands`},
		{[]string{"login", "--scopes", "talk_message"}, `kakao-auth: hint: did you mean --scope? run "kakao-auth login --help" for usage`},
		{[]string{"login", "--emualtor"}, `kakao-auth: hint: did you mean --emulator? run "kakao-auth login --help" for usage`},
		{[]string{"token", "--min-tll", "1h"}, `kakao-auth: hint: did you mean --min-ttl? run "kakao-auth token --help" for usage`},
		{[]string{"login", "--client-secret", "s3cret"}, `kakao-auth: hint: a client secret is never a flag value, where other users could read it: set KAKAO_CLIENT_SECRET, or use --client-secret-file PATH (- for stdin)`},
		{[]string{"login", "--zzzzzz"}, `kakao-auth: hint: run "kakao-auth login --help" for usage`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := testDeps(nil, "")
			if code := Main(t.Context(), tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			lines := strings.Split(strings.TrimSuffix(stderr.String(), "\n"), "\n")
			if stdout.Len() != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "kakao-auth: error: ") || lines[1] != tt.hint {
				t.Errorf("stdout %q; stderr:\n%s\nwant two lines, the second:\n%s", stdout, stderr, tt.hint)
			}
			if strings.Contains(stderr.String(), "s3cret") {
				t.Error("the secret given as a flag value was printed")
			}
		})
	}
}
