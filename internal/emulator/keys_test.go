package emulator

import (
	"crypto/rsa"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// kids lists the JWKS's kids, sorted.
func kids(keys map[string]*rsa.PublicKey) []string {
	var out []string
	for kid := range keys {
		out = append(out, kid)
	}
	slices.Sort(out)
	return out
}

// Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key:
// keys change. After RotateKey the JWKS serves the new key and the one it
// replaced, a token signed before still verifies, and new tokens carry the new
// kid.
func TestRotateKey_JWKSKeepsPreviousKey(t *testing.T) {
	e := newEnv(t, Config{})
	_, before := e.idToken(t, "scope", "openid")
	oldKid := before.header["kid"].(string)

	e.s.RotateKey()
	keys := e.jwks(t)
	if len(keys) != 2 || keys[oldKid] == nil {
		t.Fatalf("JWKS after RotateKey: %v, want the old kid %s and a new one", kids(keys), oldKid)
	}
	if err := verifyRS256(before, keys); err != nil {
		t.Errorf("token signed before the rotation: %v", err)
	}
	_, after := e.idToken(t, "scope", "openid")
	newKid := after.header["kid"].(string)
	if newKid == oldKid || keys[newKid] == nil {
		t.Errorf("kid after rotation = %s, want the new key's (JWKS %v)", newKid, kids(keys))
	}
	if err := verifyRS256(after, keys); err != nil {
		t.Errorf("token signed after the rotation: %v", err)
	}

	// A second rotation drops the first key: only one previous key is kept.
	e.s.RotateKey()
	keys = e.jwks(t)
	if len(keys) != 2 || keys[oldKid] != nil || keys[newKid] == nil {
		t.Errorf("JWKS after a second rotation: %v, want %s gone and %s kept", kids(keys), oldKid, newKid)
	}
	if err := verifyRS256(before, keys); err == nil {
		t.Error("token of the dropped key still verifies")
	}
}

// What a client's JWKS cache meets (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key:
// cache the keys): with the keys fetched once, a rotation from another process
// (POST /_emulator/rotate-key) makes the next ID token's kid unknown to the
// cache; one more fetch knows it, and JWKSRequests counts both fetches.
func TestRotateKey_ByEndpointForAClientsKeyCache(t *testing.T) {
	e := newEnv(t, Config{})
	tok, first := e.idToken(t, "scope", "openid")
	cached := e.jwks(t)
	if err := verifyRS256(first, cached); err != nil {
		t.Fatal(err)
	}

	r := do(t, http.MethodPost, e.url+"/_emulator/rotate-key", nil, nil)
	kid, _ := r.json(t)["kid"].(string)
	if r.status != http.StatusOK || kid == "" || kid == first.header["kid"] {
		t.Fatalf("rotate-key: %d %s, want a new kid", r.status, r.body)
	}
	next := parseJWT(t, e.postToken(t, refreshForm(tok["refresh_token"].(string))).json(t)["id_token"].(string))
	if next.header["kid"] != kid || cached[kid] != nil {
		t.Fatalf("refreshed ID token kid %v, want %s, unknown to the cached keys %v", next.header["kid"], kid, kids(cached))
	}
	if err := verifyRS256(next, e.jwks(t)); err != nil {
		t.Errorf("after fetching the JWKS again: %v", err)
	}
	if got := e.s.Stats().JWKSRequests; got != 2 {
		t.Errorf("JWKSRequests = %d, want 2", got)
	}
	if r := get(t, e.url+"/_emulator/rotate-key"); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET rotate-key: %d, want 405", r.status)
	}
}

// Config.KeyRotationInterval: the key rotates on schedule by Config.Now;
// the replaced key stays one interval more, then is dropped.
func TestKeyRotationInterval_RotatesAndDropsOnSchedule(t *testing.T) {
	const every = time.Hour
	e := newEnv(t, Config{KeyRotationInterval: every})
	_, first := e.idToken(t, "scope", "openid")
	k1 := first.header["kid"].(string)

	e.clock.Advance(every - time.Second)
	if got := kids(e.jwks(t)); !slices.Equal(got, []string{k1}) {
		t.Fatalf("JWKS before the interval: %v, want [%s]", got, k1)
	}

	e.clock.Advance(time.Second) // one interval after New
	keys := e.jwks(t)
	if len(keys) != 2 || keys[k1] == nil {
		t.Fatalf("JWKS after one interval: %v, want %s and a new key", kids(keys), k1)
	}
	if err := verifyRS256(first, keys); err != nil {
		t.Errorf("token signed just before the rotation: %v", err)
	}
	_, second := e.idToken(t, "scope", "openid")
	k2 := second.header["kid"].(string)
	if k2 == k1 || keys[k2] == nil {
		t.Errorf("kid after the rotation = %s, want the new key's (JWKS %v)", k2, kids(keys))
	}

	e.clock.Advance(every) // two intervals after New: k1 is dropped
	keys = e.jwks(t)
	if len(keys) != 2 || keys[k1] != nil || keys[k2] == nil {
		t.Errorf("JWKS after two intervals: %v, want %s dropped, %s kept", kids(keys), k1, k2)
	}
}

// Rotations nobody saw still happen: after two quiet intervals, the key of
// two intervals ago is gone and a fresh one signs.
func TestKeyRotationInterval_CatchesUpAfterQuietIntervals(t *testing.T) {
	const every = time.Hour
	e := newEnv(t, Config{KeyRotationInterval: every})
	_, first := e.idToken(t, "scope", "openid")
	k1 := first.header["kid"].(string)

	e.clock.Advance(2 * every)
	keys := e.jwks(t)
	if len(keys) != 1 || keys[k1] != nil {
		t.Errorf("JWKS after two quiet intervals: %v, want one key, not %s", kids(keys), k1)
	}
	_, next := e.idToken(t, "scope", "openid")
	if err := verifyRS256(next, keys); err != nil {
		t.Errorf("new token: %v", err)
	}
}

// Without KeyRotationInterval the key never changes on its own.
func TestKeys_NoTimedRotationByDefault(t *testing.T) {
	e := newEnv(t, Config{})
	_, first := e.idToken(t, "scope", "openid")
	e.clock.Advance(365 * 24 * time.Hour)
	if got := kids(e.jwks(t)); !slices.Equal(got, []string{first.header["kid"].(string)}) {
		t.Errorf("JWKS a year later: %v, want the first key alone", got)
	}
}

// A rotation through the endpoint is state: the new key outlives a restart.
func TestRotateKey_ByEndpointSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	e := newStateEnv(t, Config{}, path)
	e.idToken(t, "scope", "openid")
	kid, _ := do(t, http.MethodPost, e.url+"/_emulator/rotate-key", nil, nil).json(t)["kid"].(string)
	e.restart(t, Config{})
	if _, j := e.idToken(t, "scope", "openid"); j.header["kid"] != kid {
		t.Errorf("kid after a restart = %v, want the rotated key's %s", j.header["kid"], kid)
	}
}
