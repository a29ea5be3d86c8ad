//go:build !unix

package cmd

import "testing"

// deadPort is a loopback TCP port where nothing listens (see the unix
// version). The bound-but-not-listening socket that holds it there is
// made with unix socket calls; here it is a port free right now, as
// mustFreePort gives, so another pick of a free port may land on it while
// the test runs, which the unix version rules out.
func deadPort(t testing.TB) string {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
