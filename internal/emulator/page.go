package emulator

import (
	"bytes"
	"html/template"
	"net/http"
	"sync"
)

// consentAction is where the consent form posts; UserAgent finds it in the page.
const consentAction = "/oauth/authorize/consent"

// Pages never carry a code or a token: the tx field is a single-use handle on
// the pending request, worthless once the person decides.
var consentTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("consent").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kakao Login (emulator) – {{.AppName}}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f5f5;margin:0;padding:2rem}
main{max-width:28rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
h1{font-size:1.2rem}
.muted{color:#666;font-size:.85rem}
button{font-size:1rem;padding:.6rem 1.4rem;border:0;border-radius:6px;margin-right:.5rem;cursor:pointer}
#agree{background:#fee500;color:#191919}
#cancel{background:#eee;color:#191919}
fieldset{border:1px solid #ddd;border-radius:8px;margin:0 0 1rem}
label{display:block;padding:.3rem 0}
.note{color:#a40}
</style>
</head>
<body>
<main>
<h1>Kakao Login</h1>
{{if .Accounts}}<p><strong>{{.AppName}}</strong> would like to connect to your Kakao Account.</p>{{else}}<p><strong>{{.AppName}}</strong> would like to connect to the Kakao Account of <strong>{{.Nickname}}</strong>.</p>{{end}}
<p class="muted">App key (client_id): <code>{{.ClientID}}</code></p>
<h2>Consent items</h2>
{{if .Scopes}}<ul>{{range .Scopes}}<li><code>{{.}}</code></li>{{end}}</ul>{{else}}<p>No additional items requested.</p>{{end}}
<form method="post" action="/oauth/authorize/consent">
<input type="hidden" name="tx" value="{{.Tx}}">
{{if .Accounts}}<fieldset>
<legend>Sign in as</legend>
{{if .Note}}<p class="note" id="note">{{.Note}}</p>{{end}}
{{range .Accounts}}<label><input type="radio" name="user" value="{{.ID}}" data-email="{{.Email}}" data-nickname="{{.Nickname}}"{{if .Checked}} checked{{end}}> <strong>{{.Nickname}}</strong>{{if .Email}} &lt;{{.Email}}&gt;{{end}} <span class="muted">{{.ID}}{{if .Agrees}} · {{.Agrees}}{{end}}</span></label>
{{end}}</fieldset>{{end}}
<button type="submit" name="action" value="agree" id="agree">Agree</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form>
<p class="muted">This is the kakao-auth emulator, not Kakao.</p>
</main>
</body>
</html>
`))
})

// consentPage is the data of the consent page.
type consentPage struct {
	AppName  string
	Nickname string // the one user's, when there is no picker
	ClientID string
	Scopes   []string
	Tx       string
	// Accounts, when there are several users, is the account picker.
	Accounts []pickerAccount
	Note     string // shown above the picker
}

// pickerAccount is one account offered on the consent page.
type pickerAccount struct {
	ID       int64
	Nickname string
	Email    string
	Checked  bool
	Agrees   string // what the account agrees to, when it holds items back
}

// errorTmpl mimics Kakao's own error page, "잘못된 요청 (KOEnnn)", which the browser
// shows instead of redirecting to the app (Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting).
var errorTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>잘못된 요청{{if .Code}} ({{.Code}}){{end}}</title>
<style>
body{font-family:system-ui,sans-serif;background:#f5f5f5;margin:0;padding:2rem}
main{max-width:28rem;margin:auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;box-shadow:0 1px 4px #0002}
.muted{color:#666;font-size:.85rem}
</style>
</head>
<body>
<main>
<h1>잘못된 요청 ({{if .Code}}{{.Code}}{{else}}invalid_request{{end}})</h1>
<p id="message">{{.Message}}</p>
{{if .Hint}}<p id="hint">{{.Hint}}</p>{{end}}
<p class="muted">This is the kakao-auth emulator, not Kakao.</p>
</main>
</body>
</html>
`))
})

// errorPage is one of the emulator's own error pages.
type errorPage struct {
	Code    string // KOE code shown in the title; "" when Kakao's is unknown
	Message string
	Hint    string
}

// All own error pages answer 400: Kakao's status for them is UNCONFIRMED, and
// one status keeps UserAgent's contract simple.
const errorPageStatus = http.StatusBadRequest

func writeConsentPage(w http.ResponseWriter, p consentPage) {
	writePage(w, http.StatusOK, consentTmpl(), p)
}

func writeErrorPage(w http.ResponseWriter, p errorPage) {
	writePage(w, errorPageStatus, errorTmpl(), p)
}

func writePage(w http.ResponseWriter, status int, t *template.Template, data any) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		http.Error(w, "emulator: render page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// allowOnly answers a request whose method is not method with 405 and the
// Allow header, and reports whether the request may go on.
func allowOnly(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	return false
}

// knownClient answers a client_id no app has with Kakao's own error page,
// KOE101 (a browser request is never redirected for it), and reports
// whether the client is registered.
func (s *Server) knownClient(w http.ResponseWriter, clientID string) bool {
	s.mu.Lock()
	known := s.clients[clientID]
	s.mu.Unlock()
	if !known {
		writeErrorPage(w, errorPage{Code: "KOE101", Message: "Invalid client_id: no app has this REST API key.",
			Hint: "Check client_id: it must be the app's REST API key."})
	}
	return known
}
