package emulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"
)

// Whole logins, refreshes and kapi calls racing on one Server; run with -race.
func TestServer_ParallelLogins(t *testing.T) {
	e := newEnv(t, Config{})
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if err := parallelLogin(t, e, fmt.Sprint("state-", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	st := e.s.Stats()
	if st.CodeExchanges != n || st.Refreshes != n || st.TokenErrors != 0 {
		t.Errorf("Stats = %+v, want %d exchanges and refreshes, no errors", st, n)
	}
}

// parallelLogin logs in, exchanges, refreshes and calls /v2/user/me,
// reporting failures as an error since it runs off the test goroutine.
func parallelLogin(t *testing.T, e *env, state string) error {
	p, err := (&UserAgent{}).Visit(t.Context(), e.authorizeURL("state", state, "scope", "profile_nickname"))
	if err != nil {
		return err
	}
	u, err := url.Parse(p.URL)
	if err != nil {
		return err
	}
	q := u.Query()
	if q.Get("state") != state || q.Get("code") == "" {
		return fmt.Errorf("redirect %q: want code and state %q", p.URL, state)
	}
	r, err := e.sendToken(t.Context(), e.codeForm(q.Get("code")))
	if err != nil || r.status != http.StatusOK {
		return fmt.Errorf("exchange: %v %d %s", err, r.status, r.body)
	}
	var tok map[string]string
	_ = json.Unmarshal([]byte(r.body), &tok) // numbers do not fit; the strings do
	if r, err = e.sendToken(t.Context(), refreshForm(tok["refresh_token"])); err != nil || r.status != http.StatusOK {
		return fmt.Errorf("refresh: %v %d %s", err, r.status, r.body)
	}
	r, err = send(t.Context(), http.MethodGet, e.url+"/v2/user/me", http.Header{"Authorization": {"Bearer " + tok["access_token"]}}, nil)
	if err != nil || r.status != http.StatusOK {
		return fmt.Errorf("user/me: %v %d %s", err, r.status, r.body)
	}
	return nil
}

// Expired codes, consent pages and tokens are forgotten, so a long-running
// emulator stays small.
func TestServer_SweepsExpiredState(t *testing.T) {
	e := newEnv(t, Config{AccessTTL: time.Hour, RefreshTTL: time.Hour})
	e.tokens(t)
	get(t, e.authorizeURL("prompt", "login")) // an unanswered consent page
	get(t, e.authorizeURL())                  // an unexchanged code
	e.clock.Advance(time.Hour + sweepEvery)
	e.tokens(t)

	e.s.mu.Lock()
	defer e.s.mu.Unlock()
	got := [4]int{len(e.s.pending), len(e.s.codes), len(e.s.access), len(e.s.refresh)}
	if got != [4]int{0, 0, 1, 1} {
		t.Errorf("pending, codes, access, refresh = %v, want only the new tokens", got)
	}
}

// ID tokens minted, verified and published while keys rotate and faults
// change, all at once; run with -race.
func TestServer_ParallelOIDCWithRotation(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r, err := send(t.Context(), http.MethodGet, e.authorizeURL("scope", "openid", "state", fmt.Sprint(i)), nil, nil)
			if err != nil {
				t.Error(err)
				return
			}
			u, err := url.Parse(r.header.Get("Location"))
			if err != nil {
				t.Error(err)
				return
			}
			r, err = e.sendToken(t.Context(), e.codeForm(u.Query().Get("code")))
			if err != nil || r.status != http.StatusOK || !json.Valid([]byte(r.body)) {
				t.Errorf("exchange: %v %d %s", err, r.status, r.body)
			}
			if _, err := send(t.Context(), http.MethodGet, e.url+"/.well-known/jwks.json", nil, nil); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Go(e.s.RotateKey)
	wg.Go(func() { e.s.SetIDTokenFault(IDTokenNoNonce) })
	wg.Wait()
	if st := e.s.Stats(); st.IDTokensIssued != n || st.JWKSRequests != n {
		t.Errorf("Stats = %+v, want %d ID tokens and JWKS requests", st, n)
	}
}
