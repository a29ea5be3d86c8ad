package authflow

import (
	"os/exec"
	"strings"
	"testing"
)

// The timeout hint names the emulator's flag with the redirect URI as a
// person would type it: pasted into sh, the URI is one word, whatever it
// holds (a query's & or $, which a URI may carry).
func TestTimeoutError_HintQuotesTheRedirectURIForTheShell(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("needs sh")
	}
	uri := "http://localhost:8765/callback?x=1&y=$(echo pwned)"
	e := &TimeoutError{AuthURL: "http://127.0.0.1:9339", RedirectURI: uri}
	_, flag, ok := strings.Cut(e.Hint(), "its own flag: ")
	if !ok {
		t.Fatalf("hint %q names no flag", e.Hint())
	}
	out, err := exec.Command(sh, "-c", `printf '%s\n' `+flag).CombinedOutput()
	if want := "--redirect-uri\n" + uri + "\n"; err != nil || string(out) != want {
		t.Errorf("sh reads the hint's %q as %q (%v), want the words %q", flag, out, err, want)
	}
}
