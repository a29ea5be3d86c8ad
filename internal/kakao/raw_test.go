package kakao

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

var formHeader = http.Header{"Content-Type": {FormContentType}}

func memoForm(text string) []byte {
	return []byte(url.Values{"template_object": {`{"object_type":"text","text":"` + text + `","link":{}}`}}.Encode())
}

func TestDo_ReturnsTheAnswerAsItCame(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, []string{"profile_nickname"})

	resp, err := apiAs(&API{BaseURL: base}, tok.AccessToken).Do(t.Context(), http.MethodGet, "/v2/user/me?property_keys=x", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.OK() || resp.Err() != nil || resp.StatusCode != 200 || resp.Status != "200 OK" || resp.Proto != "HTTP/1.1" {
		t.Errorf("Do() = %d %q %q, err %v; want 200 OK", resp.StatusCode, resp.Status, resp.Proto, resp.Err())
	}
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(resp.Body), `"nickname":"Ryan"`) {
		t.Errorf("Do() headers %v, body %s; want Kakao's JSON user", resp.Header, resp.Body)
	}
}

// A -402's required_scopes is the server's text: only consent-item ids
// are kept, for a hint to offer to a shell; the rest are only counted.
func TestDo_RequiredScopesKeepOnlyConsentItemIDs(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, []string{"profile_nickname"})
	emu.AnswerAPIWith(&emulator.APIErrorAnswer{Status: 403, Code: -402, Msg: "insufficient scopes.",
		RequiredScopes: []string{"talk_message", "friends,$(touch x)", "", "Account_Email", "a b", "profile_image"}})
	resp, err := apiAs(&API{BaseURL: base}, tok.AccessToken).Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ae *APIError
	if !errors.As(resp.Err(), &ae) {
		t.Fatalf("Do() err %v, want an APIError", resp.Err())
	}
	if diff := cmp.Diff([]string{"talk_message", "profile_image"}, ae.RequiredScopes); diff != "" || ae.MalformedScopes != 4 {
		t.Errorf("RequiredScopes mismatch (-want +got):\n%s\nMalformedScopes = %d, want 4", diff, ae.MalformedScopes)
	}
	if h := ae.Hint(); !strings.Contains(h, `"kakao-auth login --scope talk_message,profile_image"`) || !strings.Contains(h, "not valid ids") {
		t.Errorf("Hint() = %q, want the login for the two ids, and a word on the rest", h)
	}
}

// An error answer is an answer: its body and headers come back with the
// error it stands for.
func TestDo_ErrorAnswersCarryKakaosBodyAndError(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, []string{"profile_nickname"})
	api := apiAs(&API{BaseURL: base}, tok.AccessToken)

	resp, err := api.Do(t.Context(), http.MethodPost, "/v2/api/talk/memo/default/send", formHeader, memoForm("hi"))
	if err != nil {
		t.Fatal(err)
	}
	var ae *APIError
	if resp.OK() || resp.StatusCode != 403 || !errors.As(resp.Err(), &ae) || ae.Code != -402 || len(ae.RequiredScopes) != 1 || ae.RequiredScopes[0] != "talk_message" {
		t.Fatalf("Do() = %d, err %v; want 403 -402 naming talk_message", resp.StatusCode, resp.Err())
	}
	if !strings.Contains(string(resp.Body), `"required_scopes":["talk_message"]`) {
		t.Errorf("body %s is not Kakao's -402", resp.Body)
	}

	emu.SetFault(emulator.FaultAPIQuota)
	resp, err = api.Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	if err != nil || resp.StatusCode != 400 || !errors.As(resp.Err(), &ae) || ae.Code != -10 {
		t.Errorf("Do() under api-quota = %v, %v; want 400 -10", resp, err)
	}
}

// A -401 renews the token once and makes the request again, body and all.
func TestDo_RefusedTokenIsRenewedAndTheBodyReplayed(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	good := login(t, base, c, []string{"talk_message"}).AccessToken

	src := &renewing{tok: &oauth2.Token{AccessToken: "revoked", TokenType: "bearer"}, fresh: good}
	resp, err := (&API{BaseURL: base, Tokens: src}).Do(t.Context(), http.MethodPost, "/v2/api/talk/memo/default/send", formHeader, memoForm("replayed"))
	if err != nil || !resp.OK() || src.renewed != 1 {
		t.Fatalf("Do() = %v, %v after %d renewals; want 200 after 1", resp, err, src.renewed)
	}
	if memos := emu.Memos(); len(memos) != 1 || memos[0].Text != "replayed" {
		t.Errorf("emulator memos = %+v, want the one message, body intact", memos)
	}

	src = &renewing{tok: &oauth2.Token{AccessToken: "revoked"}, fresh: "also-revoked"}
	resp, err = (&API{BaseURL: base, Tokens: src}).Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	var ae *APIError
	if err != nil || !errors.As(resp.Err(), &ae) || !ae.InvalidToken() || src.renewed != 1 {
		t.Errorf("Do() = %v, %v after %d renewals; want the second -401 answer after 1", resp, err, src.renewed)
	}
}

// The path is appended to the base: it must not be able to change the
// host the token goes to.
func TestDo_PathStaysOnTheBaseHost(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	var hits atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	t.Cleanup(other.Close)
	otherHost := strings.TrimPrefix(other.URL, "http://")
	for _, path := range []string{"v2/user/me", "@" + otherHost + "/v2/user/me", "//" + otherHost + "/v2/user/me", ".evil.example/x", ""} {
		t.Run(path, func(t *testing.T) {
			if _, err := apiAs(&API{BaseURL: base}, "tok").Do(t.Context(), http.MethodGet, path, nil, nil); err == nil {
				t.Errorf("Do(%q) succeeded, want it refused", path)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the other server got %d requests", n)
	}
}

func TestDo_EchoedTokenIsRedactedFromErrorAnswers(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, nil)
	emu.SetFault(emulator.FaultEcho)
	resp, err := apiAs(&API{BaseURL: base}, tok.AccessToken).Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(resp.Body), tok.AccessToken) || !strings.Contains(string(resp.Body), "Bearer [redacted]") {
		t.Errorf("body %s shows the access token, or not the redacted echo", resp.Body)
	}
	if resp.Err() == nil || strings.Contains(resp.Err().Error(), tok.AccessToken) {
		t.Errorf("Err() = %v, want an error without the token", resp.Err())
	}
}

// A body over the bound is refused whole, never passed on cut short.
func TestDo_OversizedAnswerIsRefused(t *testing.T) {
	huge := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`"` + strings.Repeat("x", MaxAPIBody) + `"`))
	}))
	t.Cleanup(huge.Close)
	_, err := apiAs(&API{BaseURL: huge.URL}, "tok").Do(t.Context(), http.MethodGet, "/v2/user/me", nil, nil)
	var ue *UnexpectedResponseError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Do() = %v, want the answer refused as too large", err)
	}
}
