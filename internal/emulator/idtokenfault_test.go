package emulator

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// faultCase is what one ID-token fault test sees.
type faultCase struct {
	e      *env
	raw    string // the id_token, "" if none
	j      jwt    // raw decoded, when there is one
	keys   map[string]*rsa.PublicKey
	claims map[string]any // the claims a correct token would have
}

// Each IDTokenFault produces exactly its defect and nothing else, on code
// exchange (nonce sent) and on refresh (Kakao's "토큰 갱신하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token:
// no nonce there), so the client's checks of Kakao's "ID 토큰 유효성 검증하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#oidc-id-token-verify
// (signature with the kid's key, RS256 only, iss, aud, exp, nonce) can each be
// caught failing.
func TestIDTokenFault_ProducesExactlyItsDefect(t *testing.T) {
	tests := []struct {
		fault IDTokenFault
		check func(t *testing.T, c faultCase)
	}{
		{IDTokenOK, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenBadSignature, func(t *testing.T, c faultCase) {
			sameClaims(t, c.claims, c.j.claims)
			if err := verifyRS256(c.j, c.keys); err == nil {
				t.Fatal("signature verifies, want it broken")
			}
			for i := range c.j.sig {
				c.j.sig[i] ^= 0xff
			}
			if err := verifyRS256(c.j, c.keys); err != nil {
				t.Errorf("signature with its bits flipped back: %v, want the real signature", err)
			}
		}},
		{IDTokenWrongAudience, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			aud, _ := c.j.claims["aud"].(string)
			if aud == "" || aud == DefaultClientID {
				t.Errorf("aud = %v, want another non-empty value", c.j.claims["aud"])
			}
			c.claims["aud"] = aud
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenWrongIssuer, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			iss, _ := c.j.claims["iss"].(string)
			if iss == c.e.url || !strings.HasPrefix(iss, c.e.url) {
				t.Errorf("iss = %q, want another issuer that starts with %q", iss, c.e.url)
			}
			c.claims["iss"] = iss
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenExpired, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			now := unix(c.e.clock.Now().Unix())
			exp, _ := c.j.claims["exp"].(float64)
			iat, _ := c.j.claims["iat"].(float64)
			if exp >= now-300 || iat >= exp {
				t.Errorf("iat %v, exp %v at %v: want exp well in the past and iat before it", iat, exp, now)
			}
			for _, k := range []string{"exp", "iat", "auth_time"} {
				c.claims[k] = c.j.claims[k]
			}
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenWrongNonce, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			nonce, _ := c.j.claims["nonce"].(string)
			if nonce == "" || nonce == c.claims["nonce"] {
				t.Errorf("nonce = %v, want another non-empty value", c.j.claims["nonce"])
			}
			c.claims["nonce"] = nonce
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenNoNonce, func(t *testing.T, c faultCase) {
			mustVerify(t, c)
			delete(c.claims, "nonce")
			sameClaims(t, c.claims, c.j.claims)
		}},
		{IDTokenUnknownKid, func(t *testing.T, c faultCase) {
			sameClaims(t, c.claims, c.j.claims)
			kid, _ := c.j.header["kid"].(string)
			if kid == "" || c.keys[kid] != nil || c.j.header["alg"] != "RS256" {
				t.Fatalf("header %v: want RS256 and a kid not in the JWKS", c.j.header)
			}
			stray := c.e.s.keys.unpublished()
			if err := verifyRS256(c.j, map[string]*rsa.PublicKey{kid: &stray.priv.PublicKey}); err != nil {
				t.Errorf("not signed by the unpublished key: %v", err)
			}
		}},
		{IDTokenAlgNone, func(t *testing.T, c faultCase) {
			sameClaims(t, c.claims, c.j.claims)
			if c.j.header["alg"] != "none" || len(c.j.sig) != 0 || !strings.HasSuffix(c.raw, ".") {
				t.Errorf("header %v, signature %d bytes: want alg none and an empty signature", c.j.header, len(c.j.sig))
			}
			if c.keys[c.j.header["kid"].(string)] == nil {
				t.Errorf("kid %v: want the current key's", c.j.header["kid"])
			}
		}},
		{IDTokenHS256, func(t *testing.T, c faultCase) {
			sameClaims(t, c.claims, c.j.claims)
			pub := c.keys[c.j.header["kid"].(string)]
			if c.j.header["alg"] != "HS256" || pub == nil {
				t.Fatalf("header %v: want HS256 and the current key's kid", c.j.header)
			}
			der, err := x509.MarshalPKIXPublicKey(pub)
			if err != nil {
				t.Fatal(err)
			}
			m := hmac.New(sha256.New, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
			m.Write([]byte(c.j.signingInput))
			if !hmac.Equal(m.Sum(nil), c.j.sig) {
				t.Error("signature is not HMAC-SHA256 keyed with the JWKS key's PEM")
			}
		}},
		{IDTokenOmitted, func(t *testing.T, c faultCase) {
			if c.raw != "" {
				t.Errorf("id_token %q, want none", c.raw)
			}
		}},
	}
	for _, tt := range tests {
		for _, grant := range []string{"code exchange", "refresh"} {
			t.Run(string(tt.fault)+" on "+grant, func(t *testing.T) {
				e := newEnv(t, Config{})
				code := e.login(t, "scope", "openid profile_nickname", "nonce", "n-1")
				c := faultCase{e: e, claims: map[string]any{
					"iss": e.url, "aud": DefaultClientID, "sub": "4000000001",
					"iat": unix(e.clock.Now().Unix()), "exp": unix(e.clock.Now().Unix() + 21600),
					"auth_time": unix(e.clock.Now().Unix()), "nickname": "Ryan", "picture": "https://example.com/emulator/ryan_110x110.jpg",
				}}
				form := e.codeForm(code)
				if grant == "refresh" {
					form = refreshForm(e.postToken(t, form).json(t)["refresh_token"].(string))
				} else {
					c.claims["nonce"] = "n-1"
				}
				e.s.SetIDTokenFault(tt.fault) // after the code: faults hit minting, not authorize
				r := e.postToken(t, form)
				tok := r.json(t)
				if r.status != http.StatusOK || tok["access_token"] == nil {
					t.Fatalf("%s: %d %s, want tokens", grant, r.status, r.body)
				}
				c.raw, _ = tok["id_token"].(string)
				if c.raw != "" {
					c.j = parseJWT(t, c.raw)
				} else if tt.fault != IDTokenOmitted {
					t.Fatalf("no id_token in %v", tok)
				}
				c.keys = e.jwks(t)
				tt.check(t, c)
			})
		}
	}
}

// mustVerify fails unless the token verifies with the JWKS.
func mustVerify(t *testing.T, c faultCase) {
	t.Helper()
	if err := verifyRS256(c.j, c.keys); err != nil {
		t.Errorf("verify with JWKS: %v, want a valid signature", err)
	}
}

// sameClaims compares the claims with what a correct token would carry.
func sameClaims(t *testing.T, want, got map[string]any) {
	t.Helper()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claims mismatch (-want +got):\n%s", diff)
	}
}

// A fault holds until cleared, and tokens minted before it are untouched.
func TestIDTokenFault_AppliesUntilCleared(t *testing.T) {
	e := newEnv(t, Config{})
	_, before := e.idToken(t, "scope", "openid")
	e.s.SetIDTokenFault(IDTokenAlgNone)
	for range 2 {
		if _, j := e.idToken(t, "scope", "openid"); j.header["alg"] != "none" {
			t.Errorf("alg = %v under IDTokenAlgNone", j.header["alg"])
		}
	}
	e.s.SetIDTokenFault(IDTokenOK)
	_, after := e.idToken(t, "scope", "openid")
	keys := e.jwks(t)
	for name, j := range map[string]jwt{"before": before, "after": after} {
		if err := verifyRS256(j, keys); err != nil {
			t.Errorf("token %s the fault: %v", name, err)
		}
	}
}

func TestParseIDTokenFault(t *testing.T) {
	for _, f := range append([]IDTokenFault{IDTokenOK}, idTokenFaults...) {
		got, err := ParseIDTokenFault(string(f))
		if err != nil || got != f {
			t.Errorf("ParseIDTokenFault(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseIDTokenFault("wrong-kid"); err == nil || !strings.Contains(err.Error(), "unknown-kid") {
		t.Errorf(`ParseIDTokenFault("wrong-kid") error = %v, want one naming the known faults`, err)
	}
}
