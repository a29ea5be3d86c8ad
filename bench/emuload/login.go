package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// tokens is what one login received.
type tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
}

// newClient keeps up to conns connections open to each emulator and never
// follows the authorize redirect (the app's redirect URI does not listen).
func newClient(conns int) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = conns
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// login is what a web app's test suite does for one user: authorize
// (auto-approved: a redirect with a code), the code exchange, then
// GET /v2/user/me with the access token.
func login(c *http.Client, base string) (tokens, error) {
	var tok tokens
	q := url.Values{"client_id": {clientID}, "redirect_uri": {redirectURI}, "response_type": {"code"}}
	resp, err := c.Get(base + "/oauth/authorize?" + q.Encode())
	if err != nil {
		return tok, err
	}
	drain(resp)
	loc, err := url.Parse(resp.Header.Get("Location"))
	code := ""
	if err == nil {
		code = loc.Query().Get("code")
	}
	if resp.StatusCode != http.StatusFound || code == "" {
		return tok, fmt.Errorf("authorize: %s, no code", resp.Status)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {clientID}, "redirect_uri": {redirectURI}, "code": {code}}
	resp, err = c.PostForm(base+"/oauth/token", form)
	if err != nil {
		return tok, err
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	drain(resp)
	if resp.StatusCode != http.StatusOK || err != nil || tok.Access == "" || tok.Refresh == "" {
		return tok, fmt.Errorf("token: %s %v", resp.Status, err)
	}
	if status := me(c, base, tok.Access); status != http.StatusOK {
		return tok, fmt.Errorf("/v2/user/me: %d", status)
	}
	return tok, nil
}

// me calls GET /v2/user/me with an access token and returns the status.
func me(c *http.Client, base, access string) int {
	req, _ := http.NewRequest(http.MethodGet, base+"/v2/user/me", nil)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	drain(resp)
	return resp.StatusCode
}

// refresh runs a refresh_token grant and returns the status.
func refresh(c *http.Client, base, rt string) int {
	form := url.Values{"grant_type": {"refresh_token"}, "client_id": {clientID}, "refresh_token": {rt}}
	req, _ := http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		return 0
	}
	drain(resp)
	return resp.StatusCode
}

func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
}
