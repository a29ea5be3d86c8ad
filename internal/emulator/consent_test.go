package emulator

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// consentTx opens the consent page for authorizeURL and returns its tx.
func consentTx(t *testing.T, authorizeURL string) string {
	t.Helper()
	r := get(t, authorizeURL)
	m := regexp.MustCompile(`name="tx" value="([^"]+)"`).FindStringSubmatch(r.body)
	if r.status != http.StatusOK || m == nil {
		t.Fatalf("no consent page (status %d):\n%s", r.status, r.body)
	}
	return m[1]
}

// decide posts the consent form.
func (e *env) decide(t *testing.T, tx, action string) response {
	t.Helper()
	return e.sendForm(t, http.MethodPost, consentAction, url.Values{"tx": {tx}, "action": {action}})
}

// Kakao's "인가 코드 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
// its redirect back: success carries code and state; Cancel carries
// error=access_denied&error_description=User%20denied%20access (+ state). A
// query already in the registered redirect URI is kept.
func TestConsent_DecisionRedirects(t *testing.T) {
	tests := []struct {
		name, action, state string
		wantRaw             string // the query after the redirect URI's own, with CODE for the code
	}{
		{"agree with state", "agree", "xyz 1", "code=CODE&state=xyz%201"},
		{"agree without state", "agree", "", "code=CODE"},
		{"cancel with state", "cancel", "s1", "error=access_denied&error_description=User%20denied%20access&state=s1"},
		{"cancel without state", "cancel", "", "error=access_denied&error_description=User%20denied%20access"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, Config{})
			redirectURI := e.callback + "?app=1&x=a%2Fb"
			e.s.RegisterRedirectURI(redirectURI)
			r := e.decide(t, consentTx(t, e.authorizeURL("redirect_uri", redirectURI, "state", tt.state)), tt.action)
			if r.status != http.StatusFound {
				t.Fatalf("status = %d, want 302:\n%s", r.status, r.body)
			}
			loc := r.header.Get("Location")
			prefix := redirectURI + "&"
			if !strings.HasPrefix(loc, prefix) {
				t.Fatalf("Location = %q, want prefix %q", loc, prefix)
			}
			got := regexp.MustCompile(`code=emu_code_[A-Za-z0-9_-]{43}`).ReplaceAllString(strings.TrimPrefix(loc, prefix), "code=CODE")
			if diff := cmp.Diff(tt.wantRaw, got); diff != "" {
				t.Errorf("redirect query mismatch (-want +got):\n%s", diff)
			}
			if strings.Contains(r.body, "emu_code_") {
				t.Errorf("redirect body contains the code: %q", r.body)
			}
		})
	}
}

func TestConsent_TxIsSingleUse(t *testing.T) {
	e := newEnv(t, Config{})
	tx := consentTx(t, e.authorizeURL())
	if r := e.decide(t, tx, "agree"); r.status != http.StatusFound {
		t.Fatalf("first decision: status %d", r.status)
	}
	for _, action := range []string{"agree", "cancel"} {
		if r := e.decide(t, tx, action); r.status != http.StatusBadRequest || r.header.Get("Location") != "" {
			t.Errorf("reused tx (%s): status %d, Location %q; want the 400 error page", action, r.status, r.header.Get("Location"))
		}
	}
}

func TestConsent_TxExpiresWithCodeTTL(t *testing.T) {
	e := newEnv(t, Config{CodeTTL: time.Minute})
	tx := consentTx(t, e.authorizeURL())
	e.clock.Advance(time.Minute)
	if r := e.decide(t, tx, "agree"); r.status != http.StatusBadRequest {
		t.Errorf("expired tx: status %d, want 400", r.status)
	}
}

func TestConsent_BadFormIsErrorPage(t *testing.T) {
	e := newEnv(t, Config{})
	tests := []struct{ name, tx, action string }{
		{"unknown tx", "emu_tx_nope", "agree"},
		{"missing tx", "", "agree"},
		{"unknown action", consentTx(t, e.authorizeURL()), "maybe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if r := e.decide(t, tt.tx, tt.action); r.status != http.StatusBadRequest {
				t.Errorf("status = %d, want 400", r.status)
			}
		})
	}
	if r := get(t, e.url+consentAction); r.status != http.StatusMethodNotAllowed {
		t.Errorf("GET consent: status = %d, want 405", r.status)
	}
}

// Kakao's "인가 코드 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code,
// its redirect table: prompt=none without prior consent redirects
// error=consent_required&error_description=user%20consent%20required.; after
// consent it issues a code without UI.
func TestConsent_PromptNoneNeedsPriorConsent(t *testing.T) {
	e := newEnv(t, Config{})
	promptNone := func(scope string) string {
		r := get(t, e.authorizeURL("prompt", "none", "scope", scope, "state", "s"))
		if r.status != http.StatusFound {
			t.Fatalf("prompt=none: status %d, want 302:\n%s", r.status, r.body)
		}
		return r.header.Get("Location")
	}
	want := e.callback + "?error=consent_required&error_description=user%20consent%20required.&state=s"
	if diff := cmp.Diff(want, promptNone("talk_message")); diff != "" {
		t.Errorf("before consent (-want +got):\n%s", diff)
	}

	e.login(t, "scope", "talk_message,profile_nickname")

	for _, scope := range []string{"talk_message", "profile_nickname talk_message", ""} {
		if q := queryOf(t, promptNone(scope)); q.Get("code") == "" || q.Get("state") != "s" {
			t.Errorf("after consent, scope %q: redirect query %v, want a code and state", scope, q)
		}
	}
	// A scope not yet agreed to needs consent again.
	if q := queryOf(t, promptNone("account_email")); q.Get("error") != "consent_required" {
		t.Errorf("new scope: redirect query %v, want consent_required", q)
	}
}

// Kakao's "인가 코드 받기" (its behaviour),
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code:
// the consent screen appears only the first time, unless prompt=login or a new
// scope.
func TestConsent_RememberedConsentSkipsPage(t *testing.T) {
	e := newEnv(t, Config{})
	e.login(t, "scope", "talk_message")

	r := get(t, e.authorizeURL("scope", "talk_message"))
	if r.status != http.StatusFound || queryOf(t, r.header.Get("Location")).Get("code") == "" {
		t.Errorf("second login: status %d, want 302 with a code", r.status)
	}
	for _, kv := range [][]string{{"prompt", "login"}, {"scope", "account_email"}} {
		if r := get(t, e.authorizeURL(kv...)); r.status != http.StatusOK {
			t.Errorf("%v: status %d, want the consent page", kv, r.status)
		}
	}
}

// The token's scope lists everything agreed to so far, not only this request's.
func TestConsent_ScopesAccumulate(t *testing.T) {
	e := newEnv(t, Config{})
	e.tokens(t, "scope", "talk_message")
	tok := e.tokens(t, "scope", "account_email")
	if diff := cmp.Diff("account_email talk_message", tok["scope"]); diff != "" {
		t.Errorf("scope mismatch (-want +got):\n%s", diff)
	}
}

func TestConsent_AutoApproveSkipsPage(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	r := get(t, e.authorizeURL("state", "s"))
	if q := queryOf(t, r.header.Get("Location")); r.status != http.StatusFound || q.Get("code") == "" || q.Get("state") != "s" {
		t.Errorf("AutoApprove: status %d, Location %q; want 302 with code and state", r.status, r.header.Get("Location"))
	}

	e.s.SetAutoApprove(false)
	if r := get(t, e.authorizeURL("prompt", "login")); r.status != http.StatusOK {
		t.Errorf("AutoApprove off: status %d, want the consent page", r.status)
	}
}

// prompt=none forbids UI, and consent is UI: AutoApprove does not grant it.
func TestConsent_AutoApproveDoesNotAnswerPromptNone(t *testing.T) {
	e := newEnv(t, Config{AutoApprove: true})
	r := get(t, e.authorizeURL("prompt", "none"))
	if q := queryOf(t, r.header.Get("Location")); q.Get("error") != "consent_required" {
		t.Errorf("redirect query = %v, want consent_required", q)
	}
}
