package emulator

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token:
// with more than a month left, a refresh returns no refresh_token fields and
// the old refresh token keeps working; earlier access tokens stay valid until
// they expire. A refresh never answers scope
// (https://devtalk.kakao.com/t/koe322-expired-or-invalid-refresh-token/126899):
// clients keep the scopes they had.
func TestRefresh_WithoutRotationKeepsOldRefreshToken(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.tokens(t, "scope", "talk_message")
	rt, firstAT := tok["refresh_token"].(string), tok["access_token"].(string)

	for i := range 2 {
		r := e.postToken(t, refreshForm(rt))
		if r.status != http.StatusOK {
			t.Fatalf("refresh %d: %d %s", i, r.status, r.body)
		}
		got := r.json(t)
		if got["access_token"] == firstAT {
			t.Errorf("refresh %d returned the old access token", i)
		}
		got["access_token"] = "AT"
		want := map[string]any{"token_type": "bearer", "access_token": "AT", "expires_in": float64(21599)}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("refresh %d mismatch (-want +got):\n%s", i, diff)
		}
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", firstAT); r.status != http.StatusOK {
		t.Errorf("first access token after refresh: %d, want still valid", r.status)
	}
}

// Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token,
// and Kakao DevTalk's answer on KOE322,
// https://devtalk.kakao.com/t/koe322-expired-or-invalid-refresh-token/126899:
// with less than a month left, a refresh returns a new refresh token and the
// old one dies at once (KOE322).
func TestRefresh_RotatesWhenLessThanRotationWindowLeft(t *testing.T) {
	e := newEnv(t, Config{})
	rt := e.tokens(t)["refresh_token"].(string)

	e.clock.Advance(DefaultRefreshTTL - RotationWindow) // exactly a month left: no rotation yet
	if got := e.postToken(t, refreshForm(rt)).json(t); got["refresh_token"] != nil {
		t.Fatalf("rotated with exactly RotationWindow left: %v", got)
	}
	e.clock.Advance(time.Second)
	got := e.postToken(t, refreshForm(rt)).json(t)
	newRT, _ := got["refresh_token"].(string)
	if newRT == "" || newRT == rt {
		t.Fatalf("refresh with < RotationWindow left: %v, want a new refresh_token", got)
	}
	if diff := cmp.Diff(float64(5183999), got["refresh_token_expires_in"]); diff != "" {
		t.Errorf("refresh_token_expires_in (-want +got):\n%s", diff)
	}
	assertKOE322(t, e, rt)
	if r := e.postToken(t, refreshForm(newRT)); r.status != http.StatusOK {
		t.Errorf("new refresh token: %d %s", r.status, r.body)
	}
}

// With RefreshTTL below RotationWindow every refresh rotates, which is how
// client tests exercise "persist the rotated token".
func TestRefresh_ShortRefreshTTLRotatesEveryTime(t *testing.T) {
	e := newEnv(t, Config{RefreshTTL: 24 * time.Hour})
	tok := e.tokens(t)
	if diff := cmp.Diff(float64(86400), tok["refresh_token_expires_in"]); diff != "" {
		t.Errorf("refresh_token_expires_in (-want +got):\n%s", diff)
	}
	rt := tok["refresh_token"].(string)
	for i := range 3 {
		got := e.postToken(t, refreshForm(rt)).json(t)
		next, _ := got["refresh_token"].(string)
		if next == "" || next == rt {
			t.Fatalf("refresh %d: %v, want a rotated refresh_token", i, got)
		}
		assertKOE322(t, e, rt)
		rt = next
	}
}

func assertKOE322(t *testing.T, e *env, rt string) {
	t.Helper()
	r := e.postToken(t, refreshForm(rt))
	want := map[string]any{"error": "invalid_grant", "error_description": "expired_or_invalid_refresh_token", "error_code": "KOE322"}
	if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != http.StatusBadRequest {
		t.Errorf("status %d; answer mismatch (-want +got):\n%s", r.status, diff)
	}
}

// The token errors (Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token;
// Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting):
// KOE319 (no refresh_token), KOE322 (unknown, expired, another client's),
// KOE010 (secret).
func TestRefresh_Errors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		advance time.Duration
		kv      []string
		status  int
		want    map[string]any
	}{
		{name: "missing refresh_token is KOE319", kv: []string{"refresh_token", ""},
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE319"}},
		{name: "unknown refresh_token is KOE322", kv: []string{"refresh_token", "emu_rt_made-up"},
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE322"}},
		{name: "an access token as refresh_token is KOE322", kv: []string{"refresh_token", "ACCESS"},
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE322"}},
		{name: "expired refresh_token is KOE322", advance: DefaultRefreshTTL,
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE322"}},
		{name: "another client's refresh_token is KOE322", cfg: Config{ClientIDs: []string{DefaultClientID, "other-key"}},
			kv:     []string{"client_id", "other-key"},
			status: 400, want: map[string]any{"error": "invalid_grant", "error_code": "KOE322"}},
		{name: "unknown client is KOE101", kv: []string{"client_id", "typo-key"},
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE101"}},
		{name: "missing secret is KOE010", cfg: Config{ClientSecret: "s3cret"},
			status: 401, want: map[string]any{"error": "invalid_client", "error_code": "KOE010"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, tt.cfg)
			code := e.login(t)
			tok := e.postToken(t, e.codeForm(code, "client_secret", tt.cfg.ClientSecret)).json(t)
			e.clock.Advance(tt.advance)
			kv := tt.kv
			if len(kv) == 2 && kv[1] == "ACCESS" {
				kv = []string{"refresh_token", tok["access_token"].(string)}
			}
			r := e.postToken(t, refreshForm(tok["refresh_token"].(string), kv...))
			if r.status != tt.status {
				t.Errorf("status = %d, want %d", r.status, tt.status)
			}
			if diff := cmp.Diff(tt.want, oauthError(t, r)); diff != "" {
				t.Errorf("answer mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// Many clients refreshing one non-rotating refresh token at once all succeed.
func TestRefresh_ParallelRefreshesWithoutRotation(t *testing.T) {
	e := newEnv(t, Config{})
	rt := e.tokens(t)["refresh_token"].(string)
	const n = 32
	statuses := parallelRefresh(t, e, rt, n)
	if diff := cmp.Diff(map[int]int{http.StatusOK: n}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	if got := e.s.Stats().Refreshes; got != n {
		t.Errorf("Refreshes = %d, want %d", got, n)
	}
}

// Racing refreshes of one rotating refresh token: exactly one wins, the rest
// see KOE322, as the second of two racing cron jobs would at Kakao.
func TestRefresh_ParallelRefreshesWithRotationOneWins(t *testing.T) {
	e := newEnv(t, Config{RefreshTTL: time.Hour})
	rt := e.tokens(t)["refresh_token"].(string)
	const n = 32
	statuses := parallelRefresh(t, e, rt, n)
	if diff := cmp.Diff(map[int]int{http.StatusOK: 1, http.StatusBadRequest: n - 1}, statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
	want := Stats{AuthorizeRequests: 1, CodeExchanges: 1, Refreshes: 1, TokenErrors: n - 1, IDTokensIssued: 2}
	if diff := cmp.Diff(want, e.s.Stats()); diff != "" {
		t.Errorf("Stats (-want +got):\n%s", diff)
	}
}

func parallelRefresh(t *testing.T, e *env, rt string, n int) map[int]int {
	t.Helper()
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		statuses = map[int]int{}
	)
	for range n {
		wg.Go(func() {
			r, err := e.sendToken(t.Context(), refreshForm(rt))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			statuses[r.status]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return statuses
}
