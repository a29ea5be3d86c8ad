package termtext

import (
	"encoding/json"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestJSON_EscapesWhatATerminalObeysAndKeepsTheValues(t *testing.T) {
	value := map[string]any{
		"nickname": "\x1b[2K\rfake\u009b31m\x7f\u202egpj.exe\u2066\u2069\u200e\u200f\u061c\u2028",
		"plain":    "라이언 🦁 C:\\Users\\ryan <a&b>",
		"list":     []any{"\u0085", "\u202a\u202b\u202c\u202d", 1.5},
	}
	doc, err := json.MarshalIndent(value, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got := JSON(doc)
	for _, r := range string(got) {
		if unsafeForJSON(r) {
			t.Errorf("JSON() keeps %U raw: %q", r, got)
		}
	}
	var back map[string]any
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("JSON() is no longer JSON: %v\n%s", err, got)
	}
	if diff := cmp.Diff(value, back); diff != "" {
		t.Errorf("decoded values changed (-want +got):\n%s", diff)
	}
}

func TestJSON_CleanDocumentIsUnchanged(t *testing.T) {
	doc := []byte("{\n  \"nickname\": \"라이언 🦁\",\n  \"e\": \"\\u001b\\u007f\"\n}\n")
	if got := JSON(doc); string(got) != string(doc) {
		t.Errorf("JSON() = %q, want it unchanged", got)
	}
}

func TestJSON_BrokenUTF8InAStringReadsAsGoReadsIt(t *testing.T) {
	doc := []byte("{\"a\":\"x\x9b31m\xffy\"}")
	got := JSON(doc)
	if !utf8.Valid(got) {
		t.Fatalf("JSON() = %q: not UTF-8", got)
	}
	var want, back map[string]string
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("decoded values changed (-want +got):\n%s", diff)
	}
}

// FuzzJSON checks the promise for any string value: the document stays
// JSON, decodes to the same value, and carries nothing a terminal obeys.
func FuzzJSON(f *testing.F) {
	for _, s := range []string{"", "abc", "\u009b\x9b", "\x7f", "\u202e\u2066", "라이언"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := json.Marshal(map[string]string{"v": s})
		if err != nil {
			t.Fatal(err)
		}
		got := JSON(doc)
		var want, back map[string]string
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("JSON(%q) = %q: not JSON: %v", doc, got, err)
		}
		if want["v"] != back["v"] {
			t.Errorf("JSON(%q) decodes to %q, want %q", doc, back["v"], want["v"])
		}
		for _, r := range string(got) {
			if unsafeForJSON(r) {
				t.Fatalf("JSON(%q) = %q: keeps %U", doc, got, r)
			}
		}
	})
}

// unsafeForJSON is what may not stand raw in a document JSON returns:
// every control character and everything unsafeRune names.
func unsafeForJSON(r rune) bool {
	return (unicode.IsControl(r) && r != '\n') || unsafeRune(r)
}
