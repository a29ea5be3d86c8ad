package emulator

import (
	"slices"
	"strings"
)

// parseScopes splits a scope parameter on commas and spaces: Kakao's docs use
// commas, its official SDKs join with a space (Kakao's "추가 항목 동의 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent),
// and both work. Duplicates are dropped; first-seen order is kept.
func parseScopes(raw string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' }) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// unionScopes returns every scope in a or b, sorted, so a token's scope
// string does not depend on the order consent was given in.
func unionScopes(a, b []string) []string {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

// coversScopes reports whether have includes every scope in want.
func coversScopes(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

// hasAnyScope reports whether scopes includes at least one of any.
func hasAnyScope(scopes []string, any ...string) bool {
	for _, a := range any {
		if slices.Contains(scopes, a) {
			return true
		}
	}
	return false
}

// joinScopes renders scopes the way the token endpoint does: space-separated
// (Kakao's "토큰 받기", https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token).
func joinScopes(scopes []string) string {
	return strings.Join(scopes, " ")
}

// itemEnabled reports whether the app has consent item id set up:
// Config.ScopesEnabled lists it, or the app has no list and takes every item.
func (s *Server) itemEnabled(id string) bool {
	return len(s.scopesEnabled) == 0 || slices.Contains(s.scopesEnabled, id)
}

// requestedScopes returns the consent items an authorize request asks for, and
// those of them the app has not set up (Config.ScopesEnabled). Without a scope
// parameter, an app asks for all its set-up items: Kakao's default consent,
// which is how an ID token "comes with every code exchange without extra
// params" once OpenID Connect is on (Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token).
// An app with no list accepts every item and has OpenID Connect on, so its
// default consent is openid: the ID token comes, and no other item is assumed.
func (s *Server) requestedScopes(raw string) (scopes, notEnabled []string) {
	scopes = parseScopes(raw)
	if len(s.scopesEnabled) == 0 {
		if len(scopes) == 0 {
			return []string{"openid"}, nil
		}
		return scopes, nil
	}
	if len(scopes) == 0 {
		return slices.Clone(s.scopesEnabled), nil
	}
	for _, sc := range scopes {
		if !slices.Contains(s.scopesEnabled, sc) {
			notEnabled = append(notEnabled, sc)
		}
	}
	return scopes, notEnabled
}
