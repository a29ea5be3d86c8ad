package emulator

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// shutdownGrace bounds how long Close waits for requests in flight.
const shutdownGrace = 5 * time.Second

// Running is an emulator listening on a loopback address, started by Start.
type Running struct {
	// BaseURL is where both kauth and kapi are served, such as
	// "http://127.0.0.1:53127", without a trailing slash.
	BaseURL string

	srv    *http.Server
	cancel context.CancelFunc // ends the context of every request, hung ones included
	served chan error         // Serve's result

	closeOnce sync.Once
	closeErr  error
}

// Start binds addr and serves s on it in the background, returning once the
// socket is listening. addr must be a loopback address (127.0.0.0/8, ::1 or
// localhost, which means 127.0.0.1); anything else is refused, since the
// emulator hands out tokens to whoever asks. An empty addr means
// "127.0.0.1:0", any free port. ctx bounds the bind only: call Close to stop.
func Start(ctx context.Context, addr string, s *Server) (*Running, error) {
	return start(ctx, addr, s, false)
}

// StartRemote is Start for any address, such as "0.0.0.0:9339" for a web
// app in a container network: whoever reaches it gets tokens, so the caller
// must have been told so (`kakao-auth emulator --allow-remote`). BaseURL
// stays one this machine can reach: 127.0.0.1 (or [::1]) stands for an
// unspecified address. Set Config.PublicURL for the URL others use.
func StartRemote(ctx context.Context, addr string, s *Server) (*Running, error) {
	return start(ctx, addr, s, true)
}

// IsLoopback reports whether addr ("host:port") names a loopback address:
// 127.0.0.0/8, ::1 or localhost. A host name other than localhost is not.
func IsLoopback(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if host == "localhost" {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

func start(ctx context.Context, addr string, s *Server, remote bool) (*Running, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("emulator address %q: %w", addr, err)
	}
	if host == "localhost" {
		// Pin it: localhost may resolve to ::1 first, and BaseURL should be
		// the same on every machine.
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); !remote && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("emulator address %q is not a loopback address; use 127.0.0.1, [::1] or localhost", addr)
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", net.JoinHostPort(host, port))
	if err != nil {
		return nil, err
	}

	base, cancel := context.WithCancel(context.Background())
	r := &Running{
		BaseURL: "http://" + reachable(ln.Addr(), host),
		srv: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
			BaseContext:       func(net.Listener) context.Context { return base },
		},
		cancel: cancel,
		served: make(chan error, 1),
	}
	go func() {
		err := r.srv.Serve(ln)
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		r.served <- err
	}()
	return r, nil
}

// reachable is a listening address as this machine can dial it: an
// unspecified IP becomes the loopback one of the family asked for (host,
// as given to Start): [::1] for "::", else 127.0.0.1. (Go listens on a
// dual-stack "::" for "0.0.0.0", so the socket's own family says nothing.)
func reachable(a net.Addr, host string) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	ip := "127.0.0.1"
	if h := net.ParseIP(host); h != nil && h.To4() == nil {
		ip = "::1"
	}
	return net.JoinHostPort(ip, strconv.Itoa(tcp.Port))
}

// Close stops the emulator: it ends hung requests (FaultHang), lets the
// others finish for up to five seconds, then closes every connection. Calling
// it again returns the first result.
func (r *Running) Close() error {
	r.closeOnce.Do(func() {
		r.cancel()
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		err := r.srv.Shutdown(ctx)
		if err != nil {
			err = errors.Join(fmt.Errorf("shut down emulator: %w", err), r.srv.Close())
		}
		r.closeErr = errors.Join(err, <-r.served)
	})
	return r.closeErr
}

// CloseNow stops the emulator at once, closing every connection, idle or
// not: for an emulator whose login is over, where only a browser's
// preconnected sockets could still be open and Close would wait them out.
func (r *Running) CloseNow() error {
	r.closeOnce.Do(func() {
		r.cancel()
		r.closeErr = errors.Join(r.srv.Close(), <-r.served)
	})
	return r.closeErr
}
