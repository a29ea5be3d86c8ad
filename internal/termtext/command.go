package termtext

import "strings"

// Command is the one builder of a command line that kakao-auth tells a
// person to run (a hint's "run …", a next step, a chmod or rm that fixes
// a file): the words joined by spaces, each quoted for a POSIX shell when
// it holds anything but letters, digits and _./-+:@%,= — so the line, pasted
// into sh, runs that command with exactly those words and nothing else.
// A word that is not one line of printable text (a control character) is
// quoted too, and the hint's printer makes it visible (Line).
//
// The quoting is the last guard, not the first: text from outside (a
// server's scope ids, say) is checked where it enters, and only values of
// the right form are offered to a reader at all.
func Command(words ...string) string {
	var b strings.Builder
	for i, w := range words {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(shellWord(w))
	}
	return b.String()
}

// Quoted is Command in double quotes, as hints name a command in prose:
// run "kakao-auth login". The quotes delimit the command for the reader;
// what is between them is the line to paste.
func Quoted(words ...string) string { return `"` + Command(words...) + `"` }

// shellWord is w as one word for sh: as it is when nothing in it is
// special to sh, else in single quotes, in which sh expands nothing.
func shellWord(w string) string {
	if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-+:@%,=") == "" {
		return w
	}
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}
