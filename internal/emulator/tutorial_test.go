package emulator

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// tutorialApp is the web app of a common Django tutorial, in Go: its
// detail() view keeps the REST API key and redirect_uri in the session and
// sends the browser to Kakao's authorize URL; its oauth() view reads both
// back from the session, appends the code, and requests the token URL the
// tutorial builds by string concatenation:
//
//	…/oauth/token?grant_type=authorization_code&client_id=…&redirect_uri=…&code=…
//
// The session is Django's: a "sessionid" cookie naming server-side data.
type tutorialApp struct {
	url         string // the app's own base URL
	kauth       string // Kakao's (the emulator's) base URL
	clientID    string
	redirectURI string // "" means url + "/oauth"
	// tokenMethod is how oauth() sends the token URL: GET, as the tutorial
	// does by opening it, or POST without a body, as server-side code does.
	tokenMethod string

	mu       sync.Mutex
	sessions map[string]map[string]string
}

func newTutorialApp(t *testing.T, kauth, tokenMethod string) *tutorialApp {
	t.Helper()
	a := &tutorialApp{kauth: kauth, clientID: DefaultClientID, tokenMethod: tokenMethod, sessions: map[string]map[string]string{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /detail", a.detail)
	mux.HandleFunc("GET /oauth", a.oauth)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	a.url = srv.URL
	return a
}

// session returns the request's session data, starting a session (and
// setting its cookie) when create is true and there is none.
func (a *tutorialApp) session(w http.ResponseWriter, r *http.Request, create bool) map[string]string {
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, err := r.Cookie("sessionid"); err == nil && a.sessions[c.Value] != nil {
		return a.sessions[c.Value]
	}
	if !create {
		return map[string]string{}
	}
	id := rand.Text()
	a.sessions[id] = map[string]string{}
	http.SetCookie(w, &http.Cookie{Name: "sessionid", Value: id, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	return a.sessions[id]
}

// detail: request.session['client_id'] = client_id;
// request.session['redirect_uri'] = redirect_uri; then off to Kakao.
func (a *tutorialApp) detail(w http.ResponseWriter, r *http.Request) {
	redirectURI := a.redirectURI
	if redirectURI == "" {
		redirectURI = a.url + "/oauth"
	}
	s := a.session(w, r, true)
	a.mu.Lock()
	s["client_id"], s["redirect_uri"] = a.clientID, redirectURI
	a.mu.Unlock()
	http.Redirect(w, r, a.kauth+"/oauth/authorize?client_id="+a.clientID+"&redirect_uri="+redirectURI+"&response_type=code", http.StatusFound)
}

// oauth: client_id = request.session.get('client_id') and so on, then the
// token request. A session that lost its values gets a clear page, not a
// token request with "None" in it.
func (a *tutorialApp) oauth(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("code")
	if e := r.URL.Query().Get("error"); e != "" {
		http.Error(w, "kakao login failed: "+e, http.StatusForbidden)
		return
	}
	s := a.session(w, r, false)
	a.mu.Lock()
	clientID, redirectURI := s["client_id"], s["redirect_uri"]
	a.mu.Unlock()
	if clientID == "" || redirectURI == "" {
		http.Error(w, "tutorial app: the session has no client_id or redirect_uri (was the session cookie lost?); start again at /detail", http.StatusBadRequest)
		return
	}
	tokenURL := a.kauth + "/oauth/token?grant_type=authorization_code&"
	tokenURL += "client_id=" + clientID
	tokenURL += "&redirect_uri=" + redirectURI
	tokenURL += "&code=" + code
	req, err := http.NewRequestWithContext(r.Context(), a.tokenMethod, tokenURL, nil)
	if err != nil {
		http.Error(w, "tutorial app: "+err.Error(), http.StatusInternalServerError)
		return
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	body, status, err := fetch(req)
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &tok) != nil || tok.AccessToken == "" {
		http.Error(w, fmt.Sprintf("tutorial app: token request failed: %d %s %v", status, body, err), http.StatusBadGateway)
		return
	}
	req, _ = http.NewRequestWithContext(r.Context(), http.MethodGet, a.kauth+"/v2/user/me", nil)
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	var me struct {
		ID int64 `json:"id"`
	}
	body, status, err = fetch(req)
	if err != nil || status != http.StatusOK || json.Unmarshal(body, &me) != nil {
		http.Error(w, fmt.Sprintf("tutorial app: user info failed: %d %s %v", status, body, err), http.StatusBadGateway)
		return
	}
	fmt.Fprintf(w, "access_token received; Kakao user %d", me.ID)
}

func fetch(req *http.Request) ([]byte, int, error) {
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return b, resp.StatusCode, err
}

// browser is a cookie-keeping client that follows redirects.
func browser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

// The flow this project started from, against the emulator: authorize
// redirect, consent, callback, token by query string, user info.
func TestTutorial_WebAppGetsTokensWithQueryParameters(t *testing.T) {
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		t.Run(method, func(t *testing.T) {
			e := newEnv(t, Config{})
			app := newTutorialApp(t, e.url, method)
			e.s.RegisterRedirectURI(app.url + "/oauth")

			ua := &UserAgent{Client: browser()}
			p, err := ua.Visit(t.Context(), app.url+"/detail")
			if err != nil {
				t.Fatal(err)
			}
			want := fmt.Sprintf("access_token received; Kakao user %d", defaultUser.ID)
			if p.StatusCode != http.StatusOK || p.Body != want {
				t.Fatalf("app page = %d %q, want 200 %q", p.StatusCode, p.Body, want)
			}
			if !strings.HasPrefix(p.URL, app.url+"/oauth?code=") {
				t.Errorf("browser ended on %q, want the app's callback with a code", p.URL)
			}
			if got := e.s.Stats().CodeExchanges; got != 1 {
				t.Errorf("CodeExchanges = %d, want 1", got)
			}

			// Reloading the callback page sends the used code again: KOE320.
			resp, err := ua.Client.Get(p.URL)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), `"error_code":"KOE320"`) {
				t.Errorf("reloaded callback = %d %q, want the app's 502 with KOE320", resp.StatusCode, body)
			}
		})
	}
}

// Kakao's "문제 해결",
// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting: an
// unregistered redirect URI is refused on Kakao's own page, KOE006, and the
// browser never comes back to the app.
func TestTutorial_UnregisteredRedirectURIStopsOnTheEmulatorsPage(t *testing.T) {
	e := newEnv(t, Config{})
	app := newTutorialApp(t, e.url, http.MethodGet)
	e.s.RegisterRedirectURI(app.url + "/oauth")
	app.redirectURI = app.url + "/oauth/" // one slash too many

	p, err := (&UserAgent{Client: browser()}).Visit(t.Context(), app.url+"/detail")
	if err != nil {
		t.Fatal(err)
	}
	if p.StatusCode != http.StatusBadRequest || !strings.HasPrefix(p.URL, e.url+"/oauth/authorize?") || !strings.Contains(p.Body, "KOE006") {
		t.Errorf("page = %d at %q, want the emulator's 400 KOE006 page:\n%s", p.StatusCode, p.URL, p.Body)
	}
	if got := e.s.Stats().CodeExchanges; got != 0 {
		t.Errorf("CodeExchanges = %d, want 0", got)
	}
}

// A browser that drops the app's session cookie between detail() and the
// callback: the app has no client_id or redirect_uri to send, and says so.
func TestTutorial_LostSessionGetsAClearMessage(t *testing.T) {
	e := newEnv(t, Config{})
	app := newTutorialApp(t, e.url, http.MethodGet)
	e.s.RegisterRedirectURI(app.url + "/oauth")

	first := stoppingAtRedirects(browser())
	resp, err := first.Get(app.url + "/detail")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	authorize := resp.Header.Get("Location")
	if u, _ := url.Parse(app.url); len(first.Jar.Cookies(u)) != 1 || !strings.HasPrefix(authorize, e.url+"/oauth/authorize?") {
		t.Fatalf("detail() set cookies %v and redirected to %q, want a session and the authorize URL", first.Jar.Cookies(u), authorize)
	}

	// The same person, without the cookie: a fresh jar.
	p, err := (&UserAgent{Client: browser()}).Visit(t.Context(), authorize)
	if err != nil {
		t.Fatal(err)
	}
	if p.StatusCode != http.StatusBadRequest || !strings.Contains(p.Body, "the session has no client_id or redirect_uri") {
		t.Errorf("callback page = %d %q, want the app's 400 about the lost session", p.StatusCode, p.Body)
	}
	if got := e.s.Stats().CodeExchanges + e.s.Stats().TokenErrors; got != 0 {
		t.Errorf("token requests = %d, want none", got)
	}
}
