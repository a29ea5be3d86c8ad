package kakao

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// KeyCacheTTL is how long signing keys cached on disk are used without asking
// the auth server again. Kakao asks clients to cache its JWKS and may block
// very frequent fetching (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key),
// and a key it starts using is found anyway (an unknown kid fetches the keys
// once more), so the time-to-live only bounds how long a key Kakao withdrew,
// after an incident say, is still trusted here: a day, about one fetch a day
// per auth server for a tool that refreshes every few hours.
const KeyCacheTTL = 24 * time.Hour

// maxJWKSBytes bounds a JWKS answer and a cache file: Kakao's holds a
// handful of RSA keys, a few kilobytes.
const maxJWKSBytes = 1 << 20

// keySet is an auth server's ID-token signing keys, its JWKS: fetched when
// first needed, kept for the verifier's life, and, given a cache
// directory, on disk between runs for KeyCacheTTL. A token signed with a
// kid the keys lack fetches them once more (Kakao rotates keys); if the
// kid is still unknown, the token is refused. A cache file that is
// corrupt, for another issuer, stale, or not private to this user (see
// privfile) is never used: the keys are fetched instead, and the file
// replaced when it can be.
//
// It is an oidc.KeySet, so go-oidc checks the claims and this checks the
// signature with the key the token's kid names.
type keySet struct {
	issuer string
	url    string // the JWKS
	dir    string // the cache directory; "" keeps the keys in memory only
	client *http.Client
	now    func() time.Time

	mu        sync.Mutex
	keys      []jwksKey
	fetchedAt time.Time // when keys were fetched, by any run; zero: none yet
}

var _ oidc.KeySet = (*keySet)(nil)

// jwksKey is one usable key of a JWKS.
type jwksKey struct {
	kid string
	pub *rsa.PublicKey
}

// cachedJWKS is the cache file: the JWKS as the auth server sent it, with
// whose it is and when it was fetched.
type cachedJWKS struct {
	Issuer    string          `json:"issuer"`
	URL       string          `json:"jwks_uri"`
	FetchedAt time.Time       `json:"fetched_at"`
	JWKS      json.RawMessage `json:"jwks"`
}

// VerifySignature checks jwt's signature with the key its kid names (every
// key, for a token without a kid) and returns its payload.
func (k *keySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	kid, err := jwtKeyID(jwt)
	if err != nil {
		return nil, err
	}
	pubs, err := k.keysFor(ctx, kid)
	if err != nil {
		return nil, err
	}
	return (&oidc.StaticKeySet{PublicKeys: pubs}).VerifySignature(ctx, jwt)
}

// keysFor returns the keys that may have signed a token with kid: the one
// with that kid, or every key when kid is "".
func (k *keySet) keysFor(ctx context.Context, kid string) ([]crypto.PublicKey, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	fetched := false
	if k.keys == nil && !k.loadLocked() {
		if err := k.fetchLocked(ctx); err != nil {
			return nil, err
		}
		fetched = true
	}
	pubs := k.matchLocked(kid)
	if len(pubs) == 0 && !fetched {
		// A new key, most likely: another run may have fetched it
		// already; otherwise ask the auth server, once.
		if !k.loadNewerLocked() || len(k.matchLocked(kid)) == 0 {
			if err := k.fetchLocked(ctx); err != nil {
				return nil, err
			}
		}
		pubs = k.matchLocked(kid)
	}
	if len(pubs) == 0 {
		return nil, fmt.Errorf("verify signature: the auth server publishes no signing key with kid %q", kid)
	}
	return pubs, nil
}

func (k *keySet) matchLocked(kid string) []crypto.PublicKey {
	var pubs []crypto.PublicKey
	for _, key := range k.keys {
		if kid == "" || key.kid == kid {
			pubs = append(pubs, key.pub)
		}
	}
	return pubs
}

// cacheFile is where the keys of k's issuer are cached: one file per
// issuer, named by a hash of it.
func (k *keySet) cacheFile() string {
	sum := sha256.Sum256([]byte(k.issuer))
	return filepath.Join(k.dir, hex.EncodeToString(sum[:16])+".json")
}

// loadLocked takes the keys from the cache file when it can be trusted and
// they were fetched less than KeyCacheTTL ago. It reports whether it did.
func (k *keySet) loadLocked() bool {
	c, keys, ok := k.readCache()
	if !ok {
		return false
	}
	if now := k.now(); now.Sub(c.FetchedAt) >= KeyCacheTTL || c.FetchedAt.After(now.Add(ClockSkew)) {
		return false
	}
	k.keys, k.fetchedAt = keys, c.FetchedAt
	return true
}

// loadNewerLocked takes the keys from the cache file when another run
// fetched them after k's were.
func (k *keySet) loadNewerLocked() bool {
	c, keys, ok := k.readCache()
	if !ok || !c.FetchedAt.After(k.fetchedAt) || c.FetchedAt.After(k.now().Add(ClockSkew)) {
		return false
	}
	k.keys, k.fetchedAt = keys, c.FetchedAt
	return true
}

// readCache reads and checks the cache file. Anything wrong with it means
// no cache: it is never trusted, only replaced by the next fetch.
func (k *keySet) readCache() (*cachedJWKS, []jwksKey, bool) {
	if k.dir == "" {
		return nil, nil, false
	}
	if _, err := privfile.CheckDir(k.dir); err != nil {
		return nil, nil, false
	}
	data, err := privfile.Read(k.cacheFile(), maxJWKSBytes)
	if err != nil {
		return nil, nil, false
	}
	var c cachedJWKS
	if json.Unmarshal(data, &c) != nil || c.Issuer != k.issuer || c.URL != k.url || c.FetchedAt.IsZero() {
		return nil, nil, false
	}
	keys, err := parseJWKS(c.JWKS)
	if err != nil {
		return nil, nil, false
	}
	return &c, keys, true
}

// fetchLocked gets the JWKS from the auth server and caches it.
func (k *keySet) fetchLocked(ctx context.Context) error {
	body, err := k.get(ctx)
	if err != nil {
		return fmt.Errorf("fetching keys: %w", err)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return fmt.Errorf("fetching keys: %w", err)
	}
	k.keys, k.fetchedAt = keys, k.now()
	k.saveLocked(body)
	return nil
}

func (k *keySet) get(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := k.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if len(body) > maxJWKSBytes {
		return nil, errors.New("the answer is too large")
	}
	return body, nil
}

// saveLocked writes the cache file. A cache that cannot be written (a
// directory that is not private, a link where the file goes, a full disk)
// only costs a fetch next time.
func (k *keySet) saveLocked(jwks []byte) {
	if k.dir == "" {
		return
	}
	data, err := json.Marshal(cachedJWKS{Issuer: k.issuer, URL: k.url, FetchedAt: k.fetchedAt.UTC(), JWKS: jwks})
	if err != nil {
		return
	}
	if privfile.EnsureDir(k.dir) != nil {
		return
	}
	_ = privfile.WriteAtomic(k.cacheFile(), data)
}

// parseJWKS returns the RSA signing keys of a JWKS (RFC 7517), the kind Kakao
// publishes (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key);
// it refuses one with none.
func parseJWKS(data []byte) ([]jwksKey, error) {
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			Alg string `json:"alg"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(data, &set); err != nil {
		return nil, errors.New("the JWKS is not valid JSON")
	}
	var keys []jwksKey
	for _, j := range set.Keys {
		if j.Kty != "RSA" || (j.Use != "" && j.Use != "sig") || (j.Alg != "" && j.Alg != oidc.RS256) {
			continue
		}
		n, errN := base64.RawURLEncoding.DecodeString(j.N)
		e, errE := base64.RawURLEncoding.DecodeString(j.E)
		if errN != nil || errE != nil || len(n) == 0 || len(e) == 0 || len(e) > 4 {
			continue
		}
		exp := new(big.Int).SetBytes(e)
		if !exp.IsInt64() || exp.Int64() < 3 {
			continue
		}
		keys = append(keys, jwksKey{kid: j.Kid, pub: &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}})
	}
	if len(keys) == 0 {
		return nil, errors.New("the JWKS holds no RS256 signing key")
	}
	return keys, nil
}

// jwtKeyID returns the kid in jwt's header ("" when it has none).
func jwtKeyID(jwt string) (string, error) {
	header, _, ok := strings.Cut(jwt, ".")
	if !ok {
		return "", errors.New("malformed jwt")
	}
	raw, err := base64.RawURLEncoding.DecodeString(header)
	if err != nil {
		return "", errors.New("malformed jwt: its header is not base64url")
	}
	var h struct {
		Kid string `json:"kid"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return "", errors.New("malformed jwt: its header is not JSON")
	}
	return h.Kid, nil
}
