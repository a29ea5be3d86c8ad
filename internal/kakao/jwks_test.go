package kakao

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// cacheHarness is an emulator with OIDC, a client for it and a key cache
// directory.
type cacheHarness struct {
	emu  *emulator.Server
	base string
	c    *Client
	dir  string
}

func newCacheHarness(t *testing.T) *cacheHarness {
	t.Helper()
	emu, base := newEmulator(t, emulator.Config{})
	return &cacheHarness{
		emu:  emu,
		base: base,
		c:    &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base},
		dir:  filepath.Join(t.TempDir(), "cache", "jwks"),
	}
}

// verifier is a new verifier, as a new run makes, on the cache directory.
func (h *cacheHarness) verifier() *IDVerifier {
	return &IDVerifier{ClientID: h.c.ClientID, AuthURL: h.base, KeyCacheDir: h.dir}
}

// verifyNew logs in and verifies the ID token with a new verifier,
// returning how many times the JWKS was fetched meanwhile.
func (h *cacheHarness) verifyNew(t *testing.T) int {
	t.Helper()
	tok := oidcLogin(t, h.c, "n")
	before := h.emu.Stats().JWKSRequests
	if _, err := h.verifier().Verify(t.Context(), tok.IDToken, "n", false); err != nil {
		t.Fatalf("Verify() = %v", err)
	}
	return h.emu.Stats().JWKSRequests - before
}

func (h *cacheHarness) cacheFile(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(h.dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("cache files %v, want one", files)
	}
	return files[0]
}

func TestIDVerifier_KeysCachedOnDiskServeLaterRuns(t *testing.T) {
	h := newCacheHarness(t)
	if n := h.verifyNew(t); n != 1 {
		t.Errorf("first run fetched the JWKS %d times, want 1", n)
	}
	for i := range 2 {
		if n := h.verifyNew(t); n != 0 {
			t.Errorf("run %d fetched the JWKS %d times, want 0 (cached)", i+2, n)
		}
	}
	fi, err := os.Stat(h.cacheFile(t))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file: %v, mode %v; want 0600", err, fi.Mode())
	}
	if fi, err := os.Stat(h.dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("cache directory: %v, mode %v; want 0700", err, fi.Mode())
	}
}

// Keys fetched KeyCacheTTL ago are fetched again, and the file renewed.
func TestIDVerifier_StaleCacheIsFetchedAgain(t *testing.T) {
	h := newCacheHarness(t)
	h.verifyNew(t)
	file := h.cacheFile(t)
	setFetchedAt(t, file, time.Now().Add(-KeyCacheTTL-time.Minute))
	if n := h.verifyNew(t); n != 1 {
		t.Errorf("fetched the JWKS %d times with a stale cache, want 1", n)
	}
	if n := h.verifyNew(t); n != 0 {
		t.Errorf("fetched the JWKS %d times after renewing the cache, want 0", n)
	}
	// Just inside the time-to-live is still fresh.
	setFetchedAt(t, file, time.Now().Add(-KeyCacheTTL+time.Minute))
	if n := h.verifyNew(t); n != 0 {
		t.Errorf("fetched the JWKS %d times with a cache inside its time-to-live, want 0", n)
	}
}

// A key rotated in at Kakao is found with one more fetch, by the first run
// that meets it; later runs read it from the cache.
func TestIDVerifier_NewKidFetchesOnceMoreThenIsCached(t *testing.T) {
	h := newCacheHarness(t)
	h.verifyNew(t)
	h.emu.RotateKey()
	if n := h.verifyNew(t); n != 1 {
		t.Errorf("fetched the JWKS %d times for a token under the new key, want 1", n)
	}
	if n := h.verifyNew(t); n != 0 {
		t.Errorf("fetched the JWKS %d times once the new key was cached, want 0", n)
	}
}

// A kid the auth server never publishes costs one fetch, then the token is
// refused.
func TestIDVerifier_UnpublishedKidFetchesOnceThenIsRefused(t *testing.T) {
	h := newCacheHarness(t)
	h.verifyNew(t)
	h.emu.SetIDTokenFault(emulator.IDTokenUnknownKid)
	tok := oidcLogin(t, h.c, "n")
	before := h.emu.Stats().JWKSRequests
	_, err := h.verifier().Verify(t.Context(), tok.IDToken, "n", false)
	if _, ok := err.(*IDTokenError); !ok {
		t.Errorf("Verify() = %v, want an IDTokenError", err)
	}
	if n := h.emu.Stats().JWKSRequests - before; n != 1 {
		t.Errorf("fetched the JWKS %d times for an unknown kid, want exactly 1", n)
	}
}

// A cache file anyone but this user could have written, or that is not the
// cache of this auth server, is never used: an ID token signed by a key
// planted there is refused, and the real keys are fetched. The last case
// shows what a trusted cache file can do, so that the others can fail.
func TestIDVerifier_UntrustworthyCacheIsNeverUsed(t *testing.T) {
	tests := []struct {
		name    string
		plant   func(t *testing.T, dir, file string, data []byte)
		trusted bool
	}{
		{"file others can read and write", func(t *testing.T, dir, file string, data []byte) {
			writeFile(t, file, data, 0o666)
		}, false},
		{"file others can read", func(t *testing.T, dir, file string, data []byte) {
			writeFile(t, file, data, 0o644)
		}, false},
		{"directory others can enter", func(t *testing.T, dir, file string, data []byte) {
			writeFile(t, file, data, 0o600)
			os.Chmod(dir, 0o755)
		}, false},
		{"link to a private file", func(t *testing.T, dir, file string, data []byte) {
			elsewhere := filepath.Join(t.TempDir(), "keys.json")
			writeFile(t, elsewhere, data, 0o600)
			if err := os.Symlink(elsewhere, file); err != nil {
				t.Fatal(err)
			}
		}, false},
		{"private file of another auth server", func(t *testing.T, dir, file string, data []byte) {
			var c cachedJWKS
			json.Unmarshal(data, &c)
			c.Issuer = "https://kauth.example.com"
			other, _ := json.Marshal(c)
			writeFile(t, file, other, 0o600)
		}, false},
		{"private file of this auth server", func(t *testing.T, dir, file string, data []byte) {
			writeFile(t, file, data, 0o600)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newCacheHarness(t)
			attacker, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				t.Fatal(err)
			}
			jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
				"kid": "planted", "kty": "RSA", "alg": "RS256", "use": "sig",
				"n": base64.RawURLEncoding.EncodeToString(attacker.N.Bytes()),
				"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(attacker.E)).Bytes()),
			}}})
			data, _ := json.Marshal(cachedJWKS{Issuer: h.base, URL: h.base + JWKSPath, FetchedAt: time.Now(), JWKS: jwks})
			if err := os.MkdirAll(h.dir, 0o700); err != nil {
				t.Fatal(err)
			}
			file := (&keySet{issuer: h.base, dir: h.dir}).cacheFile()
			tt.plant(t, h.dir, file, data)

			forged := signRS256(t, attacker, "planted", map[string]any{
				"iss": h.base, "aud": h.c.ClientID, "sub": "4000000001", "nonce": "n",
				"iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix(),
			})
			before := h.emu.Stats().JWKSRequests
			_, err = h.verifier().Verify(t.Context(), forged, "n", false)
			fetched := h.emu.Stats().JWKSRequests - before
			if tt.trusted {
				if err != nil || fetched != 0 {
					t.Fatalf("Verify() = %v after %d fetches, want the cached key used without a fetch", err, fetched)
				}
				return
			}
			if err == nil {
				t.Fatal("an ID token signed with a key planted in the cache was accepted")
			}
			if fetched != 1 {
				t.Errorf("fetched the JWKS %d times, want 1 (the cache ignored)", fetched)
			}
			// The real keys still work.
			if n := h.verifyNew(t); n > 1 {
				t.Errorf("fetched the JWKS %d times for a real token, want at most 1", n)
			}
		})
	}
}

// A cache file that does not parse, holds no usable key or says it was
// fetched in the future is fetched over and replaced.
func TestIDVerifier_CorruptCacheIsReplaced(t *testing.T) {
	const fields = `"issuer":%q,"jwks_uri":%q`
	for name, content := range map[string]string{
		"not JSON":         `{not json`,
		"empty":            ``,
		"no keys":          `{` + fields + `,"fetched_at":"%s","jwks":{"keys":[]}}`,
		"unusable key":     `{` + fields + `,"fetched_at":"%s","jwks":{"keys":[{"kty":"EC","kid":"k"}]}}`,
		"fetched tomorrow": `{` + fields + `,"fetched_at":"%s","jwks":{"keys":[{"kty":"RSA","n":"AQAB","e":"AQAB"}]}}`,
	} {
		t.Run(name, func(t *testing.T) {
			h := newCacheHarness(t)
			h.verifyNew(t)
			file := h.cacheFile(t)
			at := time.Now()
			if name == "fetched tomorrow" {
				at = at.Add(24 * time.Hour)
			}
			if strings.Contains(content, "%") {
				content = fmt.Sprintf(content, h.base, h.base+JWKSPath, at.UTC().Format(time.RFC3339))
			}
			writeFile(t, file, []byte(content), 0o600)
			if n := h.verifyNew(t); n != 1 {
				t.Errorf("fetched the JWKS %d times with a corrupt cache, want 1", n)
			}
			if n := h.verifyNew(t); n != 0 {
				t.Errorf("fetched the JWKS %d times after replacing the corrupt cache, want 0", n)
			}
		})
	}
}

// Without a cache directory nothing is written anywhere.
func TestIDVerifier_NoCacheDirWritesNothing(t *testing.T) {
	h := newCacheHarness(t)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(t.TempDir(), "xdg"))
	t.Setenv("HOME", filepath.Join(t.TempDir(), "home"))
	tok := oidcLogin(t, h.c, "n")
	v := &IDVerifier{ClientID: h.c.ClientID, AuthURL: h.base}
	if _, err := v.Verify(t.Context(), tok.IDToken, "n", false); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{os.Getenv("XDG_CACHE_HOME"), os.Getenv("HOME"), h.dir} {
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%s exists (%v): a verifier without a cache directory wrote to disk", dir, err)
		}
	}
}

func setFetchedAt(t *testing.T, file string, at time.Time) {
	t.Helper()
	data, err := privfile.Read(file, maxJWKSBytes)
	if err != nil {
		t.Fatal(err)
	}
	var c cachedJWKS
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	c.FetchedAt = at
	data, _ = json.Marshal(c)
	if err := privfile.WriteAtomic(file, data); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, file string, data []byte, mode os.FileMode) {
	t.Helper()
	os.Remove(file)
	if err := os.WriteFile(file, data, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(file, mode); err != nil { // past the umask
		t.Fatal(err)
	}
}

// signRS256 makes a JWT signed with key, its header naming kid.
func signRS256(t *testing.T, key *rsa.PrivateKey, kid string, claims map[string]any) string {
	t.Helper()
	header, _ := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT", "kid": kid})
	payload, _ := json.Marshal(claims)
	input := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(payload)
	sum := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}
