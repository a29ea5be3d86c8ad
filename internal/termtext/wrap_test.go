package termtext

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWrap_BreaksProseAtSpacesOnly(t *testing.T) {
	in := "Opening Kakao's login page in your browser. If it does not open, visit this link (it works once):\n\n  http://127.0.0.1:37895/start/Vi_S3_SnbeAYPQyEfKQqDZ9Fr2eGwfn5oWODMgywR5A\n\n"
	for _, width := range []int{20, 30, 50, 80, 200} {
		got := Wrap(in, width)
		if strings.ReplaceAll(got, "\n", " ") != strings.ReplaceAll(in, "\n", " ") {
			t.Errorf("Wrap(%d) changed more than line breaks:\n%s", width, got)
		}
		for _, line := range strings.Split(got, "\n") {
			if n := utf8.RuneCountInString(line); n >= width && !strings.HasPrefix(line, " ") {
				t.Errorf("Wrap(%d): a %d-column line: %q", width, n, line)
			}
		}
		if !strings.Contains(got, "\n  http://127.0.0.1:37895/start/Vi_S3_SnbeAYPQyEfKQqDZ9Fr2eGwfn5oWODMgywR5A\n") {
			t.Errorf("Wrap(%d) broke the indented URL:\n%s", width, got)
		}
	}
	if got := Wrap(in, 0); got != in {
		t.Errorf("Wrap(0) = %q, want it unchanged", got)
	}
}
