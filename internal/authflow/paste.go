package authflow

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// PasteError explains why a pasted address cannot finish the login.
type PasteError struct {
	Reason string
	hint   string
}

func (e *PasteError) Error() string { return e.Reason }

// Hint says what to paste instead.
func (e *PasteError) Hint() string { return e.hint }

// pasteHint says what a callback address looks like: redirectURI (when
// known) with the code and state Kakao adds.
func pasteHint(redirectURI string) string {
	const hint = "paste the whole address from the browser's address bar after approving, "
	if redirectURI == "" {
		return hint + "the redirect URI followed by ?code=…&state=…"
	}
	return hint + "e.g. " + termtext.Line(redirectURI) + "?code=…&state=…"
}

// maxPaste bounds a pasted line; a real callback address is well under 2 KiB.
const maxPaste = 8 << 10

// ParseCallback checks an address the person pasted after approving in a
// browser elsewhere: it must be the redirect URI with a code and the state
// of this login. It returns the code, a *DeniedError when Kakao answered
// with error=…, or a *PasteError saying what is wrong.
func ParseCallback(raw, state, redirectURI string) (string, error) {
	u, err := parseAddress(raw, redirectURI)
	if err != nil {
		return "", err
	}
	want, err := url.Parse(redirectURI)
	if err != nil {
		return "", fmt.Errorf("redirect URI %q: %w", redirectURI, err)
	}
	if !sameEndpoint(u, want) {
		return "", &PasteError{
			Reason: fmt.Sprintf("that address is not the redirect URI %s", redirectURI),
			hint:   "paste the address the browser ended on after you approved on Kakao's page (it starts with the redirect URI)",
		}
	}
	q := u.Query()
	got := q.Get("state")
	if errCode := q.Get("error"); errCode != "" && got == state {
		// An error answer counts only with this login's state, as on the
		// listener (RFC 6749 §4.1.2.1).
		return "", &DeniedError{Code: errCode, Description: q.Get("error_description")}
	}
	switch {
	case got == "":
		return "", &PasteError{Reason: "the address has no state parameter", hint: pasteHint(redirectURI)}
	case got != state:
		return "", &PasteError{Reason: "that address belongs to another login (its state does not match)", hint: "use the address from the login URL this run printed; an older tab answers an older login"}
	case q.Get("code") == "":
		return "", &PasteError{Reason: "the address has no code parameter", hint: pasteHint(redirectURI)}
	}
	return q.Get("code"), nil
}

// parseAddress turns pasted text into an absolute URL, or says what the
// text looks like instead; redirectURI, when known, is what it should be.
func parseAddress(raw, redirectURI string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, &PasteError{Reason: "nothing was pasted", hint: pasteHint(redirectURI)}
	}
	if len(raw) > maxPaste {
		return nil, &PasteError{Reason: "the pasted text is too long to be a callback address", hint: pasteHint(redirectURI)}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" || u.Host == "" {
		if !strings.ContainsAny(raw, "/?&= ") {
			return nil, &PasteError{Reason: "that looks like a bare code; kakao-auth needs the whole address, whose state proves it belongs to this login", hint: pasteHint(redirectURI)}
		}
		return nil, &PasteError{Reason: "that is not a web address", hint: pasteHint(redirectURI)}
	}
	return u, nil
}

// sameEndpoint compares scheme, host (case-insensitively, default ports
// spelled out) and path.
func sameEndpoint(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) &&
		strings.EqualFold(hostPort(a), hostPort(b)) &&
		strings.TrimSuffix(a.EscapedPath(), "/") == strings.TrimSuffix(b.EscapedPath(), "/")
}

func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	switch strings.ToLower(u.Scheme) {
	case "http":
		return u.Host + ":80"
	case "https":
		return u.Host + ":443"
	}
	return u.Host
}

// errStdinClosed ends a paste-only login whose input ran out.
var errStdinClosed = errors.New("stdin closed before a callback address was pasted")
