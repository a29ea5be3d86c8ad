package kakao

import (
	"errors"
	"strings"
	"testing"
)

// A network error's hint names the server that did not answer and no
// flag: token, api, status and the rest take their servers from the
// stored login and have no --auth-url or --api-url to set.
func TestNetworkError_HintNamesTheServerAndNoFlag(t *testing.T) {
	e := &NetworkError{URL: "http://127.0.0.1:9339", Err: errors.New("connection refused")}
	if h := e.Hint(); !strings.Contains(h, "http://127.0.0.1:9339") || strings.Contains(h, "--") {
		t.Errorf("Hint() = %q, want the server named and no flag", h)
	}
}
