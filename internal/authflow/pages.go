package authflow

import (
	"bytes"
	"html/template"
	"net/http"
	"strconv"
	"sync"
)

// page is what the browser shows after the callback. It never carries a
// code or token.
type page struct {
	Status  int
	OK      bool
	Title   string
	Message string
	Detail  string // Kakao's error text, shown verbatim (escaped)
	Next    string // what to do now
}

var pageTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{.Title}} · kakao-auth</title>
<style>
  body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; background: #f6f6f4; color: #1d1d1b; margin: 0; }
  main { max-width: 32rem; margin: 12vh auto; padding: 2rem 2.25rem; background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(0,0,0,.08); }
  .badge { display: inline-block; width: 2.5rem; height: 2.5rem; border-radius: 50%; text-align: center; line-height: 2.5rem; font-size: 1.25rem; font-weight: 700; }
  .ok .badge { background: #fee500; color: #191600; }
  .fail .badge { background: #fde8e8; color: #b42318; }
  h1 { font-size: 1.35rem; margin: .75rem 0 .5rem; }
  p { margin: .5rem 0; }
  code { background: #f2f2ef; padding: .1rem .35rem; border-radius: 4px; word-break: break-word; }
  .next { color: #55554f; }
</style>
</head>
<body>
<main class="{{if .OK}}ok{{else}}fail{{end}}" id="result" data-ok="{{.OK}}">
  <span class="badge" aria-hidden="true">{{if .OK}}✓{{else}}!{{end}}</span>
  <h1>{{.Title}}</h1>
  <p>{{.Message}}</p>
  {{with .Detail}}<p><code>{{.}}</code></p>{{end}}
  {{with .Next}}<p class="next">{{.}}</p>{{end}}
</main>
</body>
</html>
`))
})

// render writes the page with its length set, so that a flush puts all of
// it on the wire.
func (p page) render(w http.ResponseWriter) {
	var body bytes.Buffer
	_ = pageTemplate().Execute(&body, p)
	h := w.Header()
	h.Set("Content-Length", strconv.Itoa(body.Len()))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body.Bytes())
}

var (
	pageSuccess = page{
		Status:  http.StatusOK,
		OK:      true,
		Title:   "You are logged in",
		Message: "kakao-auth received your Kakao login. You can close this tab and return to the terminal.",
	}
	pageWrongState = page{
		Status:  http.StatusBadRequest,
		Title:   "This login link is not for the running kakao-auth",
		Message: "The address this tab opened does not belong to the login kakao-auth is waiting for (it may be an old tab, or a link from somewhere else). Nothing was done with it.",
		Next:    "Use the link kakao-auth printed in your terminal.",
	}
	pageErrorWrongState = page{
		Status:  http.StatusBadRequest,
		Title:   "This answer is not for the running kakao-auth",
		Message: "This tab brought an error answer without the state of the login kakao-auth is waiting for, so it may come from another page, not from Kakao. It was ignored, and kakao-auth is still waiting.",
		Next:    "Use the link kakao-auth printed in your terminal; to stop the login, press Ctrl-C there.",
	}
	pageTaken = page{
		Status:  http.StatusConflict,
		Title:   "This login has already finished",
		Message: "kakao-auth already received an answer for this login.",
		Next:    "Check your terminal.",
	}
)
