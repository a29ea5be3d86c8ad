package main

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseInittrace_ReadsInitLinesAndSkipsTheRest(t *testing.T) {
	in := `init internal/bytealg @0.008 ms, 0 ms clock, 0 bytes, 0 allocs
kakao-auth: some output on stderr
init html/template @1.2 ms, 0.048 ms clock, 17944 bytes, 90 allocs
init not a trace line
`
	got, err := parseInittrace(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []initStat{
		{pkg: "internal/bytealg", clockMs: 0, bytes: 0, allocs: 0},
		{pkg: "html/template", clockMs: 0.048, bytes: 17944, allocs: 90},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(initStat{})); diff != "" {
		t.Errorf("parseInittrace mismatch (-want +got):\n%s", diff)
	}
}

func TestParseInittrace_RefusesABadNumber(t *testing.T) {
	if _, err := parseInittrace(strings.NewReader("init os @1 ms, x ms clock, 1 bytes, 1 allocs\n")); err == nil {
		t.Error("want an error for a clock that is not a number")
	}
}
