package kakao

import (
	"bytes"
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

	"golang.org/x/oauth2"
)

// FormContentType is what kapi expects of a POST body (the Content-Type of
// every POST in Kakao's REST API guide,
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api).
const FormContentType = "application/x-www-form-urlencoded;charset=utf-8"

// MaxAPIBody bounds what a kapi answer may make us read: Kakao's answers
// are a few KiB, and a larger one is refused whole, never cut short.
const MaxAPIBody = 1 << 20

// Response is a kapi answer as it came, for a caller that shows it (Do).
type Response struct {
	Proto      string // such as "HTTP/1.1"
	StatusCode int
	Status     string // such as "200 OK"
	Header     http.Header
	// Body is the whole body. In an answer that is not 2xx, the access
	// token sent is redacted from Body and from the Header values, as from
	// every error text: a careless server may echo it. A 2xx answer is
	// left exactly as it came.
	Body []byte

	err error // what a non-2xx answer stands for
}

// OK reports a 2xx answer.
func (r *Response) OK() bool { return r.StatusCode >= 200 && r.StatusCode <= 299 }

// Err is the error an answer that is not 2xx stands for: an *APIError for
// Kakao's {"msg","code"}, else an *UnexpectedResponseError. It is nil for
// a 2xx answer.
func (r *Response) Err() error { return r.err }

// Do makes one kapi request and returns the answer, whatever its status:
// method on path (which starts with one "/" and may carry a query), with
// header and body (nil for none), and the source's access token. When
// Kakao refuses the token (-401) and the source can renew it, the request
// is made once more, body and all, with the renewed token; the second
// answer is returned. Like every kapi call it goes to BaseURL's host only
// and never follows a redirect. The error is for no answer at all.
func (a *API) Do(ctx context.Context, method, path string, header http.Header, body []byte) (*Response, error) {
	if a.Tokens == nil {
		return nil, errors.New("kakao API call without a token source")
	}
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") {
		// base+path must stay on the base's host: "@evil.example/x" or
		// "//evil.example" would not.
		return nil, fmt.Errorf("kakao API path %q must start with a single /", path)
	}
	tok, err := a.Tokens.Token()
	if err != nil {
		return nil, err
	}
	resp, err := a.send(ctx, tok, method, path, header, body)
	var ae *APIError
	if r, ok := a.Tokens.(Renewer); ok && err == nil && errors.As(resp.err, &ae) && ae.InvalidToken() {
		if tok, err = r.Renew(tok); err != nil {
			return nil, err
		}
		resp, err = a.send(ctx, tok, method, path, header, body)
	}
	return resp, err
}

// send makes one kapi request with tok, through an oauth2.Transport.
func (a *API) send(ctx context.Context, tok *oauth2.Token, method, path string, header http.Header, body []byte) (*Response, error) {
	base := a.base()
	endpoint, _, _ := strings.Cut(path, "?")
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body) // a new reader per try: the body is replayed
	}
	var g redirectGuard
	hc := g.client(a.HTTPClient)
	// The client's timeout becomes the request's deadline. Left on the
	// client, net/http would end a request that overran it by calling the
	// oauth2.Transport's CancelRequest, which only logs a deprecation
	// notice through the log package, on the person's terminal.
	if hc.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, hc.Timeout)
		defer cancel() // after the body is read: the deadline covers it
		hc.Timeout = 0
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
	if err != nil {
		return nil, err
	}
	if b, err := url.Parse(base); err != nil || req.URL.Scheme != b.Scheme || req.URL.Host != b.Host || req.URL.User != nil {
		return nil, fmt.Errorf("kakao API path %q leaves %s", path, base)
	}
	for k, v := range header {
		req.Header[k] = append([]string(nil), v...)
	}
	hc.Transport = &oauth2.Transport{Source: oauth2.StaticTokenSource(tok), Base: hc.Transport}
	resp, err := hc.Do(req)
	if err != nil {
		if rerr := g.err(base, endpoint, tok.AccessToken); rerr != nil {
			return nil, rerr
		}
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err()
		}
		var nerr net.Error
		timeout := errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &nerr) && nerr.Timeout())
		return nil, &NetworkError{URL: base, Timeout: timeout, Err: unwrapURLError(err)}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxAPIBody+1))
	if err != nil {
		if ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, ctx.Err()
		}
		return nil, &NetworkError{URL: base, Timeout: errors.Is(err, context.DeadlineExceeded), Err: err}
	}
	if len(data) > MaxAPIBody {
		return nil, &UnexpectedResponseError{HTTPStatus: resp.StatusCode, Reason: fmt.Sprintf("the answer is larger than %d bytes", MaxAPIBody), BaseURL: base, endpoint: endpoint}
	}
	r := &Response{Proto: resp.Proto, StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, Body: data}
	if r.OK() {
		return r, nil
	}
	if tok.AccessToken != "" {
		sent := spellings(tok.AccessToken)
		r.Body = sent.ReplaceAllLiteral(r.Body, []byte("[redacted]"))
		for _, vals := range r.Header {
			for i, v := range vals {
				vals[i] = sent.ReplaceAllLiteralString(v, "[redacted]")
			}
		}
	}
	r.err = answerError(r, base, endpoint, tok.AccessToken)
	return r, nil
}

// answerError is what an answer that is not 2xx stands for.
func answerError(r *Response, base, endpoint, accessToken string) error {
	var e struct {
		Msg            string   `json:"msg"`
		Code           int      `json:"code"`
		RequiredScopes []string `json:"required_scopes"`
	}
	if json.Unmarshal(r.Body, &e) == nil && e.Code != 0 {
		// A hint offers the required items to a shell (login --scope):
		// only well-formed ids are kept, the rest only counted.
		ae := &APIError{HTTPStatus: r.StatusCode, Code: e.Code, Msg: redact(e.Msg, accessToken)}
		for _, s := range e.RequiredScopes {
			if ValidScopeID(s) {
				ae.RequiredScopes = append(ae.RequiredScopes, s)
			} else {
				ae.MalformedScopes++
			}
		}
		return ae
	}
	ctype, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return &UnexpectedResponseError{HTTPStatus: r.StatusCode, ContentType: ctype, Reason: "not Kakao's JSON error", BaseURL: base, endpoint: endpoint}
}
