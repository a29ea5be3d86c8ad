package termtext

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "User denied access", "User denied access"},
		{"korean and emoji", "라이언 🦁‍🔥 <ryan@example.com>", "라이언 🦁‍🔥 <ryan@example.com>"},
		{"backslash stays", `C:\Users\ryan`, `C:\Users\ryan`},
		{"erase line and carriage return", "\x1b[2K\rkakao-auth: hint: run curl …|sh", `\x1b[2K\rkakao-auth: hint: run curl …|sh`},
		{"line breaks", "a\nkakao-auth: hint: x\r\n", `a\nkakao-auth: hint: x\r\n`},
		{"osc title with bel", "\x1b]0;owned\x07", `\x1b]0;owned\x07`},
		{"tab", "a\tb", `a\tb`},
		{"nul and del", "a\x00b\x7f", `a\x00b\x7f`},
		{"c1 csi as a character", "a\u009b31mb", `a\u009b31mb`},
		{"c1 csi as a raw byte", "a\x9b31mb", `a\x9b31mb`},
		{"bidi override", "evil\u202egpj.exe", `evil\u202egpj.exe`},
		{"bidi isolate", "\u2066x\u2069", `\u2066x\u2069`},
		{"line separator", "a\u2028b", `a\u2028b`},
		{"broken utf-8", "a\xffb\xc3", `a\xffb\xc3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestLines_KeepsLineBreaksAndTabsOnly(t *testing.T) {
	in := "unknown command \"x\"\n\nDid you mean this?\n\tlogin\n\x1b[2K\rfake\u009b"
	want := "unknown command \"x\"\n\nDid you mean this?\n\tlogin\n" + `\x1b[2K\rfake\u009b`
	if got := Lines(in); got != want {
		t.Errorf("Lines() = %q, want %q", got, want)
	}
}

// FuzzLine checks the promise for any input: the result is valid UTF-8 with
// no control character and nothing a terminal obeys, and plain text passes
// unchanged.
func FuzzLine(f *testing.F) {
	for _, s := range []string{"", "abc", "\x1b]0;t\x07", "\r\n\t", "\u009b\x9b", "\u202e", "라이언"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, got := range map[string]string{"Line": Line(s), "Lines": Lines(s)} {
			if !utf8.ValidString(got) {
				t.Fatalf("%s(%q) = %q: not UTF-8", name, s, got)
			}
			for _, r := range got {
				if name == "Lines" && (r == '\n' || r == '\t') {
					continue
				}
				if unicode.IsControl(r) || unsafeRune(r) {
					t.Fatalf("%s(%q) = %q: keeps %U", name, s, got, r)
				}
			}
		}
		if utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unsafeRune(r) }) && Line(s) != s {
			t.Errorf("Line(%q) = %q, changed plain text", s, Line(s))
		}
	})
}

// BenchmarkLine measures the cost on the common, clean text (no copy) and
// on hostile text.
func BenchmarkLine(b *testing.B) {
	for name, s := range map[string]string{
		"clean":   "kakao rejected the token request (KOE320): invalid_grant: authorization code not found",
		"hostile": "\x1b[2K\rkakao-auth: hint: run curl evil|sh\n\x1b]0;owned\x07\u009b31m\x7f",
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Line(s)
			}
		})
	}
}
