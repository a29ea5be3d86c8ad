package emulator

import (
	"fmt"
	"slices"
)

// IDTokenFault is a defect the emulator builds into the ID tokens it mints,
// so the client's ID-token verification is tested against tokens from the
// same emulator as its happy path, not against a second, hand-made fake.
type IDTokenFault string

// The ID-token faults. Each applies to every ID token minted after
// SetIDTokenFault, on code exchange and on refresh, until it is changed.
// Everything not named stays correct: a token with the wrong audience is
// still signed with the current published key, and so on.
const (
	// IDTokenOK clears the fault: ID tokens are correct.
	IDTokenOK IDTokenFault = ""
	// IDTokenBadSignature flips every bit of the RS256 signature.
	IDTokenBadSignature IDTokenFault = "bad-signature"
	// IDTokenWrongAudience sets aud to a value that is not the client_id.
	IDTokenWrongAudience IDTokenFault = "wrong-audience"
	// IDTokenWrongIssuer sets iss to the issuer with ".invalid" appended, so
	// a prefix comparison is caught too.
	IDTokenWrongIssuer IDTokenFault = "wrong-issuer"
	// IDTokenExpired sets exp an hour in the past (beyond any sane clock
	// skew allowance) and iat one token lifetime before that.
	IDTokenExpired IDTokenFault = "expired"
	// IDTokenWrongNonce sets nonce to a random value other than the one
	// sent at authorize; on refresh, where Kakao sends no nonce, it adds one.
	IDTokenWrongNonce IDTokenFault = "wrong-nonce"
	// IDTokenNoNonce leaves nonce out although authorize sent one.
	IDTokenNoNonce IDTokenFault = "no-nonce"
	// IDTokenUnknownKid signs with a key the JWKS never publishes, under
	// that key's own kid.
	IDTokenUnknownKid IDTokenFault = "unknown-kid"
	// IDTokenAlgNone sets the header's alg to "none" and the signature to
	// nothing (the kid of the current key stays in the header).
	IDTokenAlgNone IDTokenFault = "alg-none"
	// IDTokenHS256 sets alg to HS256 and signs with HMAC-SHA256 keyed with
	// the current public key in PEM (PKIX, "PUBLIC KEY") form: the classic
	// algorithm-confusion attack on a verifier that lets the header pick
	// the algorithm for the key the kid names.
	IDTokenHS256 IDTokenFault = "hs256"
	// IDTokenOmitted leaves id_token out of the token response although
	// openid was requested (and, on refresh, the grant had an ID token).
	IDTokenOmitted IDTokenFault = "omitted"
)

// idTokenFaults lists every fault but IDTokenOK, for ParseIDTokenFault.
var idTokenFaults = []IDTokenFault{
	IDTokenBadSignature, IDTokenWrongAudience, IDTokenWrongIssuer, IDTokenExpired,
	IDTokenWrongNonce, IDTokenNoNonce, IDTokenUnknownKid, IDTokenAlgNone, IDTokenHS256, IDTokenOmitted,
}

// IDTokenFaults lists every ID-token fault but IDTokenOK, for help texts
// and completion.
func IDTokenFaults() []IDTokenFault { return slices.Clone(idTokenFaults) }

// ParseIDTokenFault returns the IDTokenFault named s ("" is IDTokenOK), or
// an error naming the known ones, so a CLI flag can be checked before the
// emulator starts.
func ParseIDTokenFault(s string) (IDTokenFault, error) {
	if s == "" {
		return IDTokenOK, nil
	}
	for _, f := range idTokenFaults {
		if string(f) == s {
			return f, nil
		}
	}
	return IDTokenOK, fmt.Errorf("unknown ID token fault %q (known: %q)", s, idTokenFaults)
}

// SetIDTokenFault builds f into every ID token minted from now on;
// IDTokenOK clears it. An unknown fault mints correct tokens.
func (s *Server) SetIDTokenFault(f IDTokenFault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idFault = f
}
