package profile

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// world is a profile directory with a file store, and an emulator whose
// logins it holds.
type world struct {
	emu   *emulator.Server
	base  string
	paths tokenstore.Paths
	cfg   *Config
}

func newWorld(t *testing.T, emuCfg emulator.Config) *world {
	t.Helper()
	emuCfg.AutoApprove = true
	emu := emulator.New(emuCfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	paths := tokenstore.Paths{Root: t.TempDir()}
	cfg := &Config{
		Paths: paths,
		Open: func(name string) (Store, error) {
			s, err := tokenstore.Open(name, paths)
			if err != nil {
				return nil, err
			}
			return Local(s, paths), nil
		},
		HTTPClient: &http.Client{Timeout: 10 * time.Second},
	}
	return &world{emu: emu, base: srv.URL, paths: paths, cfg: cfg}
}

// login makes a real emulator login and stores it in the file store as
// profile name (SaveLogin), its access token expired when expired.
func (w *world) login(t *testing.T, name string, expired bool) *tokenstore.Record {
	t.Helper()
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: emulator.DefaultRedirectURI, AuthURL: w.base}
	verifier := kakao.NewVerifier()
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Get(c.AuthorizeURL(kakao.AuthorizeRequest{State: "st", Verifier: verifier}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	tok, err := c.Exchange(t.Context(), loc.Query().Get("code"), verifier)
	if err != nil {
		t.Fatal(err)
	}
	rec := &tokenstore.Record{ClientID: c.ClientID, RedirectURI: c.RedirectURI, AuthURL: w.base, APIURL: w.base}
	Apply(rec, tok)
	if expired {
		rec.Expiry = time.Now().Add(-time.Minute)
	}
	files, err := w.cfg.Open(tokenstore.BackendFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cfg.In(name, files).SaveLogin(t.Context(), rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

func (w *world) stored(t *testing.T, name string) *tokenstore.Record {
	t.Helper()
	rec, err := (&tokenstore.File{Dir: w.paths.TokensDir()}).Load(t.Context(), name)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (w *world) find(t *testing.T, name string) *Profile {
	t.Helper()
	p, err := w.cfg.Find(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUpdate_ChangesTheLoginAsStoredNow(t *testing.T) {
	w := newWorld(t, emulator.Config{RefreshTTL: 10 * 24 * time.Hour})
	w.login(t, "default", false)
	p := w.find(t, "default")
	if _, err := p.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Another writer rotates the tokens meanwhile.
	other := w.find(t, "default")
	rotated, res, err := other.Fresh(t.Context(), Want{Force: true})
	if err != nil || !res.Rotated {
		t.Fatalf("Fresh(Force) = %+v, %v; want a rotation", res, err)
	}
	got, err := p.Update(t.Context(), func(r *tokenstore.Record) error {
		r.UserID = 42
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := *rotated
	want.UserID = 42
	if diff := cmp.Diff(&want, w.stored(t, "default")); diff != "" {
		t.Errorf("stored record mismatch (-want +got):\n%s", diff)
	}
	if !got.Equal(&want) {
		t.Errorf("Update() returned %+v, want the stored record", got)
	}
}

func TestUpdate_WritesNothingOnceLoggedOutOrLoggedInAgain(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	w.login(t, "default", false)
	p := w.find(t, "default")
	if _, err := p.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.login(t, "default", false) // logged in again
	again := w.stored(t, "default")
	called := false
	change := func(r *tokenstore.Record) error { called = true; r.UserID = 7; return nil }
	if _, err := p.Update(t.Context(), change); !errors.As(err, new(*ReplacedError)) {
		t.Errorf("Update() after a new login = %v, want a *ReplacedError", err)
	}
	if diff := cmp.Diff(again, w.stored(t, "default")); diff != "" {
		t.Errorf("the new login changed (-want +got):\n%s", diff)
	}

	if _, _, err := w.cfg.Clear(t.Context(), "default", false); err != nil {
		t.Fatal(err)
	}
	p = w.find2(t, again)
	if _, err := p.Update(t.Context(), change); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("Update() after a logout = %v, want login required", err)
	}
	if called {
		t.Error("change was called")
	}
	if _, err := (&tokenstore.File{Dir: w.paths.TokensDir()}).Load(t.Context(), "default"); !errors.Is(err, tokenstore.ErrNotFound) {
		t.Errorf("after the logout, Update left a record: %v", err)
	}
}

// find2 is a Profile of the file store that has seen rec, for a profile
// whose note is gone.
func (w *world) find2(t *testing.T, rec *tokenstore.Record) *Profile {
	t.Helper()
	files, err := w.cfg.Open(tokenstore.BackendFile)
	if err != nil {
		t.Fatal(err)
	}
	p := w.cfg.In("default", files)
	p.noted = true
	p.saw(rec)
	return p
}

// versioned is a store that tells versions and refuses a write over
// another version than the one read, as a shared store does: the contract
// Update relies on.
type versioned struct {
	mu    sync.Mutex
	rec   *tokenstore.Record
	v     int
	saves int
}

func (s *versioned) Name() string { return "versioned" }
func (s *versioned) Load(_ context.Context, _ string) (*tokenstore.Record, Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec == nil {
		return nil, nil, tokenstore.ErrNotFound
	}
	return clone(s.rec), s.v, nil
}
func (s *versioned) Save(_ context.Context, _ string, r *tokenstore.Record, v Version) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v != nil && v != s.v {
		return ErrChanged
	}
	s.rec, s.v, s.saves = clone(r), s.v+1, s.saves+1
	return nil
}
func (s *versioned) Delete(context.Context, string) error { s.rec = nil; return nil }
func (s *versioned) Lock(context.Context, string, time.Duration) (func() error, error) {
	return func() error { return nil }, nil
}

func TestUpdate_SavesOnlyAChangeAndOnlyOverTheVersionRead(t *testing.T) {
	s := &versioned{rec: &tokenstore.Record{ClientID: "app", AccessToken: "at", Login: "L"}}
	p := (&Config{}).In("default", s)
	if _, err := p.Load(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Update(t.Context(), func(*tokenstore.Record) error { return nil }); err != nil || s.saves != 0 {
		t.Fatalf("Update() with no change: %v, %d saves; want none", err, s.saves)
	}
	_, err := p.Update(t.Context(), func(r *tokenstore.Record) error {
		// Another writer (one a lost lease let in) writes meanwhile.
		s.Save(t.Context(), "default", &tokenstore.Record{ClientID: "app", AccessToken: "other", Login: "L"}, nil)
		r.UserID = 1
		return nil
	})
	if !errors.Is(err, ErrChanged) {
		t.Errorf("Update() over a record changed meanwhile = %v, want ErrChanged", err)
	}
	if s.rec.AccessToken != "other" || s.rec.UserID != 0 {
		t.Errorf("the other writer's record was overwritten: %+v", s.rec)
	}
}

// Goroutines sharing nothing but the profile make one refresh between
// them, as processes do.
func TestFresh_ConcurrentWritersRefreshOnce(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	w.login(t, "default", true)
	var wg sync.WaitGroup
	tokens := make([]string, 8)
	for i := range tokens {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec, _, err := w.find(t, "default").Fresh(context.Background(), Want{MinTTL: time.Minute})
			if err != nil {
				t.Error(err)
				return
			}
			tokens[i] = rec.AccessToken
		}()
	}
	wg.Wait()
	if n := w.emu.Stats().Refreshes; n != 1 {
		t.Errorf("%d refreshes, want 1", n)
	}
	for _, tok := range tokens {
		if tok != tokens[0] {
			t.Errorf("handed out different tokens: %q", tokens)
			break
		}
	}
}

// A Source is safe for concurrent use: calls at once on an expired token
// make one refresh; a refused token is renewed once, whoever asks.
func TestSource_ConcurrentCallsRefreshOnceAndRenewOnce(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	rec := w.login(t, "default", true)
	p := w.find(t, "default")
	src := p.TokenSource(t.Context(), rec, Want{MinTTL: time.Minute})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := src.Token(); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := w.emu.Stats().Refreshes; n != 1 {
		t.Fatalf("%d refreshes, want 1", n)
	}
	tok, _ := src.Token()
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := src.Renew(tok); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := w.emu.Stats().Refreshes; n != 2 {
		t.Errorf("%d refreshes after renewing one refused token, want 2", n)
	}
	if res := src.Result(); !res.Refreshed || !res.Refused {
		t.Errorf("Result() = %+v, want refreshed and refused", res)
	}
	if got := w.stored(t, "default"); got.AccessToken != src.Record().AccessToken {
		t.Error("the token handed out is not the one stored")
	}
}

// A refresh Kakao refuses writes nothing and deletes nothing.
func TestFresh_RefusedRefreshLeavesTheRecord(t *testing.T) {
	w := newWorld(t, emulator.Config{})
	w.login(t, "default", true)
	before := w.stored(t, "default")
	w.emu.SetFault(emulator.FaultRateLimit)
	if _, _, err := w.find(t, "default").Fresh(t.Context(), Want{}); err == nil {
		t.Fatal("Fresh() = nil error, want the refusal")
	}
	if diff := cmp.Diff(before, w.stored(t, "default")); diff != "" {
		t.Errorf("stored record changed (-want +got):\n%s", diff)
	}
}
