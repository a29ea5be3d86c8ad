package authflow

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"golang.org/x/sync/errgroup"
)

// Bounds of the callback server: the browser sends one small GET.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 90 * time.Second // covers the token exchange the page waits for
	idleTimeout       = 10 * time.Second
	maxHeaderBytes    = 16 << 10
	// pageGrace is how long stop lets the browser have its page.
	pageGrace = 3 * time.Second
)

// server is the loopback listener of one login. A paste-back login whose
// redirect URI cannot be served has no listener, only the handler that
// the pasted answer goes through.
type server struct {
	uri       string // the redirect URI the login uses
	path      string
	listeners []net.Listener
	handler   *callbackHandler
	guard     *peerGuard // refuses other local users (peer.go)
	http      *http.Server
	serving   errgroup.Group
	// failed carries a listener's serve error to the wait.
	failed chan error
}

// listen binds the first redirect URI whose port is free. Paste-back needs
// no listener: a busy port or a redirect URI elsewhere (an https:// one of
// a web app) is fine then.
func listen(o Options) (*server, error) {
	lb, listeners, err := bindFirst(o.RedirectURIs)
	if err != nil {
		if o.Paste == nil || !pasteOnlyOK(err) {
			return nil, err
		}
		if lb, err = pasteOnly(o.RedirectURIs[0]); err != nil {
			return nil, err
		}
	}
	return &server{uri: lb.uri, path: lb.path, listeners: listeners, failed: make(chan error, len(listeners))}, nil
}

// listening reports whether the browser can come back to this machine.
func (s *server) listening() bool { return len(s.listeners) > 0 }

// start serves the callback of the login with this state on every
// listener, and link, when there is one (nil: none), beside it; on Linux
// both are refused to other local users (peer.go).
func (s *server) start(state string, link *startLink) {
	s.handler = newCallbackHandler(s.path, state)
	s.guard = newPeerGuard("login", s.path, link, withStart{link: link, next: s.handler})
	s.serve(s.guard)
}

// serve serves h on every listener, with the bounds of a loopback server
// that expects one small GET from a browser.
func (s *server) serve(h http.Handler) {
	s.http = &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
	for _, ln := range s.listeners {
		s.serving.Go(func() error {
			err := s.http.Serve(ln)
			if errors.Is(err, http.ErrServerClosed) {
				return nil
			}
			err = fmt.Errorf("serve %s: %w", s.uri, err)
			s.failed <- err
			return err
		})
	}
}

// stop lets the browser have its page (shown is closed once it is
// written; nil when no page is due), then releases the port at once:
// waiting for idle connections would wait for the browser's speculative
// ones too. It returns the first serve error.
func (s *server) stop(shown <-chan struct{}) error {
	if shown != nil {
		select {
		case <-shown:
		case <-time.After(pageGrace):
		}
	}
	s.http.Close()
	return s.serving.Wait()
}

// release closes the listeners of a server that never started.
func (s *server) release() { closeAll(s.listeners) }
