package authflow

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

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

// readPaste reads pasted lines from in until one finishes the login (it
// is handed to the wait as a callback), the input ends (errStdinClosed),
// or a bad paste ends the login (no retry). retry means in is a terminal:
// a bad paste can be corrected, and the echo of Enter ends the prompt's
// line.
func (l *login) readPaste(in io.Reader, retry bool) {
	h := l.srv.handler
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), maxPaste+1)
	for {
		fmt.Fprint(l.out, "Paste the address here and press Enter: ")
		if !sc.Scan() {
			l.pasted <- errStdinClosed
			return
		}
		if retry {
			l.out.lineEnded()
		}
		line := sc.Text()
		if strings.TrimSpace(line) == "" && retry {
			continue
		}
		code, err := ParseCallback(line, l.sess.State, l.sess.RedirectURI)
		var denied *DeniedError
		switch {
		case errors.As(err, &denied):
			if h.claimed.CompareAndSwap(false, true) {
				h.results <- callback{errCode: denied.Code, description: denied.Description, reply: make(chan page, 1)}
			}
			return
		case err != nil:
			if !retry {
				l.pasted <- err
				return
			}
			// Pasted text is outside text: one line each, shown safely.
			l.out.endLine()
			fmt.Fprintf(l.out, "kakao-auth: %s\nkakao-auth: hint: %s\n", termtext.Line(err.Error()), termtext.Line(hintOf(err)))
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
