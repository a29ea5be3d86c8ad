package emulator

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// clock is a controllable Config.Now.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock {
	return &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is an emulator behind httptest plus the app's callback listener, whose
// URL + "/callback" is registered as a redirect URI.
type env struct {
	s        *Server
	url      string // emulator base URL
	callback string // registered redirect URI, served by the app listener
	clock    *clock
}

// newEnv starts an emulator for cfg. Unless cfg.Now is set, it runs on a
// controllable clock.
func newEnv(t *testing.T, cfg Config) *env {
	t.Helper()
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "app callback")
	}))
	t.Cleanup(app.Close)
	e := &env{callback: app.URL + "/callback"}
	cfg.RedirectURIs = append(cfg.RedirectURIs, e.callback)
	if cfg.Now == nil {
		e.clock = newClock()
		cfg.Now = e.clock.Now
	}
	e.s = New(cfg)
	srv := httptest.NewServer(e.s)
	t.Cleanup(srv.Close)
	e.url = srv.URL
	return e
}

// authorizeURL is a valid authorize URL for the default client and the
// callback; kv pairs override parameters, and an empty value removes one.
func (e *env) authorizeURL(kv ...string) string {
	q := url.Values{
		"client_id":     {DefaultClientID},
		"redirect_uri":  {e.callback},
		"response_type": {"code"},
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			q.Del(kv[i])
			continue
		}
		q.Set(kv[i], kv[i+1])
	}
	return e.url + "/oauth/authorize?" + q.Encode()
}

// response is a fully read HTTP response.
type response struct {
	status int
	header http.Header
	body   string
}

// json decodes the body as a JSON object.
func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(r.body), &m); err != nil {
		t.Fatalf("decode %q: %v", r.body, err)
	}
	return m
}

// do sends a request without following redirects.
func do(t *testing.T, method, target string, header http.Header, body io.Reader) response {
	t.Helper()
	r, err := send(t.Context(), method, target, header, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// send is do for goroutines, which must not call t.Fatal.
func send(ctx context.Context, method, target string, header http.Header, body io.Reader) (response, error) {
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return response{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := stoppingAtRedirects(&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}, nil
}

func get(t *testing.T, target string) response {
	t.Helper()
	return do(t, http.MethodGet, target, nil, nil)
}

// postToken posts form to /oauth/token.
func (e *env) postToken(t *testing.T, form url.Values) response {
	t.Helper()
	r, err := e.sendToken(t.Context(), form)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// sendToken is postToken for goroutines.
func (e *env) sendToken(ctx context.Context, form url.Values) (response, error) {
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded;charset=utf-8"}}
	return send(ctx, http.MethodPost, e.url+"/oauth/token", h, strings.NewReader(form.Encode()))
}

// login plays a person agreeing to the authorize URL built from kv and
// returns the code the app receives.
func (e *env) login(t *testing.T, kv ...string) string {
	t.Helper()
	p, err := (&UserAgent{}).Visit(t.Context(), e.authorizeURL(kv...))
	if err != nil {
		t.Fatalf("Visit: %v", err)
	}
	q := queryOf(t, p.URL)
	if q.Get("code") == "" {
		t.Fatalf("no code in redirect %q (status %d)", p.URL, p.StatusCode)
	}
	return q.Get("code")
}

// codeForm is a valid authorization_code request for code.
func (e *env) codeForm(code string, kv ...string) url.Values {
	return withPairs(url.Values{
		"grant_type":   {"authorization_code"},
		"client_id":    {DefaultClientID},
		"redirect_uri": {e.callback},
		"code":         {code},
	}, kv...)
}

// refreshForm is a valid refresh_token request for rt.
func refreshForm(rt string, kv ...string) url.Values {
	return withPairs(url.Values{
		"grant_type":    {"refresh_token"},
		"client_id":     {DefaultClientID},
		"refresh_token": {rt},
	}, kv...)
}

// withPairs sets kv pairs on v; an empty value removes the key.
func withPairs(v url.Values, kv ...string) url.Values {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
			continue
		}
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// tokens logs in and exchanges the code, returning the token response.
func (e *env) tokens(t *testing.T, kv ...string) map[string]any {
	t.Helper()
	r := e.postToken(t, e.codeForm(e.login(t, kv...)))
	if r.status != http.StatusOK {
		t.Fatalf("exchange: %d %s", r.status, r.body)
	}
	return r.json(t)
}

// sendForm sends form, URL-encoded, to the emulator's path.
func (e *env) sendForm(t *testing.T, method, path string, form url.Values) response {
	t.Helper()
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return do(t, method, e.url+path, h, strings.NewReader(form.Encode()))
}

// bearer calls a kapi endpoint with an access token.
func (e *env) bearer(t *testing.T, method, path, token string) response {
	t.Helper()
	return do(t, method, e.url+path, http.Header{"Authorization": {"Bearer " + token}}, nil)
}

func queryOf(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

// oauthError picks the error fields out of a token-endpoint answer.
func oauthError(t *testing.T, r response) map[string]any {
	t.Helper()
	m := r.json(t)
	delete(m, "error_description")
	return m
}

// stoppingAtRedirects is a copy of c (its cookies, say) that stops at the
// first redirect.
func stoppingAtRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}
