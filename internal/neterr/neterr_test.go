package neterr

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// Each system's errnos are known however the error wraps them; Windows'
// own are checked here too, where the test runs on any system.
func TestIs_KnowsEachSystemsErrnos(t *testing.T) {
	opErr := func(op string, errno syscall.Errno) error {
		return &net.OpError{Op: op, Net: "tcp", Err: os.NewSyscallError(op, errno)}
	}
	windowsRefused := []syscall.Errno{wsaeconnrefused, syscall.ECONNREFUSED}
	windowsInUse := []syscall.Errno{wsaeaddrinuse, syscall.EADDRINUSE}
	tests := []struct {
		name   string
		err    error
		errnos []syscall.Errno
		want   bool
	}{
		{"ECONNREFUSED", opErr("connect", syscall.ECONNREFUSED), []syscall.Errno{syscall.ECONNREFUSED}, true},
		{"WSAECONNREFUSED on windows", opErr("connectex", wsaeconnrefused), windowsRefused, true},
		{"WSAEADDRINUSE on windows", opErr("bind", wsaeaddrinuse), windowsInUse, true},
		{"EADDRINUSE", opErr("bind", syscall.EADDRINUSE), []syscall.Errno{syscall.EADDRINUSE}, true},
		{"a reset is no refusal", opErr("read", syscall.ECONNRESET), windowsRefused, false},
		{"a timeout", os.ErrDeadlineExceeded, windowsRefused, false},
		{"no error", nil, windowsRefused, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := is(tt.err, tt.errnos...); got != tt.want {
				t.Errorf("is(%v, %v) = %v, want %v", tt.err, tt.errnos, got, tt.want)
			}
		})
	}
}

// On this system, for real: a second listen on a held port is AddrInUse,
// and a connect to a port nobody listens on any more is Refused.
func TestRefusedAndAddrInUse_ForReal(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	if _, err := net.Listen("tcp", addr); !AddrInUse(err) {
		t.Errorf("AddrInUse(%v) = false for a second listen on %s", err, addr)
	}
	l.Close()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatalf("a connect to %s succeeded after its listener closed", addr)
	}
	if !Refused(err) {
		t.Errorf("Refused(%v) = false for a port nothing listens on", err)
	}
}
