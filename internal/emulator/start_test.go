package emulator

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestStart_RefusesNonLoopbackAddress(t *testing.T) {
	for _, addr := range []string{":0", "0.0.0.0:0", "[::]:0", "192.0.2.1:0", "example.com:0", "localhost.example.com:0", "127.0.0.1", "nonsense"} {
		t.Run(addr, func(t *testing.T) {
			r, err := Start(t.Context(), addr, New(Config{}))
			if err == nil {
				r.Close()
				t.Fatalf("Start(%q) succeeded, want an error", addr)
			}
		})
	}
}

func TestStart_ServesOnLoopback(t *testing.T) {
	for _, addr := range []string{"127.0.0.1:0", "localhost:0", ""} {
		t.Run(addr, func(t *testing.T) {
			run, err := Start(t.Context(), addr, New(Config{}))
			if err != nil {
				t.Fatal(err)
			}
			defer run.Close()
			if !strings.HasPrefix(run.BaseURL, "http://127.0.0.1:") || strings.HasSuffix(run.BaseURL, "/") {
				t.Errorf("BaseURL = %q, want http://127.0.0.1:PORT", run.BaseURL)
			}
			if r := get(t, run.BaseURL+"/_emulator/stats"); r.status != http.StatusOK {
				t.Errorf("GET stats: %d", r.status)
			}
			if err := run.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			if err := run.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
			if _, err := send(t.Context(), http.MethodGet, run.BaseURL+"/_emulator/stats", nil, nil); err == nil {
				t.Error("request after Close succeeded")
			}
		})
	}
}

// A hung token request must not hold up Close.
func TestStart_CloseEndsHungRequest(t *testing.T) {
	s := New(Config{})
	s.SetFault(FaultHang)
	run, err := Start(t.Context(), "127.0.0.1:0", s)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = send(ctx, http.MethodPost, run.BaseURL+"/oauth/token", nil, strings.NewReader(url.Values{}.Encode()))
	})
	// Wait until the request is in the handler.
	for deadline := time.Now().Add(10 * time.Second); s.Stats().TokenErrors == 0; {
		if time.Now().After(deadline) {
			t.Fatal("token request never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := run.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("Close took %v with a hung request", d)
	}
	wg.Wait()
}

func TestStart_PortInUseIsError(t *testing.T) {
	run, err := Start(t.Context(), "127.0.0.1:0", New(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	u, _ := url.Parse(run.BaseURL)
	if second, err := Start(t.Context(), u.Host, New(Config{})); err == nil {
		second.Close()
		t.Error("second Start on the same port succeeded")
	}
}

func TestCloseNow_DropsPreconnectedSockets(t *testing.T) {
	run, err := Start(t.Context(), "127.0.0.1:0", New(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	// A browser's speculative connection: open, no request sent.
	conn, err := net.Dial("tcp", strings.TrimPrefix(run.BaseURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := run.CloseNow(); err != nil {
		t.Fatalf("CloseNow() = %v", err)
	}
	conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil {
		t.Error("the preconnected socket is still open after CloseNow")
	}
	if err := run.Close(); err != nil {
		t.Errorf("Close() after CloseNow() = %v, want the same nil result", err)
	}
}
