package authflow

import "testing"

// Refused is only a client positively known to be another user's, and not
// root's: root can read the session file anyway, and a client that cannot
// be placed (not a local process of this network namespace, or a system
// without /proc/net/tcp) is left to the one-time rule.
func TestRefusePeer(t *testing.T) {
	const self = 1000
	for _, tt := range []struct {
		name   string
		uid    int
		found  bool
		refuse bool
	}{
		{"another user", 65534, true, true},
		{"ourselves", self, true, false},
		{"root", 0, true, false},
		{"not found", 65534, false, false},
	} {
		if got := refusePeer(tt.uid, tt.found, self); got != tt.refuse {
			t.Errorf("%s: refusePeer(%d, %v, %d) = %v, want %v", tt.name, tt.uid, tt.found, self, got, tt.refuse)
		}
	}
}
