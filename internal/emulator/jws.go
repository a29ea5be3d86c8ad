package emulator

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strings"
	"time"
)

// The emulator mints its ID tokens by hand with the standard library: a compact
// JWS (RFC 7515 §7.1) is three unpadded base64url segments, and only RS256
// (RSASSA-PKCS1-v1_5 with SHA-256, RFC 7518 §3.3) is ever signed for real
// (id_token_signing_alg_values_supported in Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration).

// jwsHeader is the protected header of an ID token.
type jwsHeader struct {
	Alg string `json:"alg"`
	Kid string `json:"kid,omitempty"`
	Typ string `json:"typ"`
}

// b64 is the JWS encoding: base64url without padding.
var b64 = base64.RawURLEncoding

// compactJWS encodes header and payload and appends the signature that sign
// computes over "header.payload".
func compactJWS(header jwsHeader, payload any, sign func(input []byte) []byte) string {
	input := encodeSegment(header) + "." + encodeSegment(payload)
	return input + "." + b64.EncodeToString(sign([]byte(input)))
}

func encodeSegment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic("emulator: encode JWS segment: " + err.Error()) // only plain structs are encoded
	}
	return b64.EncodeToString(b)
}

// signRS256 returns an RS256 signer for key.
func signRS256(key *rsa.PrivateKey) func([]byte) []byte {
	return func(input []byte) []byte {
		sum := sha256.Sum256(input)
		sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, sum[:])
		if err != nil {
			panic("emulator: sign ID token: " + err.Error()) // a 2048-bit key fits SHA-256
		}
		return sig
	}
}

// verifyIDToken checks token the way /oauth/tokeninfo does: a compact JWS,
// alg RS256, a kid the JWKS publishes at now, a valid signature and an exp
// still ahead. It returns the payload, or why the token is refused.
func (s *Server) verifyIDToken(token string, now time.Time) (payload []byte, problem string) {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, "id_token is not a compact JWS"
	}
	var h jwsHeader
	if b, err := b64.DecodeString(parts[0]); err != nil || json.Unmarshal(b, &h) != nil {
		return nil, "malformed id_token header"
	}
	if h.Alg != "RS256" {
		return nil, "unsupported alg: only RS256 is accepted"
	}
	key := s.keys.lookup(h.Kid, now)
	if key == nil {
		return nil, "unknown kid"
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return nil, "malformed id_token signature"
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(&key.priv.PublicKey, crypto.SHA256, sum[:], sig) != nil {
		return nil, "invalid signature"
	}
	payload, err = b64.DecodeString(parts[1])
	var claims struct {
		Exp *int64 `json:"exp"`
	}
	if err != nil || json.Unmarshal(payload, &claims) != nil || claims.Exp == nil {
		return nil, "malformed id_token payload"
	}
	if !now.Before(time.Unix(*claims.Exp, 0)) {
		return nil, "id_token expired"
	}
	return payload, ""
}
