package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStats_CountsGrantsAndErrors(t *testing.T) {
	e := newEnv(t, Config{})
	code := e.login(t)                                                       // 1 authorize request
	rt := e.postToken(t, e.codeForm(code)).json(t)["refresh_token"].(string) // 1 code exchange, with an ID token (OIDC on)
	e.postToken(t, e.codeForm(code))                                         // reused code: 1 error
	e.postToken(t, refreshForm(rt))                                          // 2 refreshes, each with an ID token
	e.postToken(t, refreshForm(rt))
	e.postToken(t, url.Values{"grant_type": {"password"}}) // 1 error
	get(t, e.authorizeURL("client_id", "typo-key"))        // invalid authorize requests count too
	e.s.SetFault(FaultHTML)
	e.postToken(t, refreshForm(rt)) // faults are errors

	want := Stats{AuthorizeRequests: 2, CodeExchanges: 1, Refreshes: 2, TokenErrors: 3, IDTokensIssued: 3}
	if diff := cmp.Diff(want, e.s.Stats()); diff != "" {
		t.Errorf("Stats() mismatch (-want +got):\n%s", diff)
	}

	// The emulator-only endpoint serves the same counters for another process.
	r := get(t, e.url+"/_emulator/stats")
	var got Stats
	if err := json.Unmarshal([]byte(r.body), &got); err != nil || r.status != http.StatusOK {
		t.Fatalf("GET /_emulator/stats: %d %s %v", r.status, r.body, err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("/_emulator/stats mismatch (-want +got):\n%s", diff)
	}
	if r := do(t, http.MethodPost, e.url+"/_emulator/stats", nil, nil); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /_emulator/stats: %d, want 405", r.status)
	}
}

// IDTokensIssued counts ID tokens in token responses (faulted ones too, none
// for IDTokenOmitted); JWKSRequests counts JWKS fetches, so a test can tell
// whether a client caches the keys (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key).
func TestStats_CountsIDTokensAndJWKS(t *testing.T) {
	e := newEnv(t, Config{})
	rt := e.tokens(t, "scope", "openid")["refresh_token"].(string) // 1 ID token
	e.tokens(t, "scope", "profile_nickname")                       // none: no openid asked
	e.postToken(t, refreshForm(rt))                                // 2
	e.s.SetIDTokenFault(IDTokenWrongNonce)
	e.postToken(t, refreshForm(rt)) // 3: faulted tokens count
	e.s.SetIDTokenFault(IDTokenOmitted)
	e.postToken(t, refreshForm(rt)) // omitted: not issued
	e.jwks(t)
	e.jwks(t)
	do(t, http.MethodPost, e.url+"/.well-known/jwks.json", nil, nil) // refused requests count too
	get(t, e.url+"/.well-known/openid-configuration")                // discovery is not JWKS

	got := e.s.Stats()
	if got.IDTokensIssued != 3 || got.JWKSRequests != 3 {
		t.Errorf("Stats() = %+v, want 3 ID tokens issued and 3 JWKS requests", got)
	}
	var served map[string]any
	if err := json.Unmarshal([]byte(get(t, e.url+"/_emulator/stats").body), &served); err != nil {
		t.Fatal(err)
	}
	if served["id_tokens_issued"] != float64(3) || served["jwks_requests"] != float64(3) {
		t.Errorf("/_emulator/stats = %v, want id_tokens_issued 3, jwks_requests 3", served)
	}
}
