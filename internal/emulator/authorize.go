package emulator

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// maxFormBytes bounds every form body the emulator reads.
const maxFormBytes = 64 << 10

// handleAuthorize serves GET /oauth/authorize (Kakao's "인가 코드 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code).
// Configuration errors get the emulator's own error page and never a redirect,
// since the redirect URI is not yet trusted: client_id (KOE101), then
// redirect_uri (KOE006), then response_type (KOE202/KOE201), then scope
// (KOE205), then PKCE. Only after that are errors redirected to the app.
func (s *Server) handleAuthorize(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.stats.AuthorizeRequests++
	s.mu.Unlock()

	if !allowOnly(w, r, http.MethodGet) {
		return
	}
	q := r.URL.Query()
	clientID, redirectURI := q.Get("client_id"), q.Get("redirect_uri")

	if !s.knownClient(w, clientID) {
		return
	}
	s.mu.Lock()
	knownURI := s.redirectURIs[redirectURI]
	s.mu.Unlock()
	if !knownURI {
		writeErrorPage(w, errorPage{Code: "KOE006", Message: "redirect_uri is not registered: " + redirectURI,
			Hint: "Register it under [앱] > [플랫폼 키] > [REST API 키] > 리다이렉트 URI, or use a registered value; it must match exactly, including port, path and trailing slash."})
		return
	}
	switch q.Get("response_type") {
	case "code":
	case "token":
		writeErrorPage(w, errorPage{Code: "KOE202", Message: "Implicit grant (response_type=token) is not allowed.",
			Hint: "Use response_type=code."})
		return
	default:
		writeErrorPage(w, errorPage{Code: "KOE201", Message: "Unsupported response type.",
			Hint: "Use response_type=code."})
		return
	}
	scopes, bad := s.requestedScopes(q.Get("scope"))
	if len(bad) > 0 {
		writeErrorPage(w, scopeErrorPage(bad))
		return
	}
	challenge, msg := parsePKCE(q)
	if msg != "" {
		// Kakao's KOE code for a bad PKCE request is unknown, so the page shows none.
		writeErrorPage(w, errorPage{Message: msg,
			Hint: "Send code_challenge=BASE64URL(SHA-256(code_verifier)) with code_challenge_method=S256."})
		return
	}

	req := &authRequest{
		clientID:    clientID,
		redirectURI: redirectURI,
		state:       q.Get("state"),
		nonce:       q.Get("nonce"),
		challenge:   challenge,
		scopes:      scopes,
	}
	prompts, ok := parsePrompt(q.Get("prompt"))
	if !ok {
		redirect(w, redirectURI, "error", "invalid_request", "error_description", "invalid prompt value.", "state", req.state)
		return
	}
	if s.answerAuthorize(w, req) {
		return
	}
	// service_terms is accepted and ignored: the emulator has no Kakao Sync
	// terms. login_hint picks among several users (accountFor).
	active, preselect, missedHint := s.accountFor(r, q.Get("login_hint"))

	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.sweepLocked(now)
	consented := active != nil && s.consentedLocked(*active, req)
	switch {
	case slices.Contains(prompts, "none"):
		// prompt=none allows no UI, and consent and the account picker are UI,
		// so AutoApprove does not help here (Kakao's "인가 코드 받기",
		// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
		// its redirect table).
		if active == nil {
			redirect(w, redirectURI, "error", "login_required", "error_description", "user authentication required.", "state", req.state)
			return
		}
		if !consented {
			redirect(w, redirectURI, "error", "consent_required", "error_description", "user consent required.", "state", req.state)
			return
		}
		s.agreeLocked(w, req, *active)
	case s.multiUser() && slices.Contains(prompts, "select_account"):
		s.showConsentLocked(w, req, preselect, missedHint, now)
	case s.autoApprove && preselect != nil:
		// AutoApprove presses Agree on the page as it would be shown.
		s.agreeLocked(w, req, *preselect)
	case consented && len(prompts) == 0:
		s.agreeLocked(w, req, *active)
	default:
		s.showConsentLocked(w, req, preselect, missedHint, now)
	}
}

// accountFor works out who authorize request r is for. active is the
// account signed in for it: the only one (unless the browser logged out),
// or, with several, the one the browser's session names, unless
// login_hint names another. preselect is
// the account the picker starts on: the active one, else the one login_hint
// names, else (no hint) the first. A hint naming nobody is returned in
// missedHint, and then nothing is preselected: a test that mistyped an
// email should not get the first user's tokens without noticing.
func (s *Server) accountFor(r *http.Request, hint string) (active, preselect *User, missedHint string) {
	if u, ok := s.signedInUser(r); ok {
		active = &u
	}
	if !s.multiUser() {
		// The only account is the one to preselect, signed in or not.
		return active, &s.users[0], ""
	}
	if hint != "" {
		h, ok := s.userByHint(hint)
		if !ok {
			return nil, nil, hint
		}
		if active == nil || active.ID != h.ID {
			active = nil
		}
		return active, &h, ""
	}
	if active != nil {
		return active, active, ""
	}
	return nil, &s.users[0], ""
}

// consentedLocked reports whether u's link to req's client covers what u
// would grant of req's scopes. openid is not a consent item (it stands for
// OpenID Connect being on), so asking for it needs no new consent. s.mu
// must be held.
func (s *Server) consentedLocked(u User, req *authRequest) bool {
	l := s.links[linkKey{u.ID, req.clientID}]
	want := slices.DeleteFunc(slices.Clone(grantable(u, req.scopes)), func(sc string) bool { return sc == "openid" })
	return l != nil && coversScopes(l.scopes, want)
}

// scopeErrorPage is KOE205: consent items the app has not set up, worded like
// Kakao's "Invalid scope: openid" (Kakao's "추가 항목 동의 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent;
// the KOE205 "Invalid scope: openid" of
// https://github.com/nextauthjs/next-auth/pull/3501).
func scopeErrorPage(notEnabled []string) errorPage {
	p := errorPage{Code: "KOE205", Message: "Invalid scope: " + strings.Join(notEnabled, ", "),
		Hint: "Set up these consent items for the app in the Kakao Developers console, or drop them from scope."}
	if slices.Contains(notEnabled, "openid") {
		p.Hint = "openid needs OpenID Connect ON ([카카오 로그인] > [OpenID Connect]); other items must be set up as consent items. Or drop them from scope."
	}
	return p
}

// parsePKCE validates code_challenge and code_challenge_method and returns the
// challenge, or a message for the error page. Only S256 is advertised
// (code_challenge_methods_supported in Kakao's discovery document,
// https://kauth.kakao.com/.well-known/openid-configuration). Strict reading of
// the gaps: a challenge without a method means "plain" (RFC 7636 §4.3), which
// is unsupported, so it is refused; a method without a challenge is refused
// too.
func parsePKCE(q url.Values) (challenge, msg string) {
	challenge, method := q.Get("code_challenge"), q.Get("code_challenge_method")
	switch {
	case challenge == "" && method == "":
		return "", ""
	case challenge == "":
		return "", "code_challenge_method was sent without code_challenge."
	case method == "":
		return "", "code_challenge was sent without code_challenge_method; the default, plain, is not supported."
	case method != "S256":
		return "", "Unsupported code_challenge_method; only S256 is supported."
	}
	if b, err := base64.RawURLEncoding.DecodeString(challenge); err != nil || len(b) != 32 {
		return "", "Malformed code_challenge: it must be the unpadded base64url encoding of a SHA-256 hash."
	}
	return challenge, ""
}

// parsePrompt splits the prompt parameter: comma-separated as
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code
// and the iOS SDK (kakao-ios-sdk AuthController.swift, makeParameters)
// write it, or space-separated, with a trailing space, as the Flutter SDK
// sends it ("login "; kakao_flutter_sdk auth_code.dart, _parsePrompts); empty items
// between separators are dropped. cert (certificate login) is the SDKs'
// fifth value; the emulator has no certificate, so it shows its page as
// for login. Unknown values are refused, and so is none next to anything
// else, since none means no UI while the others each ask for UI.
func parsePrompt(raw string) ([]string, bool) {
	prompts := strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' })
	if len(prompts) == 0 {
		return nil, true
	}
	for _, p := range prompts {
		switch p {
		case "login", "none", "create", "select_account", "cert":
		default:
			return nil, false
		}
	}
	if slices.Contains(prompts, "none") && len(prompts) > 1 {
		return nil, false
	}
	return prompts, true
}
