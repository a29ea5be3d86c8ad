// Package termtext makes text from outside (Kakao's answers, a callback's
// query, a pasted address, a stored claim) safe to show on a terminal.
//
// A terminal obeys some characters instead of showing them: ESC starts
// sequences that move the cursor, erase lines or set the window title, CR
// returns to the start of the line, C1 controls (U+0080–U+009F, and their
// raw bytes on terminals not in UTF-8 mode) act like ESC sequences, and
// bidirectional-override characters reorder what follows. Outside text
// carrying them could erase a real message and print a fake one.
//
// Line and Lines write every such character as a visible escape in Go's
// notation: \x1b for ESC, \r, \n, \t, \x7f for DEL, \u009b for a C1
// control, \u202e for a bidi control, and \xff for a byte that is not
// UTF-8. Everything else, Korean and emoji included, is left as it is.
// Backslashes are not doubled: the text stays readable (file paths, say),
// and a lookalike typed by an attacker is only text.
//
// JSON does the same for a JSON document, with JSON's own \uXXXX escapes,
// so the values read back exactly.
package termtext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Line returns s for a one-line field: every control character, line
// breaks and tabs included, is written as a visible escape, so the result
// is one line of printable text.
func Line(s string) string { return clean(s, false) }

// Lines returns s for a message that may span lines: like Line, but "\n"
// and "\t" stay as they are. Use it only where the line structure is the
// program's own; a field from outside is one line (Line) wherever it is
// embedded.
func Lines(s string) string { return clean(s, true) }

func clean(s string, keepLines bool) string {
	if isClean(s, keepLines) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case keepLines && (r == '\n' || r == '\t'):
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isClean reports whether s can be shown as it is, the common case.
func isClean(s string, keepLines bool) bool {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return false
		case keepLines && (r == '\n' || r == '\t'):
		case r < 0x20 || r == 0x7f || unsafeRune(r):
			return false
		}
		i += size
	}
	return true
}

// unsafeRune reports the non-ASCII characters a terminal may obey or that
// change how the text around them reads: C1 controls, bidirectional
// marks, embeddings, overrides and isolates, and the Unicode line and
// paragraph separators.
func unsafeRune(r rune) bool {
	switch {
	case r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}
