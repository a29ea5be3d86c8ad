package authflow

import (
	"encoding/binary"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// Tables as a little-endian Linux prints them (proc_net_tcp(5)): listener
// 127.0.0.1:8080 (1F90), clients on ports 54321 (D431) to 54323 (D433).
const (
	sampleTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 11111 1 0000000000000000 100 0 0 10 0
   1: 0100007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 22222 1 0000000000000000 20 4 30 10 -1
   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 33333 1 0000000000000000 20 4 30 10 -1
   3: 0100007F:D432 0100007F:1F90 06 00000000:00000000 03:00000F2B 00000000     0        0 0 3 0000000000000000
   4: 0200007F:D431 0100007F:1F90 01 00000000:00000000 00:00000000 00000000    42        0 44444 1 0000000000000000 20 4 30 10 -1
   5: 0100007F:D434 0100007F:1F90 01 00000000:00000000 00:00000000 00000000 notanumber  0 55555 1
   6: 0100007G:D435 0100007F:1F90 01 00000000:00000000 00:00000000 00000000    43        0 66666 1
   7: 0100007F:D436 0100007F:1F90 01
`
	sampleTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 77777 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:D431 00000000000000000000000001000000:1F90 01 00000000:00000000 00:00000000 00000000  1001        0 88888 1 0000000000000000 20 4 30 10 -1
   2: 0000000000000000FFFF00000100007F:D433 0000000000000000FFFF00000100007F:1F90 01 00000000:00000000 00:00000000 00000000 65534        0 99999 1 0000000000000000 20 4 30 10 -1
`
)

func TestFindSocketOwner_ReadsTheClientsUID(t *testing.T) {
	if binary.NativeEndian.Uint16([]byte{1, 0}) != 1 {
		t.Skip("the sample tables are a little-endian machine's")
	}
	listener4 := netip.MustParseAddrPort("127.0.0.1:8080")
	listener6 := netip.MustParseAddrPort("[::1]:8080")
	for _, tt := range []struct {
		name     string
		table    string
		src, dst netip.AddrPort
		uid      int
		found    bool
	}{
		{"another user's IPv4 client", sampleTCP, netip.MustParseAddrPort("127.0.0.1:54321"), listener4, 65534, true},
		{"the direction counts: the listener's end is a row of its own", sampleTCP, listener4, netip.MustParseAddrPort("127.0.0.1:54321"), 1000, true},
		{"a closed socket (TIME_WAIT, no inode) is no one's", sampleTCP, netip.MustParseAddrPort("127.0.0.1:54322"), listener4, 0, false},
		{"the whole address counts, not the port alone", sampleTCP, netip.MustParseAddrPort("127.0.0.2:54321"), listener4, 42, true},
		{"no such connection", sampleTCP, netip.MustParseAddrPort("127.0.0.1:40000"), listener4, 0, false},
		{"a bad uid is skipped", sampleTCP, netip.MustParseAddrPort("127.0.0.1:54324"), listener4, 0, false},
		{"a short line is skipped", sampleTCP, netip.MustParseAddrPort("127.0.0.1:54326"), listener4, 0, false},
		{"an IPv6 client", sampleTCP6, netip.MustParseAddrPort("[::1]:54321"), listener6, 1001, true},
		{"an IPv4 client on an IPv6 socket (::ffff:127.0.0.1)", sampleTCP6, netip.MustParseAddrPort("127.0.0.1:54323"), listener4, 65534, true},
		{"an IPv6 table has no IPv4 client", sampleTCP6, netip.MustParseAddrPort("127.0.0.1:54321"), listener4, 0, false},
		{"an empty table", "", netip.MustParseAddrPort("127.0.0.1:54321"), listener4, 0, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			uid, found, err := findSocketOwner(strings.NewReader(tt.table), tt.src, tt.dst)
			if err != nil || uid != tt.uid || found != tt.found {
				t.Errorf("findSocketOwner(%s → %s) = %d, %v, %v; want %d, %v", tt.src, tt.dst, uid, found, err, tt.uid, tt.found)
			}
		})
	}
}

func TestParseProcAddr_RefusesWhatIsNotAnAddress(t *testing.T) {
	for _, s := range []string{"", "0100007F", "0100007F:1F9", "0100007F:1F900", "0100007:1F90", "0100007G:1F90", "0100007F:GGGG", "000000000000000000000000010000:1F90"} {
		if got, ok := parseProcAddr(s); ok {
			t.Errorf("parseProcAddr(%q) = %s, want a refusal", s, got)
		}
	}
}

// The real kernel: a connection this process makes to itself is found,
// owned by our uid, over IPv4, IPv6 and IPv4 on an IPv6 socket.
func TestPeerOwner_FindsOurOwnConnection(t *testing.T) {
	dial := func(network string) func(port int) (net.Conn, error) {
		return func(port int) (net.Conn, error) {
			return net.Dial(network, net.JoinHostPort(map[string]string{"tcp4": "127.0.0.1", "tcp6": "::1"}[network], strconv.Itoa(port)))
		}
	}
	for _, tt := range []struct {
		name, listen string
		dial         func(port int) (net.Conn, error)
	}{
		{"IPv4", "127.0.0.1:0", dial("tcp4")},
		{"IPv6", "[::1]:0", dial("tcp6")},
		{"IPv4 from an IPv6 socket", "127.0.0.1:0", dialMapped},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", tt.listen)
			if err != nil {
				t.Skipf("no %s loopback here: %v", tt.name, err)
			}
			defer ln.Close()
			port := ln.Addr().(*net.TCPAddr).Port
			c, err := tt.dial(port)
			if err != nil {
				t.Skipf("cannot dial %s here: %v", tt.name, err)
			}
			defer c.Close()
			s, err := ln.Accept()
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			remote := netip.MustParseAddrPort(s.RemoteAddr().String())
			local := netip.MustParseAddrPort(s.LocalAddr().String())
			uid, found := peerOwner(remote, local)
			if !found || uid != os.Getuid() {
				t.Errorf("peerOwner(%s → %s) = %d, %v; want our uid %d, true (client socket %s)", remote, local, uid, found, os.Getuid(), c.LocalAddr())
			}
			// No client connects from port 0.
			if uid, found := peerOwner(netip.AddrPortFrom(remote.Addr(), 0), local); found {
				t.Errorf("peerOwner of a connection that does not exist = %d, true", uid)
			}
		})
	}
}

// dialMapped connects to 127.0.0.1:port from a dual-stack IPv6 socket, as
// ::ffff:127.0.0.1 (Go's net.Dial would use an IPv4 socket).
func dialMapped(port int) (net.Conn, error) {
	fd, err := syscall.Socket(syscall.AF_INET6, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "mapped")
	defer f.Close()
	if err := syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 0); err != nil {
		return nil, err
	}
	sa := &syscall.SockaddrInet6{Port: port, Addr: netip.MustParseAddr("::ffff:127.0.0.1").As16()}
	if err := syscall.Connect(fd, sa); err != nil {
		return nil, err
	}
	return net.FileConn(f)
}

// BenchmarkPeerOwner is what the check costs a request for the start link
// or the callback: both tables read once.
func BenchmarkPeerOwner(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	s, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	remote := netip.MustParseAddrPort(s.RemoteAddr().String())
	local := netip.MustParseAddrPort(s.LocalAddr().String())
	for b.Loop() {
		if _, found := peerOwner(remote, local); !found {
			b.Fatal("not found")
		}
	}
}
