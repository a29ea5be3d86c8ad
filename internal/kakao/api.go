package kakao

import (
	"context"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
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
	RequiredScopes []string // -402 only; well-formed ids only (ValidScopeID)
	// MalformedScopes counts the items of required_scopes that were not
	// consent-item ids, left out of RequiredScopes: a server's text that
	// could be anything, which no hint may offer to a shell.
	MalformedScopes int
}

// ValidScopeID reports whether s has the form of a consent-item ID, such
// as talk_message or account_email: lowercase letters, digits and _, the
// form of every ID the scope parameter of "인가 코드 받기" lists
// (https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api). A -402's
// required_scopes (https://developers.kakao.com/docs/latest/ko/rest-api/reference)
// is held to it before any hint offers it to a shell.
func ValidScopeID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func (e *APIError) Error() string {
	return fmt.Sprintf("kakao API error %d: %s", e.Code, e.Msg)
}

// InvalidToken reports Kakao's -401: the access token is unknown, expired or
// revoked; a refresh may help.
func (e *APIError) InvalidToken() bool { return e.Code == -401 }

// Hint says what to do for the codes a CLI user can act on.
func (e *APIError) Hint() string {
	switch e.Code {
	case -1, -603:
		return "a temporary Kakao error; try again shortly (your tokens are kept)"
	case -10:
		return "the app's API quota is used up; try again later"
	case -401:
		return "the access token is no longer valid; run " + termtext.Quoted("kakao-auth", "login")
	case -402:
		return e.ConsentHint(termtext.Quoted("kakao-auth", "login", "--scope", strings.Join(e.RequiredScopes, ",")))
	case -3:
		// Kakao's -3 also refuses revoking a required item (its own hint
		// lives with "scopes revoke"); only "App disabled [item] scopes"
		// says the app has not turned the item on, which no login fixes.
		if m := disabledItem().FindStringSubmatch(e.Msg); m != nil {
			return fmt.Sprintf("the app has not enabled the %s consent item: turn it on in the Kakao Developers console ([카카오 로그인] > [동의항목]); logging in again cannot add it", m[1])
		}
	case -101:
		return "the user is not linked to this app; log in again"
	case -9798:
		return "Kakao is under maintenance; try again later"
	}
	return ""
}

// disabledItem matches Kakao's -3 text for an API whose consent item the
// app has not enabled: "App disabled [talk_message] scopes for
// [TALK_MEMO_DEFAULT_SEND] API on developers.kakao.com. Enable it first."
var disabledItem = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^App disabled \[([a-z0-9_]+)\] scopes`) })

// ConsentHint is the hint of a -402 whose login command, login (built
// with termtext.Quoted), asks for RequiredScopes: it names the items, and
// says when Kakao named items that are not valid ids, which are left out.
func (e *APIError) ConsentHint(login string) string {
	const malformed = "Kakao named consent items that are not valid ids (left out of any command here; see the app's consent items in the Kakao Developers console: [카카오 로그인] > [동의항목])"
	switch {
	case len(e.RequiredScopes) == 0 && e.MalformedScopes > 0:
		return "the login lacks a needed consent item, but " + malformed
	case len(e.RequiredScopes) == 0:
		return "the login lacks a needed consent item; log in again with --scope and its id"
	}
	hint := fmt.Sprintf("the login lacks consent for %s: run %s", strings.Join(e.RequiredScopes, ", "), login)
	if e.MalformedScopes > 0 {
		hint += "; " + malformed
	}
	return hint
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

// call makes one kapi call and decodes its JSON answer into out (nil:
// the answer is not read). A POST sends an empty form.
func (a *API) call(ctx context.Context, method, path string, out any) error {
	return a.callForm(ctx, method, path, nil, out)
}

// callForm is call with form as the POST body.
func (a *API) callForm(ctx context.Context, method, path string, form url.Values, out any) error {
	var header http.Header
	var body []byte
	if method == http.MethodPost {
		header = http.Header{"Content-Type": {FormContentType}}
		body = []byte(form.Encode())
	}
	resp, err := a.Do(ctx, method, path, header, body)
	if err != nil {
		return err
	}
	if err := resp.Err(); err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(resp.Body, out); err != nil {
		ctype, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
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
