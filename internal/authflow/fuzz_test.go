package authflow

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

// FuzzCallbackHandler feeds arbitrary query strings to the callback handler:
// it must never panic, and must hand a request to the login exactly when its
// state matches, error answers included (RFC 6749 §4.1.2.1).
func FuzzCallbackHandler(f *testing.F) {
	for _, seed := range []string{
		"code=abc&state=st",
		"code=abc&state=other",
		"code=abc",
		"error=access_denied&error_description=User%20denied%20access",
		"error=access_denied&state=st",
		"state=st",
		"state=st&state=other&code=x",
		"%zz",
		"code=abc&state=st;iss=x",
		"",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, rawQuery string) {
		h := newCallbackHandler("/callback", "st")
		req := httptest.NewRequest(http.MethodGet, "/callback", nil)
		req.URL.RawQuery = rawQuery
		q, _ := url.ParseQuery(rawQuery)
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.ServeHTTP(rec, req)
		}()
		claimed := false
		select {
		case cb := <-h.results:
			claimed = true
			if cb.code != q.Get("code") || cb.errCode != q.Get("error") {
				t.Errorf("callback %+v does not carry the query's code and error", cb)
			}
			cb.reply <- pageSuccess
			<-done
		case <-done:
		}
		want := q.Get("state") == "st"
		if claimed != want {
			t.Errorf("query %q: claimed = %v, want %v (status %d)", rawQuery, claimed, want, rec.Code)
		}
		if !claimed && rec.Code != http.StatusBadRequest {
			t.Errorf("query %q: refused with %d, want 400", rawQuery, rec.Code)
		}
	})
}

// FuzzParseCallback feeds arbitrary pasted text to the paste-back parser: it
// must never panic, and a code comes back only from an address of this
// redirect URI carrying this login's state.
func FuzzParseCallback(f *testing.F) {
	const redirect = "http://localhost:8765/callback"
	for _, seed := range []string{
		redirect + "?code=abc&state=st",
		redirect + "?state=st&code=",
		redirect + "?error=access_denied",
		"http://LOCALHOST:8765/callback/?code=abc&state=st",
		"https://localhost:8765/callback?code=abc&state=st",
		"abc",
		"  \n",
		"http://[::1",
		"http://localhost:8765/callback?code=a%00b&state=st",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, pasted string) {
		code, err := ParseCallback(pasted, "st", redirect)
		if err != nil {
			if code != "" {
				t.Errorf("ParseCallback(%q) returned code %q with error %v", pasted, code, err)
			}
			return
		}
		u, perr := parseAddress(pasted, "")
		if perr != nil || u.Query().Get("state") != "st" || code == "" || code != u.Query().Get("code") {
			t.Errorf("ParseCallback(%q) = %q, accepted an address without this state and a code", pasted, code)
		}
	})
}
