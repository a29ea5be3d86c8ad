package cmd

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A page on another origin of this machine (the same 127.0.0.1, another
// port: same site, different origin) auto-submits forms to the emulator in
// a real chromium, as a page the developer opened while it runs could: it
// must neither end the developer's access tokens, nor rotate the signing
// key, nor grant a consent waiting on the consent page.
func TestEmulator_RealBrowserRefusesOtherOrigins(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	browser := headless(t)

	var mu sync.Mutex
	var codes []string
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if c := r.URL.Query().Get("code"); c != "" {
			codes = append(codes, c)
		}
		mu.Unlock()
		fmt.Fprint(w, "app callback")
	}))
	t.Cleanup(app.Close)
	callback := app.URL + "/callback"
	_, emu := newTestEmulator(t, emulator.Config{RedirectURIs: []string{callback}})
	c := &http.Client{Timeout: 10 * time.Second}

	authorize := emu + "/oauth/authorize?" + url.Values{"client_id": {emulator.DefaultClientID}, "redirect_uri": {callback}, "response_type": {"code"}}.Encode()
	page, err := (&emulator.UserAgent{}).Visit(t.Context(), authorize)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(page.URL)
	resp, err := c.PostForm(emu+"/oauth/token", url.Values{"grant_type": {"authorization_code"}, "client_id": {emulator.DefaultClientID},
		"redirect_uri": {callback}, "code": {u.Query().Get("code")}})
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil || tok.AccessToken == "" {
		t.Fatalf("exchange: %v", err)
	}
	mu.Lock()
	codes = nil
	mu.Unlock()

	tokenWorks := func() bool {
		req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, emu+"/v1/user/access_token_info", nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}
	jwks := func() string {
		resp, err := c.Get(emu + "/.well-known/jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return string(b)
	}
	keys := jwks()
	// A consent page waiting for the person, its tx known to the attacker
	// (the worst case: the tx is meant to be unguessable).
	resp, err = c.Get(authorize + "&prompt=login")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="tx" value="([^"]+)"`).FindSubmatch(body)
	if m == nil {
		t.Fatalf("no consent form:\n%s", body)
	}
	tx := html.UnescapeString(string(m[1]))

	forms := map[string]string{
		"/expire":  `<form method="post" action="` + emu + `/_emulator/expire-access-tokens"></form>`,
		"/rotate":  `<form method="post" action="` + emu + `/_emulator/rotate-key"></form>`,
		"/consent": `<form method="post" action="` + emu + `/oauth/authorize/consent"><input type="hidden" name="tx" value="` + html.EscapeString(tx) + `"><input type="hidden" name="action" value="agree"></form>`,
	}
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>cute cats</title>%s<script>document.forms[0].submit()</script>`, forms[r.URL.Path])
	}))
	t.Cleanup(attacker.Close)

	for _, path := range []string{"/expire", "/rotate", "/consent"} {
		if err := chromedp.Do(browser, chromedp.Navigate(attacker.URL+path)); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		// The form is posted once the page has left the attacker's origin.
		landed, err := poll(browser, `location.origin === "`+attacker.URL+`" ? "" : location.origin + location.pathname + " " + document.body.innerText.slice(0, 200)`)
		if err != nil {
			t.Fatalf("%s: the form was never posted: %v", path, err)
		}
		t.Logf("%s: landed on %s", path, landed)
	}
	if !tokenWorks() {
		t.Error("the other origin's form ended the developer's access token (/_emulator/expire-access-tokens)")
	}
	if got := jwks(); got != keys {
		t.Error("the other origin's form rotated the signing key (/_emulator/rotate-key)")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(codes) != 0 {
		t.Error("the other origin's form granted the waiting consent: a code reached the app")
	}
}
