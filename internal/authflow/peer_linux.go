package authflow

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// The kernel's tables of this network namespace's TCP sockets, one line
// per socket (proc_net_tcp(5), "/proc/net/tcp"). A client connecting over
// IPv4 from an IPv6 socket is in tcp6, as ::ffff:a.b.c.d.
var tcpTables = []string{"/proc/net/tcp", "/proc/net/tcp6"}

// peerOwner finds the client's socket of the loopback connection from
// remote to local (the listener's end) in the kernel's tables and returns
// the uid that owns it. found is false when no live socket has that
// address pair here: the client is not a process of this network namespace
// (a container's port proxy, WSL's relay), or a table cannot be read.
func peerOwner(remote, local netip.AddrPort) (uid int, found bool) {
	for _, name := range tcpTables {
		f, err := os.Open(name)
		if err != nil {
			continue // no IPv6 in this kernel, or no /proc
		}
		// The client's socket: from its address to the listener's.
		uid, found, err = findSocketOwner(f, remote, local)
		f.Close()
		if err == nil && found {
			return uid, true
		}
	}
	return 0, false
}

// findSocketOwner reads a /proc/net/tcp or tcp6 table and returns the uid
// of the live socket connected from src (its local_address) to dst (its
// rem_address).
func findSocketOwner(r io.Reader, src, dst netip.AddrPort) (uid int, found bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Scan() // the header
	for sc.Scan() {
		// sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		l, ok1 := parseProcAddr(f[1])
		rem, ok2 := parseProcAddr(f[2])
		if !ok1 || !ok2 || l != src || rem != dst {
			continue
		}
		// A socket its process has closed (TIME_WAIT, or an orphan still
		// sending its last bytes) has no inode, and its uid reads 0
		// whoever owned it: it is no one's now, and can read no answer.
		if f[9] == "0" {
			continue
		}
		n, err := strconv.ParseUint(f[7], 10, 32)
		if err != nil {
			continue
		}
		return int(n), true, nil
	}
	return 0, false, sc.Err()
}

// parseProcAddr reads an address of /proc/net/tcp(6): the address as the
// kernel keeps it, in 32-bit words of host byte order, each printed as
// hex (127.0.0.1 is 0100007F on a little-endian machine), a colon, and the
// port as 4 hex digits. An IPv4-mapped IPv6 address comes back as IPv4, so
// that it compares equal to the address Go reports for it.
func parseProcAddr(s string) (netip.AddrPort, bool) {
	host, port, ok := strings.Cut(s, ":")
	if !ok || len(port) != 4 || (len(host) != 8 && len(host) != 32) {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(host)
	if err != nil {
		return netip.AddrPort{}, false
	}
	p, err := strconv.ParseUint(port, 16, 16)
	if err != nil {
		return netip.AddrPort{}, false
	}
	b := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.NativeEndian.PutUint32(b[i:], binary.BigEndian.Uint32(raw[i:]))
	}
	addr, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(addr.Unmap(), uint16(p)), true
}
