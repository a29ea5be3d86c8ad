package kakao

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

const testRedirect = "http://localhost:8765/callback"

// login gets a code from the emulator the way a browser would, without a
// listener: the UserAgent's last hop to the redirect URI fails, so the code
// is read from the redirect itself.
func login(t *testing.T, base string, c *Client, scopes []string) *Token {
	t.Helper()
	verifier := NewVerifier()
	authURL := c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier, Scopes: scopes})
	code := codeFrom(t, authURL)
	tok, err := c.Exchange(t.Context(), code, verifier)
	if err != nil {
		t.Fatalf("Exchange() = %v", err)
	}
	return tok
}

func codeFrom(t *testing.T, authURL string) string {
	t.Helper()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize answered %s with Location %q, want a code", resp.Status, resp.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

func newEmulator(t *testing.T, cfg emulator.Config) (*emulator.Server, string) {
	t.Helper()
	cfg.AutoApprove = true
	emu := emulator.New(cfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	return emu, srv.URL
}

func TestExchange_KakaoErrorsMapToKOEWithHints(t *testing.T) {
	tests := []struct {
		name    string
		cfg     emulator.Config
		tweak   func(c *Client)
		reuse   bool
		wantKOE string
		hint    string
	}{
		{name: "secret on but missing", cfg: emulator.Config{ClientSecret: "s"}, wantKOE: "KOE010", hint: "KAKAO_CLIENT_SECRET"},
		{name: "wrong secret", cfg: emulator.Config{ClientSecret: "s"}, tweak: func(c *Client) { c.ClientSecret = "wrong" }, wantKOE: "KOE010", hint: "does not accept the client secret that was sent"},
		{name: "unknown key at token step", tweak: func(c *Client) { c.ClientID = "other" }, wantKOE: "KOE101", hint: "REST API key"},
		{name: "redirect differs", cfg: emulator.Config{RedirectURIs: []string{testRedirect, "http://localhost:8766/callback"}}, tweak: func(c *Client) { c.RedirectURI = "http://localhost:8766/callback" }, wantKOE: "KOE303", hint: "match exactly"},
		{name: "code used twice", reuse: true, wantKOE: "KOE320", hint: "already used"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newEmulator(t, tt.cfg)
			c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
			verifier := NewVerifier()
			code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier}))
			if tt.reuse {
				if _, err := c.Exchange(t.Context(), code, verifier); err != nil {
					t.Fatal(err)
				}
			}
			if tt.tweak != nil {
				tt.tweak(c)
			}
			_, err := c.Exchange(t.Context(), code, verifier)
			var ke *Error
			if !errors.As(err, &ke) || ke.KOE != tt.wantKOE {
				t.Fatalf("Exchange() = %v, want %s", err, tt.wantKOE)
			}
			if !strings.Contains(ke.Hint(), tt.hint) {
				t.Errorf("hint %q does not contain %q", ke.Hint(), tt.hint)
			}
			if strings.Contains(err.Error(), code) {
				t.Errorf("error %q echoes the code", err)
			}
		})
	}
}

func TestExchange_WrongVerifierIsRefused(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: NewVerifier()}))
	_, err := c.Exchange(t.Context(), code, NewVerifier())
	var ke *Error
	if !errors.As(err, &ke) || ke.OAuthError != "invalid_grant" {
		t.Fatalf("Exchange(wrong verifier) = %v, want invalid_grant", err)
	}
}

func TestRefresh_KeepsOrRotatesTheRefreshToken(t *testing.T) {
	tests := []struct {
		name       string
		refreshTTL time.Duration
		wantRotate bool
	}{
		{"60 days left: no rotation", 0, false},
		{"under 30 days left: rotation", 10 * 24 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newEmulator(t, emulator.Config{RefreshTTL: tt.refreshTTL})
			c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
			first := login(t, base, c, []string{"talk_message"})
			got, err := c.Refresh(t.Context(), first.RefreshToken)
			if err != nil {
				t.Fatal(err)
			}
			if got.AccessToken == "" || got.AccessToken == first.AccessToken {
				t.Errorf("refresh gave access token %q, want a new one", got.AccessToken)
			}
			if rotated := got.RefreshToken != ""; rotated != tt.wantRotate {
				t.Fatalf("rotated = %v, want %v", rotated, tt.wantRotate)
			}
			if tt.wantRotate {
				if got.RefreshExpiry.IsZero() {
					t.Error("rotated refresh token has no expiry")
				}
				// The old refresh token stops working: KOE322.
				_, err := c.Refresh(t.Context(), first.RefreshToken)
				var ke *Error
				if !errors.As(err, &ke) || ke.KOE != "KOE322" {
					t.Errorf("refresh with the rotated-away token = %v, want KOE322", err)
				}
			} else if !got.RefreshExpiry.IsZero() {
				t.Error("refresh expiry set although no refresh token came back")
			}
		})
	}
}

// A refresh that fails for a passing reason says to try again, never to
// log in again: the refresh token still works.
func TestRefresh_TransientFailuresSayTryAgain(t *testing.T) {
	for _, f := range []emulator.Fault{emulator.FaultHTML, emulator.Fault500, emulator.FaultRateLimit, emulator.FaultReset} {
		t.Run(string(f), func(t *testing.T) {
			emu, base := newEmulator(t, emulator.Config{})
			c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
			first := login(t, base, c, nil)
			emu.SetFault(f)
			_, err := c.Refresh(t.Context(), first.RefreshToken)
			var h interface{ Hint() string }
			if !errors.As(err, &h) || !strings.Contains(h.Hint(), "try again") || strings.Contains(h.Hint(), "kakao-auth login") {
				t.Errorf("Refresh() = %v, want a hint to try again, not to log in", err)
			}
		})
	}
}

func TestAPI_UserCallsAndErrors(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, []string{"profile_nickname", "account_email"})
	api := &API{BaseURL: base}
	ctx := t.Context()

	info, err := apiAs(api, tok.AccessToken).TokenInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.UserID == 0 || info.ExpiresIn <= 0 || info.AppID == 0 {
		t.Errorf("TokenInfo() = %+v, want id, expires_in and app_id", info)
	}
	me, err := apiAs(api, tok.AccessToken).Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if me.ID != info.UserID || me.Nickname == "" || me.Email == "" || me.ConnectedAt.IsZero() {
		t.Errorf("Me() = %+v, want the consented nickname and email", me)
	}

	_, err = apiAs(api, "not-a-token").TokenInfo(ctx)
	var ae *APIError
	if !errors.As(err, &ae) || !ae.InvalidToken() || ae.HTTPStatus != 401 {
		t.Fatalf("TokenInfo(bad) = %v, want -401", err)
	}

	if err := apiAs(api, tok.AccessToken).Logout(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := apiAs(api, tok.AccessToken).TokenInfo(ctx); !errors.As(err, &ae) || !ae.InvalidToken() {
		t.Errorf("TokenInfo after logout = %v, want -401", err)
	}
	if _, err := c.Refresh(ctx, tok.RefreshToken); err == nil {
		t.Error("refresh token still works after logout")
	}
}

func TestAPI_UnreachableIsANetworkError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := apiAs(&API{BaseURL: base}, "t").TokenInfo(ctx)
	var ne *NetworkError
	if !errors.As(err, &ne) {
		t.Errorf("TokenInfo() = %v, want a NetworkError", err)
	}
}

func TestAPIError_InsufficientScopeNamesTheScopes(t *testing.T) {
	e := &APIError{HTTPStatus: 403, Code: -402, Msg: "insufficient scopes", RequiredScopes: []string{"talk_message"}}
	if h := e.Hint(); !strings.Contains(h, "--scope talk_message") {
		t.Errorf("Hint() = %q, want it to name the scope", h)
	}
}

// A -402 whose items were all malformed offers no command at all, and
// says why.
func TestAPIError_ConsentHintWithoutValidItemsNamesNoCommand(t *testing.T) {
	e := &APIError{HTTPStatus: 403, Code: -402, MalformedScopes: 2}
	if h := e.Hint(); strings.Contains(h, "kakao-auth") || !strings.Contains(h, "not valid ids") {
		t.Errorf("Hint() = %q, want no command and a word on the invalid ids", h)
	}
	e = &APIError{HTTPStatus: 403, Code: -402}
	if h := e.Hint(); strings.Contains(h, "kakao-auth") || !strings.Contains(h, "--scope") {
		t.Errorf("Hint() = %q, want --scope named and no command", h)
	}
}

// apiAs is a with the access token at.
func apiAs(a *API, at string) *API {
	c := *a
	c.Tokens = StaticToken(at)
	return &c
}

// renewing is a token source whose token Kakao refuses, until Renew.
type renewing struct {
	tok     *oauth2.Token
	fresh   string
	renewed int
	err     error
}

func (r *renewing) Token() (*oauth2.Token, error) { return r.tok, nil }
func (r *renewing) Renew(refused *oauth2.Token) (*oauth2.Token, error) {
	r.renewed++
	if r.err != nil {
		return nil, r.err
	}
	if refused.AccessToken != r.tok.AccessToken {
		return nil, errors.New("renewed a token it did not hand out")
	}
	r.tok = &oauth2.Token{AccessToken: r.fresh, TokenType: "bearer"}
	return r.tok, nil
}

// A -401 gets one renewed token and one more try; a renewal that fails,
// and a renewed token Kakao refuses too, end the call.
func TestAPI_RefusedTokenIsRenewedOnce(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	good := login(t, base, c, nil).AccessToken

	src := &renewing{tok: &oauth2.Token{AccessToken: "revoked", TokenType: "bearer"}, fresh: good}
	if _, err := (&API{BaseURL: base, Tokens: src}).TokenInfo(t.Context()); err != nil || src.renewed != 1 {
		t.Errorf("TokenInfo() = %v after %d renewals, want success after 1", err, src.renewed)
	}

	stop := errors.New("login required")
	src = &renewing{tok: &oauth2.Token{AccessToken: "revoked"}, err: stop}
	if _, err := (&API{BaseURL: base, Tokens: src}).TokenInfo(t.Context()); !errors.Is(err, stop) {
		t.Errorf("TokenInfo() = %v, want the renewal's error", err)
	}

	src = &renewing{tok: &oauth2.Token{AccessToken: "revoked"}, fresh: "also-revoked"}
	var ae *APIError
	if _, err := (&API{BaseURL: base, Tokens: src}).TokenInfo(t.Context()); !errors.As(err, &ae) || !ae.InvalidToken() || src.renewed != 1 {
		t.Errorf("TokenInfo() = %v after %d renewals, want -401 after 1", err, src.renewed)
	}
}

// -3 for an item the app never enabled names the item and the console,
// not a login; other -3 answers get no such hint.
func TestAPIError_ItemDisabledPointsAtTheConsole(t *testing.T) {
	e := &APIError{HTTPStatus: 403, Code: -3, Msg: "App disabled [talk_message] scopes for [TALK_MEMO_DEFAULT_SEND] API on developers.kakao.com. Enable it first."}
	h := e.Hint()
	if !strings.Contains(h, "talk_message consent item") || !strings.Contains(h, "[동의항목]") || strings.Contains(h, "--scope") {
		t.Errorf("Hint() = %q, want the item and the console, no login", h)
	}
	other := &APIError{HTTPStatus: 403, Code: -3, Msg: "[profile] is not revocable. check out if it's set as required on developers.kakao.com"}
	if h := other.Hint(); strings.Contains(h, "App disabled") || strings.Contains(h, "--scope") {
		t.Errorf("Hint() for another -3 = %q", h)
	}
}
