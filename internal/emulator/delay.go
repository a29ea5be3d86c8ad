package emulator

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// tokenDelay is SetTokenDelay's setting and the requests it is holding. It
// has its own lock so a held request never blocks the rest of the emulator.
type tokenDelay struct {
	mu      sync.Mutex
	d       time.Duration
	changed chan struct{} // closed (and replaced) when d changes
	waiting int
}

// SetTokenDelay makes the token endpoint wait d before it handles each
// request, as a slow or far-away Kakao would; faults and checks come after
// the wait, so a request given up during it consumes nothing. Zero or less
// clears it. A held request waits for the delay in force, counted from its
// arrival: shortening or clearing the delay lets held requests go at once.
// A request whose client goes away (or whose emulator closes) stops waiting.
func (s *Server) SetTokenDelay(d time.Duration) {
	s.delay.mu.Lock()
	defer s.delay.mu.Unlock()
	s.delay.d = d
	if s.delay.changed != nil {
		close(s.delay.changed)
		s.delay.changed = nil
	}
}

// TokenRequestsWaiting reports how many token requests SetTokenDelay is
// holding right now, so a test can act while a client waits for its answer.
func (s *Server) TokenRequestsWaiting() int {
	s.delay.mu.Lock()
	defer s.delay.mu.Unlock()
	return s.delay.waiting
}

// waitTokenDelay holds r for the delay in force, if any, and reports
// whether the request is still wanted.
func (s *Server) waitTokenDelay(r *http.Request) bool {
	start := time.Now()
	s.delay.mu.Lock()
	if s.delay.d <= 0 {
		s.delay.mu.Unlock()
		return true
	}
	s.delay.waiting++
	s.delay.mu.Unlock()
	defer func() {
		s.delay.mu.Lock()
		s.delay.waiting--
		s.delay.mu.Unlock()
	}()
	// net/http notices a client hang-up only once the body has been read to
	// EOF; the handler reads this copy instead.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	for {
		s.delay.mu.Lock()
		left := s.delay.d - time.Since(start)
		if s.delay.changed == nil {
			s.delay.changed = make(chan struct{})
		}
		changed := s.delay.changed
		s.delay.mu.Unlock()
		if left <= 0 {
			return true
		}
		t := time.NewTimer(left)
		select {
		case <-t.C:
			return true
		case <-changed:
			t.Stop()
		case <-r.Context().Done():
			t.Stop()
			return false
		}
	}
}
