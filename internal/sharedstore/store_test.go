package sharedstore

import (
	"errors"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/enginetest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

func openStore(t *testing.T, srv *enginetest.Server) *Store {
	t.Helper()
	s, err := OpenStore(srv.URL(), func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func testRecord(rt string) *tokenstore.Record {
	return &tokenstore.Record{ClientID: "app", AccessToken: "at-" + rt, RefreshToken: rt,
		Expiry: time.Date(2026, 12, 7, 16, 0, 0, 0, time.UTC), Scopes: []string{"openid"}}
}

func TestStore_SaveIsCompareAndSetOnTheVersionLoaded(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, _ Engine) {
		a, b := openStore(t, srv), openStore(t, srv)
		ctx := t.Context()
		if _, _, err := a.Load(ctx, "p"); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Fatalf("Load of nothing = %v, want ErrNotFound", err)
		}
		if err := a.Create(ctx, "p", testRecord("rt1")); err != nil {
			t.Fatal(err)
		}
		if err := b.Create(ctx, "p", testRecord("other login")); !errors.Is(err, tokenstore.ErrChanged) {
			t.Fatalf("a create over an existing record = %v, want ErrChanged", err)
		}
		recA, vA, err := a.Load(ctx, "p")
		if err != nil || !recA.Equal(func() *tokenstore.Record { r := testRecord("rt1"); r.Version = 1; return r }()) {
			t.Fatalf("Load = %+v, %v", recA, err)
		}
		_, vB, _ := b.Load(ctx, "p")
		// b rotates first; a's write, from the same read, must fail.
		if err := b.Save(ctx, "p", testRecord("rt2"), vB); err != nil {
			t.Fatal(err)
		}
		if err := a.Save(ctx, "p", testRecord("rt2-by-a"), vA); !errors.Is(err, tokenstore.ErrChanged) {
			t.Fatalf("a stale Save = %v, want ErrChanged", err)
		}
		got, _, _ := a.Load(ctx, "p")
		if got.RefreshToken != "rt2" {
			t.Fatalf("stored refresh token %q, want rt2 (the rotated one)", got.RefreshToken)
		}
		// A login's save (nil version) replaces whatever is stored.
		if err := b.Save(ctx, "p", testRecord("new login"), nil); err != nil {
			t.Fatalf("a login's Save over a record: %v", err)
		}
		if got, _, _ := a.Load(ctx, "p"); got.RefreshToken != "new login" {
			t.Fatalf("after a login's Save: %q", got.RefreshToken)
		}
		names, err := a.Profiles(ctx)
		if err != nil || len(names) != 1 || names[0] != "p" {
			t.Fatalf("Profiles = %v, %v", names, err)
		}
		if err := a.Delete(ctx, "p"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.Load(ctx, "p"); !errors.Is(err, tokenstore.ErrNotFound) {
			t.Fatalf("after Delete: %v", err)
		}
	})
}

func TestStore_CorruptRecordNamesTheKey(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, e Engine) {
		if ok, err := e.CompareAndSwap(t.Context(), DefaultPrefix+"profiles/p", "", []byte(`{"v":1,"client_id":"x","access_token":"secret-at"`)); !ok || err != nil {
			t.Fatal(ok, err)
		}
		_, _, err := openStore(t, srv).Load(t.Context(), "p")
		var ce *tokenstore.CorruptError
		if !errors.As(err, &ce) || ce.Where == "" {
			t.Fatalf("Load = %v, want a *CorruptError naming the key", err)
		}
	})
}

func TestStore_LockWaitsThenTimesOut(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, _ Engine) {
		a, b := openStore(t, srv), openStore(t, srv)
		unlock, err := a.Lock(t.Context(), "p", 0)
		if err != nil {
			t.Fatal(err)
		}
		var lte *tokenstore.LockTimeoutError
		if _, err := b.Lock(t.Context(), "p", 300*time.Millisecond); !errors.As(err, &lte) {
			t.Fatalf("Lock while held = %v, want *LockTimeoutError", err)
		}
		go func() { time.Sleep(200 * time.Millisecond); unlock() }()
		unlockB, err := b.Lock(t.Context(), "p", 5*time.Second)
		if err != nil {
			t.Fatalf("Lock after release: %v", err)
		}
		if err := unlockB(); err != nil {
			t.Fatal(err)
		}
		if err := unlock(); err != nil {
			t.Fatalf("a second unlock: %v", err)
		}
	})
}
