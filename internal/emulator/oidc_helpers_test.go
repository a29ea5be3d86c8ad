package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strings"
	"testing"
)

// The tests decode and verify ID tokens here with the standard library, as
// a client would, independently of jws.go: a bug in the emulator's encoding
// must not be mirrored by its own decoder.

// jwt is a decoded compact JWS.
type jwt struct {
	header       map[string]any
	claims       map[string]any
	signingInput string
	sig          []byte
}

// parseJWT splits and decodes tok, failing the test on a malformed token.
func parseJWT(t *testing.T, tok string) jwt {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("ID token %q has %d segments, want 3", tok, len(parts))
	}
	var j jwt
	for i, dst := range []*map[string]any{&j.header, &j.claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d is not unpadded base64url: %v", i, err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatalf("segment %d is not a JSON object: %v", i, err)
		}
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatalf("signature is not unpadded base64url: %v", err)
	}
	j.signingInput, j.sig = parts[0]+"."+parts[1], sig
	return j
}

// jwks fetches the emulator's JWKS as kid → public key.
func (e *env) jwks(t *testing.T) map[string]*rsa.PublicKey {
	t.Helper()
	r := get(t, e.url+"/.well-known/jwks.json")
	if r.status != http.StatusOK {
		t.Fatalf("GET jwks: %d %s", r.status, r.body)
	}
	var set struct {
		Keys []struct{ Kid, Kty, N, E string }
	}
	if err := json.Unmarshal([]byte(r.body), &set); err != nil {
		t.Fatalf("decode JWKS %s: %v", r.body, err)
	}
	keys := map[string]*rsa.PublicKey{}
	for _, k := range set.Keys {
		n, err1 := base64.RawURLEncoding.DecodeString(k.N)
		ex, err2 := base64.RawURLEncoding.DecodeString(k.E)
		if err1 != nil || err2 != nil || k.Kty != "RSA" {
			t.Fatalf("JWK %+v: want RSA with unpadded base64url n and e", k)
		}
		keys[k.Kid] = &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(ex).Int64())}
	}
	return keys
}

// verifyRS256 checks j as a client must: alg RS256, a kid in keys, and a
// valid RSASSA-PKCS1-v1_5 SHA-256 signature.
func verifyRS256(j jwt, keys map[string]*rsa.PublicKey) error {
	if j.header["alg"] != "RS256" {
		return fmt.Errorf("alg = %v, want RS256", j.header["alg"])
	}
	kid, _ := j.header["kid"].(string)
	key := keys[kid]
	if key == nil {
		return fmt.Errorf("kid %q is not in the JWKS", kid)
	}
	sum := sha256.Sum256([]byte(j.signingInput))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, sum[:], j.sig); err != nil {
		return errors.New("signature does not verify")
	}
	return nil
}

// idToken logs in with kv, exchanges the code and returns the whole token
// response and its decoded id_token (failing when there is none).
func (e *env) idToken(t *testing.T, kv ...string) (map[string]any, jwt) {
	t.Helper()
	tok := e.tokens(t, kv...)
	raw, _ := tok["id_token"].(string)
	if raw == "" {
		t.Fatalf("token response %v has no id_token", tok)
	}
	return tok, parseJWT(t, raw)
}

// unix is a time claim as encoding/json decodes it into any.
func unix(sec int64) float64 { return float64(sec) }
