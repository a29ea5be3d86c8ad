package cmd

import (
	"net"
	"os"
	"syscall"
	"testing"
	"time"
)

// A refused connect is known as one however it is wrapped, on every
// system: on Windows it is WSAECONNREFUSED (10061), which Go's
// syscall.ECONNREFUSED there does not match, so the Windows check is
// taken apart here, where it runs everywhere.
func TestRefusedConnect_KnowsEachSystemsErrno(t *testing.T) {
	dialErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	tests := []struct {
		name  string
		err   error
		also  []syscall.Errno
		wants bool
	}{
		{"ECONNREFUSED", dialErr(syscall.ECONNREFUSED), nil, true},
		{"WSAECONNREFUSED on windows", dialErr(wsaeconnrefused), []syscall.Errno{wsaeconnrefused}, true},
		{"ECONNREFUSED on windows", dialErr(syscall.ECONNREFUSED), []syscall.Errno{wsaeconnrefused}, true},
		{"WSAECONNREFUSED elsewhere is another errno", dialErr(wsaeconnrefused), nil, syscall.ECONNREFUSED == wsaeconnrefused},
		{"a reset", dialErr(syscall.ECONNRESET), []syscall.Errno{wsaeconnrefused}, false},
		{"a timeout", os.ErrDeadlineExceeded, []syscall.Errno{wsaeconnrefused}, false},
		{"no error", nil, []syscall.Errno{wsaeconnrefused}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := refusedConnect(tt.err, tt.also...); got != tt.wants {
				t.Errorf("refusedConnect(%v, %v) = %v, want %v", tt.err, tt.also, got, tt.wants)
			}
		})
	}
}

// A real connect to a loopback port where nothing listens is refused,
// as this system reports it.
func TestConnRefused_ARealRefusedConnect(t *testing.T) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+deadPort(t), 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatal("the connect to a dead port succeeded")
	}
	if !connRefused(err) {
		t.Errorf("connRefused(%v) = false, want true", err)
	}
}
