package authflow

import (
	"fmt"
	"net/http"
	"sync/atomic"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// callback is one state-matching request that reached the listener.
type callback struct {
	code        string
	errCode     string // Kakao's error=…, e.g. access_denied
	description string
	reply       chan page     // the page to show, once the outcome is known
	shown       chan struct{} // closed once the page is written; nil for a paste
}

// maxRefusalNotes bounds the notes about refused error callbacks: a page
// can send any number of them.
const maxRefusalNotes = 3

// callbackHandler serves exactly GET on the redirect URI's path. The first
// request whose state matches wins; others get a page saying so.
type callbackHandler struct {
	path    string
	state   string
	claimed atomic.Bool
	results chan callback
	// refusals carries a one-line note for each refused error callback,
	// for the wait to print; refused counts them.
	refusals chan string
	refused  atomic.Int32
}

func newCallbackHandler(path, state string) *callbackHandler {
	return &callbackHandler{path: path, state: state, results: make(chan callback, 1), refusals: make(chan string, maxRefusalNotes+1)}
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.EscapedPath() != h.path {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	state, errCode := q.Get("state"), q.Get("error")
	// Every answer must carry this login's state, error answers too: RFC
	// 6749 §4.1.2.1 has the server return the request's state on error
	// redirects. Otherwise any web page could end the login with an
	// <img src="…/callback?error=access_denied">.
	if state != h.state {
		if errCode != "" {
			h.noteRefusal(errCode, q.Get("error_description"))
			pageErrorWrongState.render(w)
			return
		}
		pageWrongState.render(w)
		return
	}
	if !h.claimed.CompareAndSwap(false, true) {
		pageTaken.render(w)
		return
	}
	cb := callback{
		code:        q.Get("code"),
		errCode:     errCode,
		description: q.Get("error_description"),
		reply:       make(chan page, 1),
		shown:       make(chan struct{}),
	}
	defer close(cb.shown)
	h.results <- cb
	select {
	case p := <-cb.reply:
		p.render(w)
		// The login closes the server as soon as shown is closed; the
		// whole page must be on the wire by then, not in a buffer.
		_ = http.NewResponseController(w).Flush()
	case <-r.Context().Done():
	}
}

// noteRefusal queues a note about a refused error callback, its outside
// text clipped and shown safely; after maxRefusalNotes, one last note says
// that further ones are not shown.
func (h *callbackHandler) noteRefusal(errCode, description string) {
	var note string
	switch n := h.refused.Add(1); {
	case n <= maxRefusalNotes:
		detail := "error=" + termtext.Line(clip(errCode, 64))
		if description != "" {
			detail += ": " + termtext.Line(clip(description, 160))
		}
		note = fmt.Sprintf("kakao-auth: warning: ignored an error answer without this login's state (%s); any web page can send one, so the login goes on (if you cancelled it yourself, press Ctrl-C)", detail)
	case n == maxRefusalNotes+1:
		note = "kakao-auth: warning: further error answers without this login's state are ignored without a note"
	default:
		return
	}
	select {
	case h.refusals <- note:
	default:
	}
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
