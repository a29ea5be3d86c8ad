package emulator

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"sync"
	"time"
)

// signingKeyBits is the size of the ID-token signing keys (RS256).
const signingKeyBits = 2048

// signingKey is one RSA key of the emulator's JWKS.
type signingKey struct {
	kid     string
	priv    *rsa.PrivateKey
	created time.Time // when it started signing; rotation counts from here
}

// keyring holds the ID-token signing keys (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key:
// keys change).
//
// Keys are generated on first use rather than in New: an RSA 2048 key costs
// tens of milliseconds, and most Servers (every test of the plain OAuth flow)
// never mint an ID token. The first key still counts as created at New, so
// rotation runs on the same schedule either way.
type keyring struct {
	mu    sync.Mutex
	start time.Time     // New's time: the first key's birth
	every time.Duration // 0: no timed rotation
	keys  []*signingKey // oldest first; the last one signs; at most two
	stray *signingKey   // never published: IDTokenUnknownKid signs with it
}

func newKeyring(start time.Time, every time.Duration) *keyring {
	return &keyring{start: start, every: every}
}

// current returns the key that signs at now, rotating first if it is due.
func (k *keyring) current(now time.Time) *signingKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.catchUpLocked(now)
	return k.keys[len(k.keys)-1]
}

// published returns the keys the JWKS serves at now: the current one and
// the one it replaced, oldest first.
func (k *keyring) published(now time.Time) []*signingKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.catchUpLocked(now)
	return append([]*signingKey(nil), k.keys...)
}

// lookup returns the published key named kid at now, or nil.
func (k *keyring) lookup(kid string, now time.Time) *signingKey {
	for _, key := range k.published(now) {
		if key.kid == kid {
			return key
		}
	}
	return nil
}

// rotate makes a new key sign from now on, keeping the one it replaces
// published and dropping any older one. Timed rotation counts from now.
func (k *keyring) rotate(now time.Time) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.catchUpLocked(now)
	k.keys = []*signingKey{k.keys[len(k.keys)-1], newSigningKey(now)}
}

// unpublished returns a key that is not, and never will be, in the JWKS.
func (k *keyring) unpublished() *signingKey {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.stray == nil {
		k.stray = newSigningKey(time.Time{})
	}
	return k.stray
}

// catchUpLocked creates the first key if there is none yet, and applies the
// timed rotations due by now as if they had happened on schedule: after one
// rotation the previous key stays published; after two or more, the keys
// that would have been dropped on the way are gone, and only the new one is
// left. k.mu must be held.
func (k *keyring) catchUpLocked(now time.Time) {
	if len(k.keys) == 0 {
		born := k.start
		if k.every > 0 && now.Sub(born) >= k.every {
			// Skip the keys that would have come and gone unseen.
			born = born.Add(now.Sub(born) / k.every * k.every)
		}
		k.keys = []*signingKey{newSigningKey(born)}
		return
	}
	if k.every <= 0 {
		return
	}
	cur := k.keys[len(k.keys)-1]
	n := now.Sub(cur.created) / k.every
	switch {
	case n < 1:
	case n == 1:
		k.keys = []*signingKey{cur, newSigningKey(cur.created.Add(k.every))}
	default:
		k.keys = []*signingKey{newSigningKey(cur.created.Add(n * k.every))}
	}
}

// newSigningKey generates an RSA key whose kid is the first 15 bytes of its
// RFC 7638 thumbprint in hex: 30 characters, the length of Kakao's kids.
func newSigningKey(created time.Time) *signingKey {
	priv, err := rsa.GenerateKey(rand.Reader, signingKeyBits)
	if err != nil {
		panic("emulator: generate RSA key: " + err.Error()) // only on a broken system RNG
	}
	return &signingKey{kid: keyID(&priv.PublicKey), priv: priv, created: created}
}

// keyID is the kid of pub: the first 15 bytes of its RFC 7638 thumbprint
// in hex.
func keyID(pub *rsa.PublicKey) string {
	jwk := publicJWK(pub)
	// RFC 7638 §3.2: the required members only, in lexicographic order,
	// which is what encoding/json does with a map.
	canon, _ := json.Marshal(map[string]string{"e": jwk.E, "kty": jwk.Kty, "n": jwk.N})
	sum := sha256.Sum256(canon)
	return hex.EncodeToString(sum[:15])
}

// jwk is one entry of the JWKS (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key).
type jwk struct {
	Kid string `json:"kid"`
	Kty string `json:"kty"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// publicJWK renders pub as a JWK without a kid: n and e as unpadded
// base64url of their big-endian bytes (RFC 7518 §6.3.1).
func publicJWK(pub *rsa.PublicKey) jwk {
	return jwk{
		Kty: "RSA",
		Alg: "RS256",
		Use: "sig",
		N:   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		E:   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}
}

// RotateKey rotates the ID-token signing key now, whatever
// Config.KeyRotationInterval says: a new key with a new kid signs every ID
// token from now on, the JWKS serves it next to the key it replaced (so
// tokens signed just before still verify), and any older key is dropped.
// POST /_emulator/rotate-key does the same for another process.
func (s *Server) RotateKey() {
	s.keys.rotate(s.now())
}

// handleRotateKey serves POST /_emulator/rotate-key, the emulator's own:
// RotateKey, answering the new key's kid as {"kid": …}. With it, a test
// that runs `kakao-auth emulator` in another process can check that a
// client with cached keys fetches the JWKS again, once, for an ID token
// with an unknown kid (Stats.JWKSRequests counts the fetches).
func (s *Server) handleRotateKey(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodPost) {
		return
	}
	s.RotateKey()
	writeJSON(w, http.StatusOK, map[string]string{"kid": s.keys.current(s.now()).kid})
}
