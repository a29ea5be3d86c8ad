package kakao

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// Every call to Kakao refuses a redirect, whatever client the caller
// passes: a 307 or 308 would carry the form (client secret, code,
// refresh token) or the Authorization header to the Location, and its
// answer would be taken for Kakao's. The Location here is a second
// emulator's sink, which records whatever reaches it.
func TestKakaoCalls_RefuseRedirects(t *testing.T) {
	const secret = "Sec+ret/with=chars&x"
	type call struct {
		name string
		do   func(ctx context.Context, c *Client, api *API, tok *Token, v *IDVerifier) error
		sent func(tok *Token) []string
	}
	calls := []call{
		{"exchange", func(ctx context.Context, c *Client, _ *API, _ *Token, _ *IDVerifier) error {
			verifier := NewVerifier()
			code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier}))
			_, err := c.Exchange(ctx, code, verifier)
			return err
		}, func(*Token) []string { return []string{secret} }},
		{"refresh", func(ctx context.Context, c *Client, _ *API, tok *Token, _ *IDVerifier) error {
			_, err := c.Refresh(ctx, tok.RefreshToken)
			return err
		}, func(tok *Token) []string { return []string{secret, tok.RefreshToken} }},
		{"kapi GET", func(ctx context.Context, _ *Client, api *API, tok *Token, _ *IDVerifier) error {
			_, err := apiAs(api, tok.AccessToken).TokenInfo(ctx)
			return err
		}, func(tok *Token) []string { return []string{tok.AccessToken} }},
		{"kapi POST", func(ctx context.Context, _ *Client, api *API, tok *Token, _ *IDVerifier) error {
			return apiAs(api, tok.AccessToken).Logout(ctx)
		}, func(tok *Token) []string { return []string{tok.AccessToken} }},
		{"kapi raw", func(ctx context.Context, _ *Client, api *API, tok *Token, _ *IDVerifier) error {
			_, err := apiAs(api, tok.AccessToken).Do(ctx, http.MethodPost, "/v2/user/me", http.Header{"Content-Type": {FormContentType}}, []byte("a=b"))
			return err
		}, func(tok *Token) []string { return []string{tok.AccessToken} }},
		{"JWKS", func(ctx context.Context, _ *Client, _ *API, tok *Token, v *IDVerifier) error {
			_, err := v.Verify(ctx, tok.IDToken, "n", false)
			return err
		}, func(tok *Token) []string { return nil }},
	}
	clients := map[string]func() *http.Client{
		"default client":  func() *http.Client { return nil },
		"caller's client": func() *http.Client { return &http.Client{} },
	}
	for _, status := range []emulator.Fault{emulator.FaultRedirect307, emulator.FaultRedirect308} {
		for cname, client := range clients {
			for _, tt := range calls {
				t.Run(string(status)+"/"+cname+"/"+tt.name, func(t *testing.T) {
					emu, base := newEmulator(t, emulator.Config{ClientSecret: secret})
					other := emulator.New(emulator.Config{})
					sink := httptest.NewServer(other)
					t.Cleanup(sink.Close)
					c := &Client{ClientID: emulator.DefaultClientID, ClientSecret: secret, RedirectURI: testRedirect, AuthURL: base, HTTPClient: client()}
					tok := oidcLogin(t, c, "n")
					api := &API{BaseURL: base, HTTPClient: client()}
					v := &IDVerifier{ClientID: emulator.DefaultClientID, AuthURL: base, HTTPClient: client()}

					emu.SetFault(status)
					emu.SetRedirectTarget(sink.URL + "/_emulator/sink")
					err := tt.do(t.Context(), c, api, tok, v)
					if got := other.Sunk(); len(got) != 0 {
						t.Errorf("the redirect was followed: the other server received %+v", got)
					}
					if err == nil {
						t.Fatal("the call succeeded, want a refused redirect")
					}
					var re *RedirectError
					if !errors.As(err, &re) || re.HTTPStatus != map[emulator.Fault]int{emulator.FaultRedirect307: 307, emulator.FaultRedirect308: 308}[status] {
						t.Errorf("error %v (%T) is not a *RedirectError with the status", err, err)
					} else if !strings.Contains(re.Hint(), base) {
						t.Errorf("hint %q does not name the base URL", re.Hint())
					}
					msg := err.Error()
					if !strings.Contains(msg, "redirect") || !strings.Contains(msg, sink.URL+"/_emulator/sink") || !strings.Contains(msg, "never follows redirects") {
						t.Errorf("error %q does not say the answer was a refused redirect to the sink", msg)
					}
					for _, s := range tt.sent(tok) {
						if strings.Contains(msg, s) {
							t.Errorf("error %q contains a secret that was sent", msg)
						}
					}
				})
			}
		}
	}
}
