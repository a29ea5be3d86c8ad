package kakao

import (
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestAccountLogoutURL_CarriesTheAppTheURIAndTheState(t *testing.T) {
	c := &Client{ClientID: "key&x=1", AuthURL: "http://127.0.0.1:9339/"}
	raw := c.AccountLogoutURL("http://localhost:8765/logout?a=b", "st ate")
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != "http://127.0.0.1:9339/oauth/logout" {
		t.Errorf("endpoint %q", got)
	}
	want := url.Values{"client_id": {"key&x=1"}, "logout_redirect_uri": {"http://localhost:8765/logout?a=b"}, "state": {"st ate"}}
	if diff := cmp.Diff(want, u.Query()); diff != "" {
		t.Errorf("query mismatch (-want +got):\n%s", diff)
	}
	if got := (&Client{ClientID: "k"}).AccountLogoutURL("u", "s"); got[:len(DefaultAuthURL)] != DefaultAuthURL {
		t.Errorf("default auth base: %q", got)
	}
}
