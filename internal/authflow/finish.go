package authflow

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// finish is the last step of a login: it turns the answer into tokens (or
// the error Kakao sent) and gives the browser its page.
func finish(ctx context.Context, o Options, sess *session.Session, cb callback) (*Result, error) {
	if cb.errCode != "" {
		denied := &DeniedError{Code: cb.errCode, Description: cb.description}
		cb.reply <- page{Status: http.StatusOK, Title: "Login did not complete", Message: "Kakao answered with an error, so kakao-auth has no token.", Detail: denied.Error(), Next: denied.Hint()}
		return nil, denied
	}
	if cb.code == "" {
		cb.reply <- page{Status: http.StatusBadRequest, Title: "Login did not complete", Message: "The answer from Kakao had neither a code nor an error.", Next: "Run the login again from the terminal."}
		return nil, errors.New("the callback carried neither code nor error")
	}
	res, err := exchange(ctx, o, sess.State, cb.code)
	if err != nil {
		cb.reply <- failurePage(err)
		return nil, err
	}
	cb.reply <- pageSuccess
	return res, nil
}

// exchange trades the code using the client id, redirect URI and verifier
// read back from the session file: the file, not memory, is the single source
// of the in-flight values.
func exchange(ctx context.Context, o Options, state, code string) (*Result, error) {
	sess, err := o.Sessions.Find(state)
	if err != nil {
		return nil, fmt.Errorf("read back the session: %w", err)
	}
	if err := checkServers(o, sess); err != nil {
		return nil, err
	}
	res, err := exchangeFor(ctx, o, sess, code)
	if err != nil && ctx.Err() != nil {
		return nil, ErrCancelled
	}
	return res, err
}

// exchangeFor trades code for tokens with sess's values and verifies any ID
// token before anything is returned.
func exchangeFor(ctx context.Context, o Options, sess *session.Session, code string) (*Result, error) {
	client := &kakao.Client{
		ClientID:     sess.ClientID,
		ClientSecret: o.ClientSecret,
		RedirectURI:  sess.RedirectURI,
		AuthURL:      sess.AuthURL,
		HTTPClient:   o.HTTPClient,
		Now:          o.Now,
	}
	tok, err := client.Exchange(ctx, code, sess.Verifier)
	if err != nil {
		return nil, fmt.Errorf("exchange the code: %w", err)
	}
	res := &Result{Token: tok, Session: sess, Scopes: tok.Scopes}
	if len(res.Scopes) == 0 {
		res.Scopes = sess.Scopes
	}
	switch {
	case tok.IDToken != "":
		v := &kakao.IDVerifier{ClientID: sess.ClientID, AuthURL: sess.AuthURL, HTTPClient: o.HTTPClient, Now: o.Now, KeyCacheDir: o.KeyCacheDir}
		if res.IDClaims, err = v.Verify(ctx, tok.IDToken, sess.Nonce, false); err != nil {
			return nil, err
		}
	case slices.Contains(sess.Scopes, "openid"):
		return nil, &kakao.IDTokenError{Reason: "Kakao sent no id_token although openid was requested (is OpenID Connect on for the app, under [카카오 로그인] > [OpenID Connect]?)"}
	}
	return res, nil
}

// checkServers runs o.CheckServers on the base URLs of sess.
func checkServers(o Options, sess *session.Session) error {
	if o.CheckServers == nil {
		return nil
	}
	return o.CheckServers(sess.AuthURL, sess.APIURL)
}

func failurePage(err error) page {
	p := page{Status: http.StatusOK, Title: "Login did not complete", Message: "Kakao sent you back, but kakao-auth could not get a token.", Detail: err.Error(), Next: "The terminal says what to do next."}
	var h interface{ Hint() string }
	if errors.As(err, &h) && h.Hint() != "" {
		p.Next = h.Hint()
	}
	return p
}
