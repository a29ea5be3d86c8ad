package termtext

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// JSON returns the JSON document doc with every character a terminal
// obeys written as a \uXXXX escape: DEL, the C1 controls, the bidi
// controls and the line and paragraph separators, which encoding/json
// leaves as they are. The document still decodes to the same values, and
// it stays inert on a terminal, now or when a saved copy is printed later.
//
// doc must be valid JSON (an encoder's output, or json.Indent's): there
// those characters can stand only inside strings, where an escape means
// the same character. A byte that is not UTF-8 becomes \ufffd, what Go's
// decoder reads it as. Clean documents, the common case, are returned as
// they are.
func JSON(doc []byte) []byte {
	if isCleanJSON(doc) {
		return doc
	}
	var b bytes.Buffer
	b.Grow(len(doc) + 32)
	for i := 0; i < len(doc); {
		r, size := utf8.DecodeRune(doc[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == 0x7f || unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.Write(doc[i : i+size])
		}
		i += size
	}
	return b.Bytes()
}

func isCleanJSON(doc []byte) bool {
	for i := 0; i < len(doc); {
		if doc[i] < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRune(doc[i:])
		if (r == utf8.RuneError && size == 1) || r == 0x7f || unsafeRune(r) {
			return false
		}
		i += size
	}
	return true
}
