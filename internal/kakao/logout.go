package kakao

import "net/url"

// AccountLogoutPath is Kakao Account logout under the auth base: opened in the
// person's browser, it ends that browser's Kakao Account session and sends it
// to the logout redirect URI (Kakao's "카카오계정과 함께 로그아웃",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount).
const AccountLogoutPath = "/oauth/logout"

// AccountLogoutURL returns the URL of Kakao Account logout for the app,
// which sends the browser on to logoutRedirectURI with state. The URI must
// be one of the app's registered Logout Redirect URIs ([카카오 로그인] >
// [고급]); otherwise Kakao shows KOE007 on its own page and never sends the
// browser back.
func (c *Client) AccountLogoutURL(logoutRedirectURI, state string) string {
	q := url.Values{
		"client_id":           {c.ClientID},
		"logout_redirect_uri": {logoutRedirectURI},
		"state":               {state},
	}
	return c.authBase() + AccountLogoutPath + "?" + q.Encode()
}
