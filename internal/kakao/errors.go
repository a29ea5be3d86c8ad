package kakao

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// Error is an error answer from Kakao's token endpoint:
// {"error","error_description","error_code"}.
type Error struct {
	HTTPStatus  int
	OAuthError  string // RFC 6749 error, e.g. invalid_grant
	Description string // Kakao's text, with any echoed code redacted
	KOE         string // Kakao's error_code, e.g. KOE320; may be empty
	// SecretSent says the request carried a client secret: KOE010 then
	// means a wrong secret, not a missing one.
	SecretSent  bool
	redirectURI string
}

func (e *Error) Error() string {
	return "kakao rejected the token request" + e.Detail()
}

// Detail is what Kakao said, for a message that names the request itself:
// " (KOE322): invalid_grant: …", or "" when it said nothing.
func (e *Error) Detail() string {
	var b strings.Builder
	if e.KOE != "" {
		fmt.Fprintf(&b, " (%s)", e.KOE)
	}
	if e.OAuthError != "" {
		fmt.Fprintf(&b, ": %s", e.OAuthError)
	}
	if e.Description != "" {
		fmt.Fprintf(&b, ": %s", e.Description)
	}
	return b.String()
}

// Hint says what the user can do about e, or "" when nothing useful is known.
func (e *Error) Hint() string {
	switch e.KOE {
	case "KOE006":
		return fmt.Sprintf("register %s under [앱] > [플랫폼 키] > [REST API 키] > 리다이렉트 URI in the Kakao Developers console, or pass a registered one with --redirect-uri", e.redirect())
	case "KOE009":
		return "the app key is not allowed for this platform; use the app's REST API key"
	case "KOE010":
		if e.SecretSent {
			return "Kakao does not accept the client secret that was sent: copy the current one (it changes when reissued) from [앱] > [플랫폼 키] > [REST API 키] > 클라이언트 시크릿, and check that it belongs to this REST API key"
		}
		return "the app's client secret is on: set KAKAO_CLIENT_SECRET or pass --client-secret-file (console: [앱] > [플랫폼 키] > [REST API 키] > 클라이언트 시크릿)"
	case "KOE101":
		return "check --client-id (KAKAO_CLIENT_ID): it must be the app's REST API key, not the JavaScript or native key"
	case "KOE205":
		return "a requested scope is not set up for the app; enable it under 동의항목 in the console or drop it from --scope"
	case "KOE237":
		return "Kakao is rate-limiting token requests; wait a minute and try again"
	case "KOE303":
		return fmt.Sprintf("the redirect URI must match exactly between the authorize and token calls (scheme, host, port, path, trailing slash); used %s", e.redirect())
	case "KOE319", "KOE322":
		return "the refresh token is no longer valid (expired, rotated or the app was unlinked); run " + termtext.Quoted("kakao-auth", "login")
	case "KOE320":
		return "the authorization code was already used or has expired; run " + termtext.Quoted("kakao-auth", "login") + " again"
	}
	switch e.OAuthError {
	case "invalid_client":
		return "check --client-id and the client secret (KAKAO_CLIENT_SECRET / --client-secret-file)"
	case "invalid_grant":
		return "run " + termtext.Quoted("kakao-auth", "login") + " again"
	}
	if e.HTTPStatus >= 500 {
		return "Kakao had a server error; try again shortly"
	}
	return ""
}

func (e *Error) redirect() string {
	if e.redirectURI == "" {
		return "the redirect URI"
	}
	return e.redirectURI
}

// UnexpectedResponseError is a token-endpoint answer that is neither a token
// nor Kakao's JSON error: an HTML error page, a proxy's 502, broken JSON.
type UnexpectedResponseError struct {
	HTTPStatus  int
	ContentType string
	Reason      string
	BaseURL     string // the base URL that answered
	endpoint    string // "" means the token endpoint
}

func (e *UnexpectedResponseError) Error() string {
	s := "unexpected answer from the token endpoint"
	if e.endpoint != "" {
		s = "unexpected answer from " + e.endpoint
	}
	if e.HTTPStatus != 0 {
		s += fmt.Sprintf(" (HTTP %d", e.HTTPStatus)
		if e.ContentType != "" {
			s += ", " + e.ContentType
		}
		s += ")"
	}
	if e.Reason != "" {
		s += ": " + e.Reason
	}
	return s
}

// Hint points at the usual causes. It names the server, not a flag: only
// login takes --auth-url and --api-url, and every other command got its
// servers at login or from the environment.
func (e *UnexpectedResponseError) Hint() string {
	server := "auth server"
	if e.endpoint != "" {
		server = "API server"
	}
	return fmt.Sprintf("check that the %s %s is Kakao's (or answers as Kakao does); if it is, Kakao may be having trouble, so try again shortly", server, e.BaseURL)
}

// NetworkError is a failure to get any answer from Kakao.
type NetworkError struct {
	URL     string // the base URL that did not answer
	Timeout bool
	Err     error
}

func (e *NetworkError) Error() string {
	if e.Timeout {
		return fmt.Sprintf("no answer from %s in time", e.URL)
	}
	return fmt.Sprintf("cannot reach %s: %v", e.URL, e.Err)
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Hint suggests checking the connection and the server. It names no flag:
// most commands take their servers from the stored login, not from flags.
func (e *NetworkError) Hint() string {
	return fmt.Sprintf("check the network connection, and that %s is the server this login should use, then try again", e.URL)
}

// codeInText matches a code or token value Kakao echoes in error texts, such
// as "authorization code not found for code=…".
var codeInText = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`((?:code|token)\s*[=:]\s*)[^\s,]+`) })

// redact removes from a server's text every secret this request sent, in
// any spelling a server may echo it in, and anything shaped like an echoed
// code or token.
func redact(s string, sent ...string) string {
	for _, secret := range sent {
		if secret != "" {
			s = spellings(secret).ReplaceAllLiteralString(s, "[redacted]")
		}
	}
	return codeInText().ReplaceAllString(s, "${1}[redacted]")
}

// spellings matches secret as a server may echo it: raw, form-encoded (any
// character percent-escaped or not, either hex case, a space as + or %20)
// or JSON-escaped (\", \/, \n and the like, or \uXXXX in either case), each
// character spelled its own way.
func spellings(secret string) *regexp.Regexp {
	var b strings.Builder
	for i := 0; i < len(secret); {
		r, size := utf8.DecodeRuneInString(secret[i:])
		raw := secret[i : i+size]
		i += size
		var pct strings.Builder
		for _, c := range []byte(raw) {
			fmt.Fprintf(&pct, "%%(?i:%02X)", c)
		}
		if r == utf8.RuneError && size == 1 {
			// Not UTF-8: regexp sees the byte as U+FFFD.
			b.WriteString(`(?:\x{FFFD}|` + pct.String() + ")")
			continue
		}
		alts := []string{regexp.QuoteMeta(raw), pct.String()}
		if r == ' ' {
			alts = append(alts, `\+`)
		}
		if esc := jsonShortEscape(r); esc != "" {
			alts = append(alts, regexp.QuoteMeta(esc))
		}
		if r <= 0xFFFF {
			alts = append(alts, fmt.Sprintf(`\\u(?i:%04X)`, r))
		} else if hi, lo := utf16.EncodeRune(r); hi != utf8.RuneError {
			alts = append(alts, fmt.Sprintf(`\\u(?i:%04X)\\u(?i:%04X)`, hi, lo))
		}
		b.WriteString("(?:" + strings.Join(alts, "|") + ")")
	}
	return regexp.MustCompile(b.String())
}

// jsonShortEscape is r's two-character JSON escape (RFC 8259 §7), or "".
func jsonShortEscape(r rune) string {
	switch r {
	case '"', '\\', '/':
		return `\` + string(r)
	case '\b':
		return `\b`
	case '\f':
		return `\f`
	case '\n':
		return `\n`
	case '\r':
		return `\r`
	case '\t':
		return `\t`
	}
	return ""
}

// tokenError turns whatever x/oauth2 returned into one of this package's
// errors, never echoing the response body (it may hold secrets).
func (c *Client) tokenError(ctx context.Context, g *redirectGuard, err error, sent ...string) error {
	sent = append(sent, c.ClientSecret)
	if rerr := g.err(c.authBase(), "", sent...); rerr != nil {
		return rerr
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		ctype := ""
		if re.Response != nil {
			status = re.Response.StatusCode
			ctype, _, _ = mime.ParseMediaType(re.Response.Header.Get("Content-Type"))
		}
		var body struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
			Code        string `json:"error_code"`
		}
		if json.Unmarshal(re.Body, &body) == nil && body.Error != "" {
			return &Error{
				HTTPStatus:  status,
				OAuthError:  redact(body.Error, sent...),
				Description: redact(body.Description, sent...),
				KOE:         redact(body.Code, sent...),
				SecretSent:  c.ClientSecret != "",
				redirectURI: c.RedirectURI,
			}
		}
		if re.ErrorCode != "" { // form-encoded error answer
			return &Error{HTTPStatus: status, OAuthError: redact(re.ErrorCode, sent...), Description: redact(re.ErrorDescription, sent...), SecretSent: c.ClientSecret != "", redirectURI: c.RedirectURI}
		}
		return &UnexpectedResponseError{HTTPStatus: status, ContentType: ctype, Reason: "not Kakao's JSON error", BaseURL: c.authBase()}
	}
	var nerr net.Error
	if errors.As(err, &nerr) || errors.Is(err, context.DeadlineExceeded) {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ctx.Err() // cancelled by the user, not a network fault
		}
		timeout := errors.Is(err, context.DeadlineExceeded) || (nerr != nil && nerr.Timeout())
		return &NetworkError{URL: c.authBase(), Timeout: timeout, Err: unwrapURLError(err)}
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "missing access_token"):
		return &UnexpectedResponseError{Reason: "the answer has no access_token", BaseURL: c.authBase()}
	case strings.Contains(msg, "cannot parse"):
		// x/oauth2 decodes expires_in itself and fails on a fraction or a
		// string that is no number.
		return &UnexpectedResponseError{Reason: "malformed token response: it is not valid JSON, or a field has the wrong type (such as an expires_in that is not a whole number)", BaseURL: c.authBase()}
	}
	return &NetworkError{URL: c.authBase(), Err: unwrapURLError(err)}
}

// unwrapURLError drops net/url's "Post \"URL\":" prefix, which repeats the
// endpoint the message already names.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}
