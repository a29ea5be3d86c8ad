package authflow

import (
	"net/http"
	"sync/atomic"
	"time"
)

// Bounds of the callback server: the browser sends one small GET.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 10 * time.Second
	writeTimeout      = 90 * time.Second // covers the token exchange the page waits for
	idleTimeout       = 10 * time.Second
	maxHeaderBytes    = 16 << 10
)

// callback is one state-matching request that reached the listener.
type callback struct {
	code        string
	errCode     string // Kakao's error=…, e.g. access_denied
	description string
	reply       chan page     // the page to show, once the outcome is known
	shown       chan struct{} // closed once the page is written; nil for a paste
}

// callbackHandler serves exactly GET on the redirect URI's path. The first
// request whose state matches wins; others get a page saying so.
type callbackHandler struct {
	path    string
	state   string
	claimed atomic.Bool
	results chan callback
}

func newCallbackHandler(path, state string) *callbackHandler {
	return &callbackHandler{path: path, state: state, results: make(chan callback, 1)}
}

func (h *callbackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.URL.EscapedPath() != h.path {
		http.NotFound(w, r)
		return
	}
	q := r.URL.Query()
	state, errCode := q.Get("state"), q.Get("error")
	// Kakao documents state on success redirects; whether error redirects
	// carry it is unconfirmed, so an error without any state is accepted.
	// That lets a forged request end the login, never complete it.
	if state != h.state && !(state == "" && errCode != "") {
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

func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
	}
}
