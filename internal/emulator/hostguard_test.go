package emulator

import (
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// sendHost sends a request to target with its Host header set to host.
func sendHost(t *testing.T, method, target, host string, body url.Values) response {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = strings.NewReader(body.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Host = host
	resp, err := stoppingAtRedirects(&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// A page on a name its attacker controls, rebound to 127.0.0.1 (DNS
// rebinding), reaches the emulator with that name as Host: it gets 421
// Misdirected Request and nothing else, neither the messages sent "to me"
// nor an issuer naming it, and changes nothing.
func TestHost_OtherNamesAreMisdirected(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t, "scope", "talk_message")["access_token"].(string)
	if r := e.postForm(t, memoPath, at, url.Values{"template_object": {textTemplate}}); r.status != http.StatusOK {
		t.Fatalf("send: %d %s", r.status, r.body)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(e.url, "http://"))
	for _, host := range []string{"rebind.evil.example:" + port, "rebind.evil.example", "localhost.evil.example:" + port, "127.0.0.1.evil.example:" + port} {
		for _, tt := range []struct {
			method, path string
			form         url.Values
		}{
			{http.MethodGet, "/_emulator/memos", nil},
			{http.MethodGet, "/.well-known/openid-configuration", nil},
			{http.MethodGet, "/_emulator/stats", nil},
			{http.MethodPost, "/_emulator/expire-access-tokens", url.Values{}},
			{http.MethodGet, "/oauth/authorize?client_id=" + DefaultClientID, nil},
		} {
			r := sendHost(t, tt.method, e.url+tt.path, host, tt.form)
			if r.status != http.StatusMisdirectedRequest {
				t.Errorf("Host %s, %s %s: status %d, want 421; body %q", host, tt.method, tt.path, r.status, r.body)
			}
			if strings.Contains(r.body, "빌드 끝") || strings.Contains(r.body, `"issuer"`) {
				t.Errorf("Host %s, %s %s: body %q hands out the emulator's data", host, tt.method, tt.path, r.body)
			}
		}
	}
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at); r.status != http.StatusOK {
		t.Errorf("the access token after the misdirected requests: %d %s", r.status, r.body)
	}
}

// The names the emulator is reached by on this machine are served, each
// advertised as the issuer as it came: its address, localhost in any case
// (with or without the port) and loopback addresses, IPv6 included.
func TestHost_ItsOwnNamesAreServed(t *testing.T) {
	e := newEnv(t, Config{})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(e.url, "http://"))
	for _, host := range []string{"127.0.0.1:" + port, "127.0.0.1", "localhost:" + port, "LocalHost:" + port, "localhost", "[::1]:" + port, "127.0.0.2:" + port} {
		r := sendHost(t, http.MethodGet, e.url+"/.well-known/openid-configuration", host, nil)
		if r.status != http.StatusOK {
			t.Errorf("Host %s: status %d, want 200; body %q", host, r.status, r.body)
			continue
		}
		if got := r.json(t)["issuer"]; got != "http://"+host {
			t.Errorf("Host %s: issuer %v", host, got)
		}
	}
}

// Behind a reverse proxy or in a container network, --public-url's host is
// served too (whatever port the proxy kept), and other names still are not.
func TestHost_PublicURLsHostIsServed(t *testing.T) {
	const pub = "http://kakao-emulator:9339"
	e := newEnv(t, Config{PublicURL: pub})
	for host, want := range map[string]int{
		"kakao-emulator:9339":   http.StatusOK,
		"kakao-emulator":        http.StatusOK,
		"KAKAO-EMULATOR:8443":   http.StatusOK,
		"other-container:9339":  http.StatusMisdirectedRequest,
		"kakao-emulator.evil.x": http.StatusMisdirectedRequest,
	} {
		r := sendHost(t, http.MethodGet, e.url+"/.well-known/openid-configuration", host, nil)
		if r.status != want {
			t.Errorf("Host %s: status %d, want %d; body %q", host, r.status, want, r.body)
		}
	}
}

// A listener on [::1] serves its own address as it came.
func TestHost_IPv6LoopbackListener(t *testing.T) {
	run, err := Start(t.Context(), "[::1]:0", New(Config{}))
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	defer run.Close()
	r := get(t, run.BaseURL+"/.well-known/openid-configuration")
	if r.status != http.StatusOK || r.json(t)["issuer"] != run.BaseURL {
		t.Errorf("GET %s: %d %s", run.BaseURL, r.status, r.body)
	}
}

// The origin rule, header by header: a state change to the emulator's own
// paths is refused when a browser says it comes from another origin, and
// taken from the emulator's own pages (Origin its own, or its public URL
// behind a proxy) and from programs, which send neither header. Kakao's
// own endpoints keep serving servers and browsers alike.
func TestOrigin_StateChangesOnlyFromItsOwnPages(t *testing.T) {
	e := newEnv(t, Config{PublicURL: "https://emu.example"})
	self := e.url
	tests := []struct {
		name   string
		path   string
		header http.Header
		want   int
	}{
		{"a program", "/_emulator/rotate-key", nil, http.StatusOK},
		{"its own page", "/_emulator/rotate-key", http.Header{"Origin": {self}, "Sec-Fetch-Site": {"same-origin"}}, http.StatusOK},
		{"its own page, old browser", "/_emulator/rotate-key", http.Header{"Origin": {self}}, http.StatusOK},
		{"its public URL behind a proxy", "/_emulator/rotate-key", http.Header{"Origin": {"https://emu.example"}}, http.StatusOK},
		{"typed by the person", "/_emulator/rotate-key", http.Header{"Sec-Fetch-Site": {"none"}}, http.StatusOK},
		{"another port, same site", "/_emulator/rotate-key", http.Header{"Origin": {"http://127.0.0.1:1"}, "Sec-Fetch-Site": {"same-site"}}, http.StatusForbidden},
		{"another site", "/_emulator/expire-access-tokens", http.Header{"Origin": {"https://evil.example"}, "Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"Sec-Fetch-Site alone", "/_emulator/expire-access-tokens", http.Header{"Sec-Fetch-Site": {"cross-site"}}, http.StatusForbidden},
		{"Origin alone", "/_emulator/expire-access-tokens", http.Header{"Origin": {"http://localhost:1"}}, http.StatusForbidden},
		{"opaque origin", "/_emulator/expire-access-tokens", http.Header{"Origin": {"null"}}, http.StatusForbidden},
		{"consent form from another site", "/oauth/authorize/consent", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		// Kakao's endpoints: a JS app's own page may call them; the
		// emulator answers as it would without the header.
		{"token endpoint from a page", "/oauth/token", http.Header{"Origin": {"http://localhost:3000"}, "Sec-Fetch-Site": {"same-site"}}, http.StatusUnauthorized}, // KOE101, as without the headers
	}
	for _, tt := range tests {
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
		for k, v := range tt.header {
			h[k] = v
		}
		r := do(t, http.MethodPost, e.url+tt.path, h, strings.NewReader(""))
		if r.status != tt.want {
			t.Errorf("%s: POST %s: status %d, want %d; body %q", tt.name, tt.path, r.status, tt.want, r.body)
		}
	}
	// Reading stays open to programs and the emulator's own pages.
	if r := do(t, http.MethodGet, e.url+"/_emulator/stats", http.Header{"Sec-Fetch-Site": {"cross-site"}}, nil); r.status != http.StatusOK {
		t.Errorf("GET /_emulator/stats: %d", r.status)
	}
}
