package emulator

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Decision is what the scripted person does on the consent page.
type Decision int

// The decisions.
const (
	// Agree presses the Agree button.
	Agree Decision = iota
	// Cancel presses the Cancel button.
	Cancel
)

// UserAgent plays the person at a browser, for tests: it follows an authorize
// URL, answers the emulator's consent page with Decision, and follows the
// redirect to the app's redirect URI (the client's loopback listener).
type UserAgent struct {
	// Client is the browser. Nil means a client with a cookie jar and a 10 s
	// timeout. Redirects must be followed, as the default policy does.
	Client *http.Client
	// Decision is pressed on the consent page. The zero value is Agree.
	Decision Decision
	// User is the account to pick when the consent page offers several
	// (Config.Users), named as login_hint names one: email, user ID or
	// nickname. "" keeps the page's preselection. With one user there is
	// nothing to pick and User is not looked at.
	User string
}

// Page is the last response the UserAgent saw.
type Page struct {
	// StatusCode is the HTTP status of the response.
	StatusCode int
	// URL is the address the response came from, after redirects: for a
	// completed login, the redirect URI with its code or error query.
	URL string
	// Body is the whole response body.
	Body string
}

// maxPageBytes bounds what Visit reads of one page.
const maxPageBytes = 1 << 20

// Matches the emulator's consent form; the page is the emulator's own, so a
// pattern is enough and keeps the package free of an HTML parser.
// They are compiled on first use: the binary's other commands never need them.
var (
	consentFormRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<form method="post" action="([^"]+)">`) })
	consentTxRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<input type="hidden" name="tx" value="([^"]*)">`) })
	pickerRE      = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`<input type="radio" name="user" value="([^"]*)" data-email="([^"]*)" data-nickname="([^"]*)"( checked)?>`)
	})
)

// Visit GETs authorizeURL like a browser. When the emulator shows its consent
// page, Visit submits it with u.Decision and follows the 302 to the redirect
// URI, returning that final response. Any other page, such as one of the
// emulator's error pages (status 400, e.g. KOE006) or an immediate redirect
// when consent was already given, is returned as is, without error. An error
// means the browser could not load a page at all, for example because
// nothing listens on the redirect URI.
func (u *UserAgent) Visit(ctx context.Context, authorizeURL string) (*Page, error) {
	c := u.Client
	if c == nil {
		jar, _ := cookiejar.New(nil) // never fails without options
		c = &http.Client{Jar: jar, Timeout: 10 * time.Second}
	}
	var action string
	switch u.Decision {
	case Agree:
		action = "agree"
	case Cancel:
		action = "cancel"
	default:
		return nil, fmt.Errorf("user agent: unknown decision %d", u.Decision)
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, authorizeURL, nil)
	if err != nil {
		return nil, fmt.Errorf("user agent: %w", err)
	}
	page, final, err := load(c, req)
	if err != nil {
		return nil, err
	}
	formURL, tx, ok := consentForm(page, final)
	if !ok {
		return page, nil
	}

	form := url.Values{"tx": {tx}, "action": {action}}
	if u.Decision == Agree {
		user, err := u.pick(page.Body)
		if err != nil {
			return nil, err
		}
		if user != "" {
			form.Set("user", user)
		}
	}
	req, err = http.NewRequestWithContext(ctx, http.MethodPost, formURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, fmt.Errorf("user agent: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	page, _, err = load(c, req)
	return page, err
}

// load sends req, follows redirects and reads the final page.
func load(c *http.Client, req *http.Request) (*Page, *url.URL, error) {
	resp, err := c.Do(req)
	if err != nil {
		// The failing URL may be the redirect URI carrying a code.
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			if pu, perr := url.Parse(ue.URL); perr == nil {
				ue.URL = redactURL(pu)
			}
		}
		return nil, nil, fmt.Errorf("user agent: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxPageBytes))
	if err != nil {
		return nil, nil, fmt.Errorf("user agent: read %s: %w", redactURL(resp.Request.URL), err)
	}
	return &Page{StatusCode: resp.StatusCode, URL: resp.Request.URL.String(), Body: string(body)}, resp.Request.URL, nil
}

// consentForm finds the emulator's consent form in page and returns the
// absolute URL it posts to and its tx value.
func consentForm(page *Page, pageURL *url.URL) (formURL, tx string, ok bool) {
	if page.StatusCode != http.StatusOK || pageURL.Path != "/oauth/authorize" {
		return "", "", false
	}
	fm, tm := consentFormRE().FindStringSubmatch(page.Body), consentTxRE().FindStringSubmatch(page.Body)
	if fm == nil || tm == nil {
		return "", "", false
	}
	action, err := url.Parse(html.UnescapeString(fm[1]))
	if err != nil {
		return "", "", false
	}
	return pageURL.ResolveReference(action).String(), html.UnescapeString(tm[1]), true
}

// redactURL drops the query, which may hold a code, from u for an error message.
func redactURL(u *url.URL) string {
	if u == nil {
		return "page"
	}
	cp := *u
	cp.RawQuery = ""
	return cp.String()
}

// pick returns the user ID to send with Agree on a consent page: "" when the
// page has no account picker, else the account u.User names, else the
// preselected one.
func (u *UserAgent) pick(body string) (string, error) {
	var refs []accountRef
	checked := -1
	for i, m := range pickerRE().FindAllStringSubmatch(body, -1) {
		refs = append(refs, accountRef{id: html.UnescapeString(m[1]), email: html.UnescapeString(m[2]), nickname: html.UnescapeString(m[3])})
		if m[4] != "" {
			checked = i
		}
	}
	switch {
	case len(refs) == 0:
		return "", nil
	case u.User != "":
		i := matchAccount(refs, u.User)
		if i < 0 {
			return "", fmt.Errorf("user agent: the consent page offers no account %q", u.User)
		}
		return refs[i].id, nil
	case checked < 0:
		return "", errors.New("user agent: the consent page asks to choose an account and none is preselected; set UserAgent.User")
	}
	return refs[checked].id, nil
}
