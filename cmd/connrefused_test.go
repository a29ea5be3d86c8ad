package cmd

import (
	"github.com/kakao-auth/kakao-auth/internal/neterr"
	"net"
	"testing"
	"time"
)

// A real connect to a loopback port where nothing listens is refused,
// as this system reports it.
func TestConnRefused_ARealRefusedConnect(t *testing.T) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+deadPort(t), 5*time.Second)
	if err == nil {
		c.Close()
		t.Fatal("the connect to a dead port succeeded")
	}
	if !neterr.Refused(err) {
		t.Errorf("neterr.Refused(%v) = false, want true", err)
	}
}
