package termtext

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A line Command builds, run by a real sh, gives the command exactly its
// words and runs nothing else.
func TestCommand_ShReadsBackTheWords(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh:", err)
	}
	words := []string{"plain", "talk_message,friends", "$(touch PWNED)", "`touch PWNED`", "a;touch PWNED", "it's", "'", "", "a b", "*", "~", "x\ny", "$HOME", `back\slash`, `"dq"`, "한글", "--flag=v"}
	dir := t.TempDir()
	c := exec.Command(sh, "-c", "printf '%s\\0' "+Command(words...))
	c.Dir = dir
	out, err := c.Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(string(out), "\x00")
	if diff := cmp.Diff(words, got[:len(got)-1]); diff != "" {
		t.Errorf("sh read back other words (-want +got):\n%s", diff)
	}
}

func TestCommand_QuotesOnlyWhatNeedsIt(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"kakao-auth", "login", "--profile", "work", "--scope", "talk_message,friends"}, "kakao-auth login --profile work --scope talk_message,friends"},
		{[]string{"chmod", "600", "/home/me/My Files/x.json"}, "chmod 600 '/home/me/My Files/x.json'"},
		{[]string{"rm", "it's"}, `rm 'it'\''s'`},
		{[]string{"sh", ""}, "sh ''"},
	} {
		if got := Command(tt.words...); got != tt.want {
			t.Errorf("Command(%q) = %s, want %s", tt.words, got, tt.want)
		}
	}
	if got, want := Quoted("kakao-auth", "login"), `"kakao-auth login"`; got != want {
		t.Errorf("Quoted = %s, want %s", got, want)
	}
}
