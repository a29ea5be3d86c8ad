package emulator

import (
	"net/http"
	"net/url"
	"testing"
)

// expireAccess posts form to /_emulator/expire-access-tokens.
func (e *env) expireAccess(t *testing.T, form url.Values) response {
	t.Helper()
	return e.sendForm(t, http.MethodPost, "/_emulator/expire-access-tokens", form)
}

// Expiring access tokens on demand lets an app test its "-401, refresh,
// retry" path without waiting for --access-ttl: the access token is
// refused as an expired one is, and the refresh token still works.
func TestExpireAccessTokens_RefusedUntilRefreshed(t *testing.T) {
	e := newEnv(t, twoUsers())
	mine := e.tokens(t)
	apeachs := e.exchange(t, e.visit(t, &UserAgent{Client: browser()}, "login_hint", "apeach@example.com"))

	r := e.expireAccess(t, url.Values{"user_id": {"4000000001"}})
	if r.status != http.StatusOK || r.json(t)["expired"] != float64(1) {
		t.Fatalf("expire: %d %s, want 200 {\"expired\":1}", r.status, r.body)
	}
	me := e.bearer(t, http.MethodGet, "/v2/user/me", mine["access_token"].(string))
	if me.status != http.StatusUnauthorized || me.json(t)["code"] != float64(-401) {
		t.Errorf("/v2/user/me with the expired token: %d %s, want 401 and -401", me.status, me.body)
	}
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", apeachs["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("another user's token: %d %s, want it untouched", r.status, r.body)
	}
	renewed := e.postToken(t, refreshForm(mine["refresh_token"].(string)))
	if renewed.status != http.StatusOK {
		t.Fatalf("refresh after expiry: %d %s", renewed.status, renewed.body)
	}
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", renewed.json(t)["access_token"].(string)); r.status != http.StatusOK {
		t.Errorf("renewed token: %d %s", r.status, r.body)
	}

	// No filter: every access token there is.
	if r := e.expireAccess(t, nil); r.status != http.StatusOK || r.json(t)["expired"] != float64(2) {
		t.Errorf("expire all: %d %s, want 200 {\"expired\":2}", r.status, r.body)
	}
}

func TestExpireAccessTokens_RefusesWhatItCannotDo(t *testing.T) {
	e := newEnv(t, Config{})
	e.tokens(t)
	for _, tt := range []struct {
		name   string
		method string
		form   url.Values
		status int
	}{
		{"GET", http.MethodGet, nil, http.StatusMethodNotAllowed},
		{"user_id not a number", http.MethodPost, url.Values{"user_id": {"muzi"}}, http.StatusBadRequest},
		{"unknown field", http.MethodPost, url.Values{"userid": {"4000000001"}}, http.StatusBadRequest},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.sendForm(t, tt.method, "/_emulator/expire-access-tokens", tt.form)
			if r.status != tt.status {
				t.Errorf("%d %s, want %d", r.status, r.body, tt.status)
			}
		})
	}
	if n := e.s.ExpireAccessTokens("other-client", 0); n != 0 {
		t.Errorf("ExpireAccessTokens(other client) = %d, want 0", n)
	}
	if n := e.s.ExpireAccessTokens(DefaultClientID, 0); n != 1 {
		t.Errorf("ExpireAccessTokens(default client) = %d, want 1", n)
	}
}
