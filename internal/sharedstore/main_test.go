package sharedstore

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// envHold makes the test binary a lease holder instead: it takes the lease
// named in the variable ("URL KEY TTL"), says "held" and sleeps until it is
// killed, as a kakao-auth killed in the middle of a refresh would.
const envHold = "SHAREDSTORE_TEST_HOLD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(envHold); spec != "" {
		os.Exit(hold(spec))
	}
	os.Exit(m.Run())
}

func hold(spec string) int {
	var url, key string
	var ttl string
	if _, err := fmt.Sscan(spec, &url, &key, &ttl); err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 2
	}
	d, err := time.ParseDuration(ttl)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 2
	}
	s, err := OpenStore(url, os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 2
	}
	if _, err := s.Engine.Acquire(context.Background(), key, d); err != nil {
		fmt.Fprintln(os.Stderr, "hold:", err)
		return 1
	}
	fmt.Println("held")
	time.Sleep(time.Hour)
	return 0
}
