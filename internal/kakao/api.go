package kakao

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// API calls Kakao's user API (kapi) as one user.
type API struct {
	// BaseURL is the API base; empty means DefaultAPIURL.
	BaseURL string
	// Tokens gives the user's access token, which every call sends through
	// an oauth2.Transport. When it is also a Renewer, a call that Kakao
	// answers with -401 gets one renewed token and is made once more.
	Tokens oauth2.TokenSource
	// HTTPClient makes the calls; nil means a client with
	// DefaultHTTPTimeout. Whatever it is, redirects are refused.
	HTTPClient *http.Client
}

// Renewer replaces an access token that Kakao refused (-401: revoked, or
// expired before its time) with a fresh one, such as by refreshing it.
type Renewer interface {
	Renew(refused *oauth2.Token) (*oauth2.Token, error)
}

// StaticToken is a TokenSource of one access token, for a call with a
// token just received (no refresh possible).
func StaticToken(accessToken string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken, TokenType: "bearer"})
}

// TokenInfo is GET /v1/user/access_token_info.
type TokenInfo struct {
	UserID    int64 `json:"id"`
	ExpiresIn int64 `json:"expires_in"` // seconds left
	AppID     int64 `json:"app_id"`
}

// User is the part of GET /v2/user/me that kakao-auth shows.
type User struct {
	ID          int64
	ConnectedAt time.Time
	Nickname    string // empty without profile consent
	Email       string // empty without account_email consent
}

// APIError is kapi's error answer: {"msg":"…","code":-NNN}.
type APIError struct {
	HTTPStatus     int
	Code           int
	Msg            string   // Kakao's text, with the access token redacted
	RequiredScopes []string // -402 only
}

func (e *APIError) Error() string {
	return fmt.Sprintf("kakao API error %d: %s", e.Code, e.Msg)
}

// InvalidToken reports Kakao's -401: the access token is unknown, expired or
// revoked; a refresh may help.
func (e *APIError) InvalidToken() bool { return e.Code == -401 }

// Temporary reports errors worth retrying later with the same token.
func (e *APIError) Temporary() bool {
	switch e.Code {
	case -1, -10, -603, -9798:
		return true
	}
	return e.HTTPStatus >= 500
}

// Hint says what to do for the codes a CLI user can act on.
func (e *APIError) Hint() string {
	switch e.Code {
	case -1, -603:
		return "a temporary Kakao error; try again shortly (your tokens are kept)"
	case -10:
		return "the app's API quota is used up; try again later"
	case -401:
		return `the access token is no longer valid; run "kakao-auth login"`
	case -402:
		if len(e.RequiredScopes) > 0 {
			return fmt.Sprintf(`the login lacks consent for %s; run "kakao-auth login --scope %s"`, strings.Join(e.RequiredScopes, ", "), strings.Join(e.RequiredScopes, ","))
		}
		return `the login lacks a needed consent item; run "kakao-auth login --scope …" with it`
	case -101:
		return "the user is not linked to this app; log in again"
	case -9798:
		return "Kakao is under maintenance; try again later"
	}
	return ""
}

func (a *API) base() string {
	if a.BaseURL == "" {
		return DefaultAPIURL
	}
	return strings.TrimRight(a.BaseURL, "/")
}

// TokenInfo asks Kakao about the access token.
func (a *API) TokenInfo(ctx context.Context) (*TokenInfo, error) {
	var info TokenInfo
	if err := a.call(ctx, http.MethodGet, "/v1/user/access_token_info", &info); err != nil {
		return nil, err
	}
	return &info, nil
}

// Me returns the logged-in user.
func (a *API) Me(ctx context.Context) (*User, error) {
	var me struct {
		ID          int64  `json:"id"`
		ConnectedAt string `json:"connected_at"`
		Properties  struct {
			Nickname string `json:"nickname"`
		} `json:"properties"`
		Account struct {
			Profile struct {
				Nickname string `json:"nickname"`
			} `json:"profile"`
			Email string `json:"email"`
		} `json:"kakao_account"`
	}
	if err := a.call(ctx, http.MethodGet, "/v2/user/me", &me); err != nil {
		return nil, err
	}
	u := &User{ID: me.ID, Nickname: firstOf(me.Account.Profile.Nickname, me.Properties.Nickname), Email: me.Account.Email}
	u.ConnectedAt, _ = time.Parse(time.RFC3339, me.ConnectedAt)
	return u, nil
}

// Logout expires the user's tokens for this app (POST /v1/user/logout).
func (a *API) Logout(ctx context.Context) error {
	return a.call(ctx, http.MethodPost, "/v1/user/logout", nil)
}

// Unlink disconnects the user from the app, revoking consent and tokens
// (POST /v1/user/unlink).
func (a *API) Unlink(ctx context.Context) error {
	return a.call(ctx, http.MethodPost, "/v1/user/unlink", nil)
}

// maxAPIBody bounds what a kapi answer may make us read.
const maxAPIBody = 1 << 20

// call makes one kapi call with the source's token and, when Kakao refuses
// that token and the source can renew it, once more with the renewed one.
func (a *API) call(ctx context.Context, method, path string, out any) error {
	if a.Tokens == nil {
		return errors.New("kakao API call without a token source")
	}
	tok, err := a.Tokens.Token()
	if err != nil {
		return err
	}
	err = a.callWith(ctx, tok, method, path, out)
	var ae *APIError
	if r, ok := a.Tokens.(Renewer); ok && errors.As(err, &ae) && ae.InvalidToken() {
		if tok, err = r.Renew(tok); err != nil {
			return err
		}
		err = a.callWith(ctx, tok, method, path, out)
	}
	return err
}

// callWith makes one kapi call with tok, through an oauth2.Transport.
func (a *API) callWith(ctx context.Context, tok *oauth2.Token, method, path string, out any) error {
	accessToken := tok.AccessToken
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{}.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base()+path, body)
	if err != nil {
		return err
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=utf-8")
	}
	var g redirectGuard
	hc := g.client(a.HTTPClient)
	hc.Transport = &oauth2.Transport{Source: oauth2.StaticTokenSource(tok), Base: hc.Transport}
	resp, err := hc.Do(req)
	if err != nil {
		if rerr := g.err(a.base(), path, accessToken); rerr != nil {
			return rerr
		}
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return ctx.Err()
		}
		var nerr net.Error
		timeout := errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout())
		return &NetworkError{URL: a.base(), Timeout: timeout, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIBody))
	if err != nil {
		return &NetworkError{URL: a.base(), Err: err}
	}
	ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var e struct {
			Msg            string   `json:"msg"`
			Code           int      `json:"code"`
			RequiredScopes []string `json:"required_scopes"`
		}
		if json.Unmarshal(data, &e) == nil && e.Code != 0 {
			// Kakao's text is shown; a server may echo the token into it.
			for i, s := range e.RequiredScopes {
				e.RequiredScopes[i] = redact(s, accessToken)
			}
			return &APIError{HTTPStatus: resp.StatusCode, Code: e.Code, Msg: redact(e.Msg, accessToken), RequiredScopes: e.RequiredScopes}
		}
		return &UnexpectedResponseError{HTTPStatus: resp.StatusCode, ContentType: ctype, Reason: "not Kakao's JSON error", BaseURL: a.base(), endpoint: path}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &UnexpectedResponseError{HTTPStatus: resp.StatusCode, ContentType: ctype, Reason: "the answer is not valid JSON", BaseURL: a.base(), endpoint: path}
	}
	return nil
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// UserInfo is GET /v1/oidc/userinfo: the OpenID Connect claims the user
// consented to, as Kakao sends them.
func (a *API) UserInfo(ctx context.Context) (map[string]any, error) {
	var claims map[string]any
	if err := a.call(ctx, http.MethodGet, "/v1/oidc/userinfo", &claims); err != nil {
		return nil, err
	}
	return claims, nil
}
