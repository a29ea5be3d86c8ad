//go:build !linux

package authflow

import "net/netip"

// peerOwner cannot tell who is behind a loopback connection here: macOS
// and Windows have no /proc/net/tcp, and the one-time start link is the
// only defence there (README, Security).
func peerOwner(remote, local netip.AddrPort) (uid int, found bool) { return 0, false }
