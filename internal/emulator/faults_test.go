package emulator

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Each fault as a client sees it. KOE237 is Kakao's token rate limit (Kakao's
// "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token);
// the others are network and proxy failures the client must survive without
// mistaking them for a Kakao answer.
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
		// Kakao's "토큰 받기",
		// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token
		// (KOE237: 400 in public fixtures) and Kakao's REST API reference, "응답
		// 코드", https://developers.kakao.com/docs/latest/ko/rest-api/reference:
		// Kakao Login never answers 429.
		{FaultRateLimit, func(t *testing.T, resp *http.Response, body []byte, err error) {
			if err != nil || resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("err %v, response %v; want 400", err, resp)
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

// Faults other than the redirect and echo ones hit /oauth/token only.
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

// Kakao's REST API reference, "응답 코드",
// https://developers.kakao.com/docs/latest/ko/rest-api/reference, and Kakao's
// quotas, https://developers.kakao.com/docs/latest/getting-started/quota: over
// quota, kapi answers -10 with HTTP 400; the token endpoint keeps working, so a
// client can tell it from a dead token.
func TestFault_APIQuotaIsMinus10OnKapiOnly(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.tokens(t, "scope", "openid talk_message")
	at := tok["access_token"].(string)
	e.s.SetFault(FaultAPIQuota)
	want := map[string]any{"msg": "API limit has been exceeded.", "code": float64(-10)}
	for _, c := range []struct{ method, path string }{
		{http.MethodGet, "/v2/user/me"},
		{http.MethodGet, "/v1/user/access_token_info"},
		{http.MethodGet, "/v1/oidc/userinfo"},
		{http.MethodPost, "/v1/user/logout"},
	} {
		r := e.bearer(t, c.method, c.path, at)
		if diff := cmp.Diff(want, r.json(t)); diff != "" || r.status != http.StatusBadRequest {
			t.Errorf("%s %s: status %d, want 400 (-want +got):\n%s", c.method, c.path, r.status, diff)
		}
	}
	if r := e.postToken(t, refreshForm(tok["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("refresh under api-quota: %d %s, want 200", r.status, r.body)
	}
	if get(t, e.authorizeURL()).status != http.StatusFound {
		t.Error("authorize under api-quota: want the usual redirect")
	}
	if st := e.s.Stats(); st.TokenErrors != 0 {
		t.Errorf("TokenErrors = %d, want 0: the fault is not the token endpoint's", st.TokenErrors)
	}
	e.s.SetFault(FaultNone)
	if r := e.bearer(t, http.MethodGet, "/v2/user/me", at); r.status != http.StatusOK {
		t.Errorf("after the fault: %d, want the token still valid", r.status)
	}
}

// Under api-hang a kapi request gets no answer until its client gives up;
// the token endpoint keeps answering.
func TestFault_APIHangHoldsKapiOnly(t *testing.T) {
	e := newEnv(t, Config{})
	tok := e.tokens(t, "scope", "talk_message")
	e.s.SetFault(FaultAPIHang)
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	_, err := send(ctx, http.MethodGet, e.url+"/v2/user/me", http.Header{"Authorization": {"Bearer " + tok["access_token"].(string)}}, nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("kapi under api-hang: err = %v, want the client's deadline", err)
	}
	if r := e.postToken(t, refreshForm(tok["refresh_token"].(string))); r.status != http.StatusOK {
		t.Errorf("refresh under api-hang: %d %s, want 200", r.status, r.body)
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

// The redirect faults send every server-to-server endpoint elsewhere with
// 307 or 308, and leave the browser's authorize endpoint and the
// emulator's own paths alone.
func TestFault_RedirectsEveryServerToServerEndpoint(t *testing.T) {
	for _, tt := range []struct {
		fault  Fault
		status int
	}{{FaultRedirect307, http.StatusTemporaryRedirect}, {FaultRedirect308, http.StatusPermanentRedirect}} {
		t.Run(string(tt.fault), func(t *testing.T) {
			e := newEnv(t, Config{})
			at := e.tokens(t)["access_token"].(string)
			e.s.SetFault(tt.fault)
			for _, ep := range []struct{ method, path string }{
				{http.MethodPost, "/oauth/token"},
				{http.MethodPost, "/oauth/tokeninfo"},
				{http.MethodGet, "/.well-known/openid-configuration"},
				{http.MethodGet, "/.well-known/jwks.json"},
				{http.MethodGet, "/v1/user/access_token_info"},
				{http.MethodGet, "/v2/user/me"},
				{http.MethodPost, "/v1/user/logout"},
				{http.MethodGet, "/v1/oidc/userinfo"},
				{http.MethodGet, "/v2/user/scopes"},
				{http.MethodPost, "/v2/user/revoke/scopes"},
				{http.MethodPost, "/v2/api/talk/memo/default/send"},
			} {
				r := do(t, ep.method, e.url+ep.path, http.Header{"Authorization": {"Bearer " + at}}, nil)
				if r.status != tt.status || r.header.Get("Location") != e.url+"/_emulator/sink" {
					t.Errorf("%s %s: %d Location %q, want %d to the sink", ep.method, ep.path, r.status, r.header.Get("Location"), tt.status)
				}
			}
			if r := get(t, e.authorizeURL()); r.status != http.StatusFound || strings.Contains(r.header.Get("Location"), "/_emulator/") {
				t.Errorf("authorize under a redirect fault: %d %q, want Kakao's own 302", r.status, r.header.Get("Location"))
			}
			logout := e.url + "/oauth/logout?client_id=" + DefaultClientID + "&logout_redirect_uri=" + url.QueryEscape(DefaultLogoutRedirectURI)
			if r := get(t, logout); r.status != http.StatusFound || r.header.Get("Location") != DefaultLogoutRedirectURI {
				t.Errorf("/oauth/logout under a redirect fault: %d %q, want Kakao's own 302", r.status, r.header.Get("Location"))
			}
			if r := get(t, e.url+"/_emulator/stats"); r.status != http.StatusOK {
				t.Errorf("/_emulator/stats under a redirect fault: %d", r.status)
			}
			if got := e.s.Stats().TokenErrors; got != 1 {
				t.Errorf("TokenErrors = %d, want 1 (the redirected /oauth/token)", got)
			}
		})
	}
}

// A client that follows the redirect (Go's default client does, for 307
// and 308, body and all) hands its form to the sink, which records it and
// answers with tokens; the redirect target may be another emulator.
func TestFault_RedirectSinkRecordsWhatAFollowingClientSends(t *testing.T) {
	e := newEnv(t, Config{ClientSecret: "Sec+ret"})
	other := New(Config{})
	sink := httptest.NewServer(other)
	t.Cleanup(sink.Close)
	code := e.login(t)
	e.s.SetFault(FaultRedirect307)
	e.s.SetRedirectTarget(sink.URL + "/_emulator/sink")

	form := e.codeForm(code, "client_secret", "Sec+ret")
	resp, err := http.Post(e.url+"/oauth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || resp.StatusCode != http.StatusOK || m["access_token"] == nil || m["refresh_token"] == nil {
		t.Errorf("followed redirect: %d %s, want a token-shaped answer", resp.StatusCode, body)
	}
	got := other.Sunk()
	want := []SinkRequest{{Method: http.MethodPost, Path: "/_emulator/sink", Body: form.Encode()}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Sunk() mismatch (-want +got):\n%s", diff)
	}
	if n := other.Stats().SinkRequests; n != 1 {
		t.Errorf("SinkRequests = %d, want 1", n)
	}
	if n := len(e.s.Sunk()); n != 0 {
		t.Errorf("the redirecting emulator's own sink got %d requests, want 0", n)
	}

	// The fault came before any check: the code still works.
	e.s.SetFault(FaultNone)
	if r := e.postToken(t, form); r.status != http.StatusOK {
		t.Errorf("after FaultNone: %d %s, want the code still exchangeable", r.status, r.body)
	}
}

// The echo fault puts the request into the error text: the token
// endpoint's form in four spellings, kapi's Authorization header.
func TestFault_EchoRepeatsTheRequest(t *testing.T) {
	e := newEnv(t, Config{})
	e.s.SetFault(FaultEcho)
	form := refreshForm("emu_rt_x", "client_secret", "Sec+ret/with=chars&x y")
	r := e.postToken(t, form)
	if r.status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400", r.status)
	}
	desc, _ := r.json(t)["error_description"].(string)
	for _, want := range []string{
		"client_secret=Sec%2Bret%2Fwith%3Dchars%26x+y",
		"client_secret=Sec%2bret%2fwith%3dchars%26x+y",
		"client_secret=Sec%2Bret%2Fwith%3Dchars%26x%20y",
		`"client_secret":"Sec+ret/with=chars\u0026x y"`,
	} {
		if !strings.Contains(desc, want) {
			t.Errorf("error_description %q lacks %q", desc, want)
		}
	}
	r = e.bearer(t, http.MethodGet, "/v1/user/access_token_info", "emu_at_echoed")
	if m := r.json(t); r.status != http.StatusBadRequest || m["code"] != float64(-2) || !strings.Contains(m["msg"].(string), "Bearer emu_at_echoed") {
		t.Errorf("kapi under echo: %d %s, want -2 with the Authorization header", r.status, r.body)
	}
}

// Each broken-token fault answers 200 with a Kakao-shaped token response
// that breaks exactly the rule it is named for.
func TestFault_BrokenTokenResponses(t *testing.T) {
	tests := []struct {
		fault Fault
		check func(m map[string]any, body string) bool
	}{
		{FaultHugeRefreshLifetime, func(m map[string]any, _ string) bool { return m["refresh_token_expires_in"] == float64(9300000000) }},
		{FaultNegativeExpiresIn, func(m map[string]any, _ string) bool { return m["expires_in"] == float64(-3600) }},
		{FaultZeroExpiresIn, func(m map[string]any, _ string) bool { return m["expires_in"] == float64(0) }},
		{FaultNoExpiresIn, func(m map[string]any, _ string) bool { _, ok := m["expires_in"]; return !ok }},
		{FaultFractionalExpiresIn, func(_ map[string]any, body string) bool { return strings.Contains(body, `"expires_in":21599.5`) }},
		{FaultStringExpiresIn, func(m map[string]any, _ string) bool { return m["expires_in"] == "21599s" }},
		{FaultNoRefreshLifetime, func(m map[string]any, _ string) bool {
			_, ok := m["refresh_token_expires_in"]
			return !ok && m["refresh_token"] != nil
		}},
		{FaultNoRefreshToken, func(m map[string]any, _ string) bool {
			_, rt := m["refresh_token"]
			_, rtl := m["refresh_token_expires_in"]
			return !rt && !rtl
		}},
		{FaultAccessTokenSpace, func(m map[string]any, _ string) bool { return strings.Contains(m["access_token"].(string), " ") }},
		{FaultAccessTokenQuote, func(m map[string]any, _ string) bool { return strings.ContainsAny(m["access_token"].(string), `"'$`) }},
		{FaultAccessTokenControl, func(m map[string]any, _ string) bool {
			return strings.Contains(m["access_token"].(string), "\nKAKAO_INJECTED=1")
		}},
		{FaultRefreshTokenSpace, func(m map[string]any, _ string) bool { return strings.Contains(m["refresh_token"].(string), " ") }},
		{FaultRefreshTokenControl, func(m map[string]any, _ string) bool { return strings.Contains(m["refresh_token"].(string), "\x1b") }},
		{FaultIDTokenSpace, func(m map[string]any, _ string) bool { return strings.Contains(m["id_token"].(string), " ") }},
		{FaultTokenTypeBasic, func(m map[string]any, _ string) bool { return m["token_type"] == "Basic" }},
		{FaultTokenTypeHeader, func(m map[string]any, _ string) bool { return m["token_type"] == "Bearer\r\nX-Inj: 1" }},
		{FaultTokenTypeEscape, func(m map[string]any, _ string) bool { return m["token_type"] == "\x1b[2Jbearer" }},
		{FaultNoTokenType, func(m map[string]any, _ string) bool { _, ok := m["token_type"]; return !ok }},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			e := newEnv(t, Config{})
			code := e.login(t)
			e.s.SetFault(tt.fault)
			r := e.postToken(t, e.codeForm(code))
			m := r.json(t)
			tokenTypeFault := strings.Contains(string(tt.fault), "token-type")
			if r.status != http.StatusOK || r.header.Get("Cache-Control") != "no-store" || (m["token_type"] != "bearer" && !tokenTypeFault) || m["access_token"] == nil {
				t.Fatalf("%d %s, want a 200 token response", r.status, r.body)
			}
			if !tt.check(m, r.body) {
				t.Errorf("body %s does not break the rule the fault names", r.body)
			}
			// The tokens are not the emulator's: kapi does not know them.
			// (Go's client refuses to send one with a newline at all.)
			at, _ := m["access_token"].(string)
			if r, err := send(t.Context(), http.MethodGet, e.url+"/v1/user/access_token_info", http.Header{"Authorization": {"Bearer " + at}}, nil); err == nil && r.status == http.StatusOK {
				t.Error("the faulted access token works at kapi")
			}
			e.s.SetFault(FaultNone)
			if r := e.postToken(t, e.codeForm(code)); r.status != http.StatusOK {
				t.Errorf("after FaultNone: %d %s, want the code still exchangeable", r.status, r.body)
			}
		})
	}
}
