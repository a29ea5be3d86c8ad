package emulator

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// A slow token endpoint answers as usual, only late; a client that gives
// up while it waits consumes nothing.
func TestTokenDelay_HoldsEachRequestThenAnswersAsUsual(t *testing.T) {
	e := newEnv(t, Config{})
	rt := e.tokens(t)["refresh_token"].(string)
	const delay = 300 * time.Millisecond
	e.s.SetTokenDelay(delay)

	// Given up while held: nothing consumed, nothing counted.
	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error, 1)
	go func() {
		_, err := e.sendToken(ctx, refreshForm(rt))
		gaveUp <- err
	}()
	waitForHeld(t, e.s, 1)
	cancel()
	if err := <-gaveUp; err == nil {
		t.Fatal("the request given up got an answer")
	}
	waitForHeld(t, e.s, 0)
	if got := e.s.Stats(); got.Refreshes != 0 || got.TokenErrors != 0 {
		t.Errorf("after a request given up: %+v, want no refresh and no error", got)
	}

	start := time.Now()
	r := e.postToken(t, refreshForm(rt))
	if r.status != http.StatusOK {
		t.Fatalf("delayed refresh: %d %s", r.status, r.body)
	}
	if waited := time.Since(start); waited < delay {
		t.Errorf("answered after %v, want at least the delay %v", waited, delay)
	}

	e.s.SetTokenDelay(0)
	if r := e.postToken(t, refreshForm(rt)); r.status != http.StatusOK {
		t.Fatalf("refresh after clearing the delay: %d %s", r.status, r.body)
	}
	if got := e.s.Stats().Refreshes; got != 2 {
		t.Errorf("Refreshes = %d, want 2", got)
	}
}

// waitForHeld waits until the server holds n token requests.
func waitForHeld(t *testing.T, s *Server, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if s.TokenRequestsWaiting() == n {
			return
		}
	}
	t.Fatalf("TokenRequestsWaiting() = %d, want %d", s.TokenRequestsWaiting(), n)
}

// Clearing the delay lets a held request go at once.
func TestTokenDelay_ClearingReleasesHeldRequests(t *testing.T) {
	e := newEnv(t, Config{})
	rt := e.tokens(t)["refresh_token"].(string)
	e.s.SetTokenDelay(time.Hour)
	done := make(chan response, 1)
	go func() {
		r, _ := e.sendToken(t.Context(), refreshForm(rt))
		done <- r
	}()
	waitForHeld(t, e.s, 1)
	e.s.SetTokenDelay(0)
	if r := <-done; r.status != http.StatusOK {
		t.Fatalf("released refresh: %d %s", r.status, r.body)
	}
	if got := e.s.TokenRequestsWaiting(); got != 0 {
		t.Errorf("TokenRequestsWaiting() = %d after the release, want 0", got)
	}
}

// A slow kapi holds each user-API call until the delay is cleared, then
// answers it as usual; the token endpoint is not held meanwhile.
func TestAPIDelay_HoldsKapiCallsOnly(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.tokens(t)
	at := tok["access_token"].(string)
	e.s.SetAPIDelay(time.Hour)
	answered := make(chan response, 1)
	go func() { answered <- e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at) }()
	for deadline := time.Now().Add(10 * time.Second); e.s.APIRequestsWaiting() != 1; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("APIRequestsWaiting() = %d, want 1", e.s.APIRequestsWaiting())
		}
	}
	if r := e.postToken(t, refreshForm(tok["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("refresh while a kapi call is held: %d %s", r.status, r.body)
	}
	select {
	case r := <-answered:
		t.Fatalf("the held call was answered: %d %s", r.status, r.body)
	default:
	}
	e.s.SetAPIDelay(0)
	if r := <-answered; r.status != http.StatusOK {
		t.Errorf("released call: %d %s", r.status, r.body)
	}
}
