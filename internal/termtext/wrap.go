package termtext

import (
	"strings"
	"unicode/utf8"
)

// Wrap breaks each line of prose s longer than width-1 columns at spaces,
// so that a terminal of that width never splits a word (the last column
// stays free, as some terminals wrap as soon as it is written). A line
// that starts with a space (an indented URL or command, to be copied
// whole) is left as it is, and so is a word longer than the width. Every
// rune counts as one column. A width below 2 leaves s as it is.
func Wrap(s string, width int) string {
	room := width - 1
	if room < 1 {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, " ") || utf8.RuneCountInString(line) <= room {
			continue
		}
		var b strings.Builder
		col := 0
		for _, word := range strings.Split(line, " ") {
			n := utf8.RuneCountInString(word)
			switch {
			case col == 0:
			case col+1+n > room:
				b.WriteByte('\n')
				col = 0
			default:
				b.WriteByte(' ')
				col++
			}
			b.WriteString(word)
			col += n
		}
		lines[i] = b.String()
	}
	return strings.Join(lines, "\n")
}
