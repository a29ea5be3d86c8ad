package emulator

import (
	"bytes"
	"io"
	"net/http"
	"sync"
	"time"
)

// hold is a delay setting (SetTokenDelay's, SetAPIDelay's) and the
// requests it is holding. It has its own lock so a held request never
// blocks the rest of the emulator.
type hold struct {
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
func (s *Server) SetTokenDelay(d time.Duration) { s.delay.set(d) }

// SetAPIDelay is SetTokenDelay for every kapi request (/v1/user/…,
// /v2/user/…, /v2/api/…), held before its method or token is checked: a
// test can hold a client's call about its user (a login's "who am I")
// while other processes change the stored login.
func (s *Server) SetAPIDelay(d time.Duration) { s.apiDelay.set(d) }

// APIRequestsWaiting is TokenRequestsWaiting for SetAPIDelay.
func (s *Server) APIRequestsWaiting() int { return s.apiDelay.held() }

func (h *hold) set(d time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.d = d
	if h.changed != nil {
		close(h.changed)
		h.changed = nil
	}
}

// TokenRequestsWaiting reports how many token requests SetTokenDelay is
// holding right now, so a test can act while a client waits for its answer.
func (s *Server) TokenRequestsWaiting() int { return s.delay.held() }

func (h *hold) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.waiting
}

// wait holds r for the delay in force, if any, and reports whether the
// request is still wanted.
func (h *hold) wait(r *http.Request) bool {
	start := time.Now()
	h.mu.Lock()
	if h.d <= 0 {
		h.mu.Unlock()
		return true
	}
	h.waiting++
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.waiting--
		h.mu.Unlock()
	}()
	// net/http notices a client hang-up only once the body has been read to
	// EOF; the handler reads this copy instead.
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxFormBytes+1))
	r.Body = io.NopCloser(bytes.NewReader(body))
	for {
		h.mu.Lock()
		left := h.d - time.Since(start)
		if h.changed == nil {
			h.changed = make(chan struct{})
		}
		changed := h.changed
		h.mu.Unlock()
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
