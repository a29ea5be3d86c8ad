package emulator

import (
	"net/http"
	"net/url"
	"strings"
)

// redirect answers 302 to redirectURI with params (name, value pairs) added
// after its existing query; pairs with an empty value are left out. Spaces are
// encoded as %20, as in Kakao's "User%20denied%20access". No body is written,
// so the code never appears in a page.
func redirect(w http.ResponseWriter, redirectURI string, params ...string) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		writeErrorPage(w, errorPage{Code: "KOE006", Message: "The registered redirect_uri is not a valid URL."})
		return
	}
	var add []string
	for i := 0; i+1 < len(params); i += 2 {
		if params[i+1] == "" {
			continue
		}
		add = append(add, url.QueryEscape(params[i])+"="+strings.ReplaceAll(url.QueryEscape(params[i+1]), "+", "%20"))
	}
	if u.RawQuery != "" {
		add = append([]string{u.RawQuery}, add...)
	}
	u.RawQuery = strings.Join(add, "&")
	h := w.Header()
	h.Set("Location", u.String())
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(http.StatusFound)
}
