package kakao

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// canned answers every request with one fixed response, no network.
type canned struct {
	status int
	ctype  string
	body   []byte
}

func (c canned) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode: c.status,
		Header:     http.Header{"Content-Type": {c.ctype}},
		Body:       io.NopCloser(bytes.NewReader(c.body)),
		Request:    req,
	}, nil
}

func typedError(err error) bool {
	var ke *Error
	var ue *UnexpectedResponseError
	var ne *NetworkError
	var ae *APIError
	return errors.As(err, &ke) || errors.As(err, &ue) || errors.As(err, &ne) || errors.As(err, &ae)
}

// FuzzTokenResponse feeds arbitrary token-endpoint answers to Exchange and
// Refresh: they must never panic, and return either a token with an access
// token (whose type is "bearer", the one scheme sent) or one of this
// package's errors, whose text never quotes a body
// that is not Kakao's JSON error.
func FuzzTokenResponse(f *testing.F) {
	seeds := []struct {
		status int
		ctype  string
		body   string
	}{
		{200, "application/json;charset=UTF-8", `{"token_type":"bearer","access_token":"at","expires_in":21599,"refresh_token":"rt","refresh_token_expires_in":5183999,"scope":"talk_message profile_nickname"}`},
		{200, "application/json", `{"token_type":"bearer","access_token":"at","expires_in":"21599"}`},
		{200, "application/json", `{"token_type":"Bearer\r\nX-Inj: 1","access_token":"at","expires_in":21599,"refresh_token":"rt","refresh_token_expires_in":5183999}`},
		{400, "application/json", `{"error":"invalid_grant","error_description":"authorization code not found for code=SECRETCODE","error_code":"KOE320"}`},
		{401, "application/json", `{"error":"invalid_client","error_description":"Bad client credentials","error_code":"KOE010"}`},
		{502, "text/html", `<html><body>502 Bad Gateway SECRETBODY</body></html>`},
		{200, "application/json", `{"token_type":"bearer","expires_in":21599`},
		{200, "text/plain", `access_token=at&expires_in=60`},
		{200, "application/x-www-form-urlencoded", `error=invalid_grant&error_description=x`},
		{500, "", ``},
	}
	for _, s := range seeds {
		f.Add(s.status, s.ctype, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		c := &Client{ClientID: "k", ClientSecret: "SECRETCLIENT", RedirectURI: "http://localhost:1/cb", AuthURL: "http://kauth.invalid",
			HTTPClient: &http.Client{Transport: canned{status, ctype, body}}}
		for _, call := range []struct {
			do   func() (*Token, error)
			sent []string
		}{
			{func() (*Token, error) { return c.Exchange(t.Context(), "SECRETCODE", "SECRETVERIFIER") }, []string{"SECRETCODE", "SECRETVERIFIER", "SECRETCLIENT"}},
			{func() (*Token, error) { return c.Refresh(t.Context(), "SECRETRT") }, []string{"SECRETRT", "SECRETCLIENT"}},
		} {
			tok, err := call.do()
			if err == nil {
				if tok == nil || tok.AccessToken == "" || tok.TokenType != "bearer" {
					t.Fatalf("success without an access token, or not a bearer one: %+v", tok)
				}
				continue
			}
			if !typedError(err) {
				t.Fatalf("untyped error %T: %v", err, err)
			}
			// Only Kakao's own JSON error texts are shown; any other body
			// (a proxy page, say) may hold anything and is never quoted.
			var ke *Error
			if !errors.As(err, &ke) && strings.Contains(string(body), "SECRETBODY") && strings.Contains(err.Error(), "SECRETBODY") {
				t.Fatalf("error %q quotes the response body", err)
			}
			for _, secret := range call.sent {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error %q echoes a secret that was sent", err)
				}
			}
		}
	})
}

// FuzzAPIResponse does the same for kapi answers.
func FuzzAPIResponse(f *testing.F) {
	f.Add(200, "application/json", []byte(`{"id":4000000001,"expires_in":21000,"app_id":123456}`))
	f.Add(401, "application/json", []byte(`{"msg":"this access token does not exist","code":-401}`))
	f.Add(403, "application/json", []byte(`{"msg":"insufficient scopes","code":-402,"required_scopes":["talk_message"]}`))
	f.Add(200, "application/json", []byte(`{"id":"not a number"}`))
	f.Add(502, "text/html", []byte(`<html>bad gateway</html>`))
	f.Fuzz(func(t *testing.T, status int, ctype string, body []byte) {
		if status < 100 || status > 999 {
			return
		}
		api := &API{BaseURL: "http://kapi.invalid", HTTPClient: &http.Client{Transport: canned{status, ctype, body}}}
		if _, err := apiAs(api, "at").TokenInfo(t.Context()); err != nil && !typedError(err) {
			t.Fatalf("TokenInfo: untyped error %T: %v", err, err)
		}
		if _, err := apiAs(api, "at").Me(t.Context()); err != nil && !typedError(err) {
			t.Fatalf("Me: untyped error %T: %v", err, err)
		}
	})
}
