package authflow

import (
	"bufio"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// pasteOnlyOK reports whether a listener failure still allows paste-back.
func pasteOnlyOK(err error) bool {
	var pe *PortInUseError
	var re *RedirectError
	return errors.As(err, &pe) || errors.As(err, &re)
}

// pasteOnly accepts any absolute http(s) redirect URI for paste-back: the
// browser goes there, and the person copies the address it ended on.
func pasteOnly(uri string) (*loopback, error) {
	if err := CheckPasteRedirectURI(uri); err != nil {
		return nil, err
	}
	return &loopback{uri: uri}, nil
}

// CheckPasteRedirectURI reports whether uri can be used with paste-back:
// an absolute http:// or https:// URL.
func CheckPasteRedirectURI(uri string) error {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.Fragment != "" {
		return &RedirectError{URI: uri, Reason: "not an absolute http:// or https:// URL"}
	}
	return nil
}

// readPaste reads pasted lines until one finishes the login (it is handed
// to the wait as a callback), the input ends, or a bad paste ends the login
// (no retry). listening says whether the loopback listener may still answer.
func readPaste(o Options, h *callbackHandler, sess *session.Session, errs chan<- error, listening bool) {
	sc := bufio.NewScanner(o.Paste)
	sc.Buffer(make([]byte, 0, 4096), maxPaste+1)
	for {
		fmt.Fprint(o.Stderr, "Paste the address here and press Enter: ")
		if !sc.Scan() {
			fmt.Fprintln(o.Stderr)
			if !listening {
				errs <- errStdinClosed
			}
			return
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "" && o.PasteRetry {
			continue
		}
		code, err := ParseCallback(line, sess.State, sess.RedirectURI)
		var denied *DeniedError
		switch {
		case errors.As(err, &denied):
			if h.claimed.CompareAndSwap(false, true) {
				h.results <- callback{errCode: denied.Code, description: denied.Description, reply: make(chan page, 1)}
			}
			return
		case err != nil:
			if !o.PasteRetry {
				errs <- err
				return
			}
			// Pasted text is outside text: one line each, shown safely.
			fmt.Fprintf(o.Stderr, "kakao-auth: %s\nkakao-auth: hint: %s\n", termtext.Line(err.Error()), termtext.Line(hintOf(err)))
			continue
		}
		if h.claimed.CompareAndSwap(false, true) {
			h.results <- callback{code: code, reply: make(chan page, 1)}
		}
		return
	}
}

func hintOf(err error) string {
	var h interface{ Hint() string }
	if errors.As(err, &h) {
		return h.Hint()
	}
	return ""
}
