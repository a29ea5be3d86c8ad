package cmd

import (
	"os"
	"strings"
	"testing"
)

// A reader who follows the README from the top has kakao-auth on PATH
// before the first command that runs it: the install comes first, and
// says how to put $(go env GOPATH)/bin on PATH.
func TestREADME_InstallsBeforeTheFirstKakaoAuthCommand(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	install, first, path := -1, -1, -1
	inCode := false
	for i, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, "```") {
			inCode = !inCode
			continue
		}
		if !inCode {
			continue
		}
		switch {
		case install < 0 && strings.Contains(line, "go install"):
			install = i
		case path < 0 && strings.Contains(line, "PATH=") && strings.Contains(line, "$(go env GOPATH)/bin"):
			path = i
		case first < 0 && strings.HasPrefix(strings.TrimSpace(line), "kakao-auth "):
			first = i
		}
	}
	if install < 0 || path < 0 || first < 0 {
		t.Fatalf("README: go install at line %d, PATH with $(go env GOPATH)/bin at %d, first kakao-auth command at %d; want all three", install+1, path+1, first+1)
	}
	if install > first || path > first {
		t.Errorf("README: the first kakao-auth command (line %d) comes before the install (line %d) or the PATH line (line %d)", first+1, install+1, path+1)
	}
}
