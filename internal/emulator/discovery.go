package emulator

import "net/http"

// discovery is the OpenID Provider metadata, field for field Kakao's
// (Kakao's discovery document, https://kauth.kakao.com/.well-known/openid-configuration).
type discovery struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
}

// handleDiscovery serves GET /.well-known/openid-configuration. Every
// endpoint is on the emulator's own base URL (Config.PublicURL, or the
// request's), kapi's userinfo included, whatever Config.Issuer says; issuer
// is the iss of its ID tokens.
func (s *Server) handleDiscovery(w http.ResponseWriter, r *http.Request) {
	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	base := s.publicBase(r)
	writeJSON(w, http.StatusOK, discovery{
		Issuer:                            s.issuerFor(r),
		AuthorizationEndpoint:             base + "/oauth/authorize",
		TokenEndpoint:                     base + "/oauth/token",
		UserinfoEndpoint:                  base + "/v1/oidc/userinfo",
		JWKSURI:                           base + "/.well-known/jwks.json",
		TokenEndpointAuthMethodsSupported: []string{"client_secret_post"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		RequestURIParameterSupported:      false,
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token"},
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported:                   []string{"iss", "aud", "sub", "auth_time", "exp", "iat", "nonce", "nickname", "picture", "email"},
	})
}

// handleJWKS serves GET /.well-known/jwks.json: the signing key and, after a
// rotation, the key it replaced (Kakao's "공개키 목록 조회하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#oidc-find-public-key).
// Every request counts in Stats.JWKSRequests, so a test can tell whether a
// client caches the keys.
func (s *Server) handleJWKS(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.JWKSRequests++
	s.mu.Unlock()
	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	keys := []jwk{}
	for _, k := range s.keys.published(s.now()) {
		j := publicJWK(&k.priv.PublicKey)
		j.Kid = k.kid
		keys = append(keys, j)
	}
	writeJSON(w, http.StatusOK, map[string][]jwk{"keys": keys})
}

// issuerFor is the issuer for requests like r: Config.Issuer, or else the
// emulator's public base URL.
func (s *Server) issuerFor(r *http.Request) string {
	if s.issuer != "" {
		return s.issuer
	}
	return s.publicBase(r)
}

// publicBase is the emulator's base URL for clients: Config.PublicURL, or
// else the one r reached it at.
func (s *Server) publicBase(r *http.Request) string {
	if s.publicURL != "" {
		return s.publicURL
	}
	return baseURL(r)
}

// baseURL is the scheme and host r was sent to, such as
// "http://127.0.0.1:9339". Forwarding headers are not trusted: the emulator
// is meant to be reached directly on loopback.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
