package authflow

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseLoopback(t *testing.T) {
	tests := []struct {
		uri       string
		wantPath  string
		wantAddrs []string
		wantErr   bool
	}{
		{uri: "http://localhost:8765/callback", wantPath: "/callback", wantAddrs: []string{"127.0.0.1:8765", "[::1]:8765"}},
		{uri: "http://127.0.0.1:8765/cb", wantPath: "/cb", wantAddrs: []string{"127.0.0.1:8765"}},
		{uri: "http://127.0.0.2:8765/cb", wantPath: "/cb", wantAddrs: []string{"127.0.0.2:8765"}},
		{uri: "http://[::1]:8765/", wantPath: "/", wantAddrs: []string{"[::1]:8765"}},
		{uri: "http://localhost:8765", wantPath: "/", wantAddrs: []string{"127.0.0.1:8765", "[::1]:8765"}},
		{uri: "https://localhost:8765/callback", wantErr: true},
		{uri: "http://example.com:8765/callback", wantErr: true},
		{uri: "http://192.168.1.5:8765/callback", wantErr: true},
		{uri: "http://0.0.0.0:8765/callback", wantErr: true},
		{uri: "http://localhost/callback", wantErr: true},
		{uri: "http://user@localhost:8765/callback", wantErr: true},
		{uri: "/callback", wantErr: true},
		{uri: "myapp://callback", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			l, err := parseLoopback(tt.uri)
			if tt.wantErr {
				var re *RedirectError
				if !errors.As(err, &re) {
					t.Fatalf("parseLoopback() = %v, want a RedirectError", err)
				}
				if re.Hint() == "" {
					t.Error("RedirectError has no hint")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if l.path != tt.wantPath {
				t.Errorf("path = %q, want %q", l.path, tt.wantPath)
			}
			if diff := cmp.Diff(tt.wantAddrs, l.addrs); diff != "" {
				t.Errorf("addrs mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBindFirst_SkipsBusyPorts(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	free := freePort(t)
	busyURI := "http://127.0.0.1:" + port(busy.Addr()) + "/callback"
	freeURI := "http://127.0.0.1:" + free + "/callback"

	lb, ls, err := bindFirst([]string{busyURI, freeURI})
	if err != nil {
		t.Fatal(err)
	}
	closeAll(ls)
	if lb.uri != freeURI {
		t.Errorf("bound %s, want %s", lb.uri, freeURI)
	}

	_, _, err = bindFirst([]string{busyURI})
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("bindFirst(busy) = %v, want PortInUseError", err)
	}
	if want := "port " + port(busy.Addr()) + " is in use"; pe.Error() != want {
		t.Errorf("error = %q, want %q", pe.Error(), want)
	}
}

func TestBindFirst_RefusesBadURIBeforeBinding(t *testing.T) {
	free := freePort(t)
	_, _, err := bindFirst([]string{"http://127.0.0.1:" + free + "/cb", "https://localhost:1/cb"})
	var re *RedirectError
	if !errors.As(err, &re) {
		t.Fatalf("bindFirst() = %v, want RedirectError", err)
	}
	// Nothing may still be bound.
	ln, err := net.Listen("tcp", "127.0.0.1:"+free)
	if err != nil {
		t.Fatalf("port %s left bound: %v", free, err)
	}
	ln.Close()
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return port(ln.Addr())
}

func port(a net.Addr) string { return strconv.Itoa(a.(*net.TCPAddr).Port) }

func TestPortInUseError_HintNamesThePortsInPlay(t *testing.T) {
	var uris, busy []string
	for range 2 {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		busy = append(busy, port(ln.Addr()))
		uris = append(uris, "http://127.0.0.1:"+port(ln.Addr())+"/kakao/cb")
	}
	_, _, err := bindFirst(uris)
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("bindFirst(busy) = %v, want PortInUseError", err)
	}
	hint := pe.Hint()
	for _, p := range busy {
		if !strings.Contains(hint, p) {
			t.Errorf("hint %q does not name busy port %s", hint, p)
		}
	}
	var suggested string
	for _, f := range strings.Fields(hint) {
		if strings.HasPrefix(f, "http://") {
			suggested = f
		}
	}
	u, err := url.Parse(suggested)
	if err != nil || u.Hostname() != "127.0.0.1" || u.Path != "/kakao/cb" || u.Port() == "" || slices.Contains(busy, u.Port()) {
		t.Errorf("hint %q suggests %q, want the redirect URI on a port not in play", hint, suggested)
	}
}

// The port the hint suggests is free, not merely one no URI tried: with
// the tried port and the next one both held (8765 and 8766, say), the
// suggestion skips both.
func TestPortInUseError_HintSuggestsAFreePort(t *testing.T) {
	var held []net.Listener
	// Two neighbouring ports, both held by this test.
	for len(held) < 2 {
		closeAll(held)
		first, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held = []net.Listener{first}
		next, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(first.Addr().(*net.TCPAddr).Port+1))
		if err == nil {
			held = append(held, next)
		}
	}
	defer closeAll(held)
	tried, neighbour := port(held[0].Addr()), port(held[1].Addr())

	_, _, err := bindFirst([]string{"http://127.0.0.1:" + tried + "/callback"})
	var pe *PortInUseError
	if !errors.As(err, &pe) {
		t.Fatalf("bindFirst(busy) = %v, want PortInUseError", err)
	}
	u, err := url.Parse(pe.another)
	if err != nil || u.Port() == "" {
		t.Fatalf("suggested %q, want a redirect URI", pe.another)
	}
	if u.Port() == tried || u.Port() == neighbour {
		t.Errorf("hint %q suggests port %s, which is held", pe.Hint(), u.Port())
	}
	if !strings.Contains(pe.Hint(), pe.another) {
		t.Errorf("hint %q does not name %s", pe.Hint(), pe.another)
	}
}
