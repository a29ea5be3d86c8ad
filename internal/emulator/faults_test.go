package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Each fault as a client sees it. KOE237 is Kakao's token rate limit
// (KAKAO.md §2); the others are network and proxy failures the client must
// survive without mistaking them for a Kakao answer.
func TestFault_ClientSeesFailure(t *testing.T) {
	tests := []struct {
		fault Fault
		check func(t *testing.T, resp *http.Response, body []byte, err error)
	}{
		{FaultHang, func(t *testing.T, _ *http.Response, _ []byte, err error) {
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("err = %v, want a client timeout", err)
			}
		}},
		{FaultReset, func(t *testing.T, _ *http.Response, _ []byte, err error) {
			var ne net.Error
			if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
				t.Errorf("err = %v, want a connection error that is not a timeout", err)
			}
		}},
		{FaultHTML, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusBadGateway || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				t.Fatalf("err %v, response %v; want 502 text/html", err, resp)
			}
			if json.Valid(body) {
				t.Errorf("body is JSON: %s", body)
			}
		}},
		{Fault500, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusInternalServerError {
				t.Fatalf("err %v, response %v; want 500", err, resp)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if _, ok := m["error"]; ok {
				t.Errorf("body %s has Kakao's error field, want another shape", body)
			}
		}},
		{FaultNoAccessToken, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("err %v, response %v; want 200", err, resp)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if _, ok := m["access_token"]; ok || m["token_type"] != "bearer" {
				t.Errorf("body = %s, want a token response without access_token", body)
			}
		}},
		{FaultBadJSON, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json;charset=UTF-8" {
				t.Fatalf("err %v, response %v; want 200 application/json", err, resp)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err == nil {
				t.Errorf("body %s decoded, want truncated JSON", body)
			}
		}},
		{FaultRateLimit, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusTooManyRequests {
				t.Fatalf("err %v, response %v; want 429", err, resp)
			}
			var m map[string]any
			if err := json.Unmarshal(body, &m); err != nil {
				t.Fatalf("body is not JSON: %v", err)
			}
			if m["error_code"] != "KOE237" {
				t.Errorf("body = %s, want error_code KOE237", body)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			e := newEnv(t, Config{})
			code := e.login(t)
			e.s.SetFault(tt.fault)

			req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, e.url+"/oauth/token", strings.NewReader(e.codeForm(code).Encode()))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			c := &http.Client{Timeout: 300 * time.Millisecond}
			resp, err := c.Do(req)
			var body []byte
			if err == nil {
				body, err = io.ReadAll(resp.Body)
				resp.Body.Close()
			}
			tt.check(t, resp, body, err)
			if got := e.s.Stats().TokenErrors; got != 1 {
				t.Errorf("TokenErrors = %d, want 1", got)
			}

			// Faults come before any check: the code was not consumed.
			e.s.SetFault(FaultNone)
			if r := e.postToken(t, e.codeForm(code)); r.status != http.StatusOK {
				t.Errorf("after FaultNone: %d %s, want the code still exchangeable", r.status, r.body)
			}
		})
	}
}

// Faults hit /oauth/token only.
func TestFault_OnlyTokenEndpoint(t *testing.T) {
	e := newEnv(t, Config{})
	at := e.tokens(t)["access_token"].(string)
	e.s.SetFault(Fault500)
	if r := e.bearer(t, http.MethodGet, "/v1/user/access_token_info", at); r.status != http.StatusOK {
		t.Errorf("kapi under fault: %d", r.status)
	}
	if r := get(t, e.authorizeURL()); r.status != http.StatusFound {
		t.Errorf("authorize under fault: %d, want 302 (consent remembered)", r.status)
	}
}

func TestParseFault(t *testing.T) {
	for _, f := range append([]Fault{FaultNone}, faults...) {
		got, err := ParseFault(string(f))
		if err != nil || got != f {
			t.Errorf("ParseFault(%q) = %q, %v", f, got, err)
		}
	}
	if _, err := ParseFault("slow"); err == nil {
		t.Error(`ParseFault("slow") succeeded, want an error`)
	}
}

func TestFault_UnknownIs500(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.SetFault("slow")
	r := e.postToken(t, url.Values{})
	if diff := cmp.Diff(http.StatusInternalServerError, r.status); diff != "" {
		t.Errorf("status (-want +got):\n%s", diff)
	}
}
