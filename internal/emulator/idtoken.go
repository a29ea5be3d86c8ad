package emulator

import (
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"strconv"
	"strings"
	"time"
)

// idTokenRequest is what one ID token is minted from: the grant's parts
// that outlive the code, and the request that asks for the token.
type idTokenRequest struct {
	issuer   string
	clientID string
	userID   int64
	scopes   []string  // the grant's scopes, deciding the profile claims
	authTime time.Time // when the user agreed, kept for the grant's life
	nonce    string    // "" on refresh: Kakao repeats no nonce there
	now      time.Time
}

// idClaims is an ID token's payload (Kakao's "ID 토큰 유효성 검증하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#oidc-id-token-verify).
type idClaims struct {
	Iss      string `json:"iss"`
	Aud      string `json:"aud"`
	Sub      string `json:"sub"`
	Iat      int64  `json:"iat"`
	Exp      int64  `json:"exp"`
	AuthTime int64  `json:"auth_time"`
	Nonce    string `json:"nonce,omitempty"`
	Nickname string `json:"nickname,omitempty"`
	Picture  string `json:"picture,omitempty"`
	Email    string `json:"email,omitempty"`
}

// profileClaims are the user claims scopes allow, shared by ID tokens and
// /v1/oidc/userinfo. Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token
// names nickname and picture without tying them to consent items; the emulator
// reads them as the profile, as /v2/user/me does: both with profile_nickname or
// profile, and picture alone with profile_image. email needs account_email and
// an address.
type profileClaims struct {
	Nickname string
	Picture  string
	Email    string
}

func userClaims(u User, scopes []string) profileClaims {
	var p profileClaims
	if hasAnyScope(scopes, "profile_nickname", "profile") {
		p.Nickname = u.Nickname
	}
	if hasAnyScope(scopes, "profile_nickname", "profile", "profile_image") {
		p.Picture = u.ProfileImageURL
	}
	if hasAnyScope(scopes, "account_email") {
		p.Email = u.Email
	}
	return p
}

// mintIDToken returns the ID token for req, with the current IDTokenFault
// built in; "" under IDTokenOmitted. It signs outside s.mu: RSA takes a
// while, and the first call generates the key.
func (s *Server) mintIDToken(req *idTokenRequest) string {
	s.mu.Lock()
	fault := s.idFault
	s.mu.Unlock()
	if fault == IDTokenOmitted {
		return ""
	}

	u, _ := s.userByID(req.userID)
	p := userClaims(u, req.scopes)
	if p.Picture != "" {
		// Kakao's ID tokens carry the 110×110 thumbnail (captured
		// payloads; https://developers.kakao.com/docs/latest/ko/kakaologin/common#oidc
		// names picture without a size).
		p.Picture = thumbnailURL(u.ProfileImageURL)
	}
	ttl := s.idTokenTTL()
	c := idClaims{
		Iss:      req.issuer,
		Aud:      req.clientID,
		Sub:      strconv.FormatInt(req.userID, 10),
		Iat:      req.now.Unix(),
		Exp:      req.now.Add(ttl).Unix(),
		AuthTime: req.authTime.Unix(),
		Nonce:    req.nonce,
		Nickname: p.Nickname,
		Picture:  p.Picture,
		Email:    p.Email,
	}
	key := s.keys.current(req.now)
	h := jwsHeader{Alg: "RS256", Kid: key.kid, Typ: "JWT"}
	sign := signRS256(key.priv)

	switch fault {
	case IDTokenBadSignature:
		good := sign
		sign = func(input []byte) []byte {
			sig := good(input)
			for i := range sig {
				sig[i] ^= 0xff
			}
			return sig
		}
	case IDTokenWrongAudience:
		c.Aud = "not-" + req.clientID
	case IDTokenWrongIssuer:
		c.Iss = req.issuer + ".invalid"
	case IDTokenExpired:
		exp := req.now.Add(-time.Hour)
		c.Exp = exp.Unix()
		c.Iat = exp.Add(-ttl).Unix()
		c.AuthTime = min(c.AuthTime, c.Iat)
	case IDTokenWrongNonce:
		c.Nonce = newSecret("emu_wrong_nonce_")
	case IDTokenNoNonce:
		c.Nonce = ""
	case IDTokenUnknownKid:
		stray := s.keys.unpublished()
		h.Kid = stray.kid
		sign = signRS256(stray.priv)
	case IDTokenAlgNone:
		h.Alg = "none"
		sign = func([]byte) []byte { return nil }
	case IDTokenHS256:
		h.Alg = "HS256"
		secret := publicKeyPEM(&key.priv.PublicKey)
		sign = func(input []byte) []byte {
			m := hmac.New(sha256.New, secret)
			m.Write(input)
			return m.Sum(nil)
		}
	}
	tok := compactJWS(h, c, sign)

	s.mu.Lock()
	s.stats.IDTokensIssued++
	s.mu.Unlock()
	return tok
}

// idTokenTTL is an ID token's exp − iat: the access token's lifetime,
// which Kakao states whole in ID tokens (21600 for a REST login, 43200
// for 12 hours) and a second short in expires_in (21599, 43199), as
// captured REST logins show; https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api
// (OpenID Connect) gives the two one lifetime.
func (s *Server) idTokenTTL() time.Duration {
	return s.accessTTL + time.Second
}

// thumbnailURL is the 110×110 thumbnail of a profile image, as Kakao's CDN
// names it next to the 640×640 one (…/img_640x640.jpg, …/img_110x110.jpg);
// an image not named that way is its own thumbnail.
func thumbnailURL(profileImage string) string {
	return strings.Replace(profileImage, "640x640", "110x110", 1)
}

// publicKeyPEM is pub as a PEM "PUBLIC KEY" block (PKIX, SubjectPublicKeyInfo).
func publicKeyPEM(pub *rsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic("emulator: marshal public key: " + err.Error()) // never for an RSA key
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}
