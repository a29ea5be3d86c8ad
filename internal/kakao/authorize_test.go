package kakao

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"
)

func TestAuthorizeURL(t *testing.T) {
	c := &Client{ClientID: "key", RedirectURI: "http://localhost:8765/callback", AuthURL: "http://127.0.0.1:9339/"}
	tests := []struct {
		name string
		req  AuthorizeRequest
		want url.Values
	}{
		{
			name: "minimal has state and PKCE S256",
			req:  AuthorizeRequest{State: "st", Verifier: "ver"},
			want: url.Values{
				"client_id":             {"key"},
				"redirect_uri":          {"http://localhost:8765/callback"},
				"response_type":         {"code"},
				"state":                 {"st"},
				"code_challenge":        {oauth2.S256ChallengeFromVerifier("ver")},
				"code_challenge_method": {"S256"},
			},
		},
		{
			name: "optional parameters when given",
			req: AuthorizeRequest{
				State: "st", Verifier: "ver",
				Scopes:       []string{"talk_message", "account_email"},
				Prompt:       []string{"login", "select_account"},
				LoginHint:    "ryan@example.com",
				ServiceTerms: []string{"tag1", "tag2"},
				Nonce:        "n0nce",
			},
			want: url.Values{
				"client_id":             {"key"},
				"redirect_uri":          {"http://localhost:8765/callback"},
				"response_type":         {"code"},
				"state":                 {"st"},
				"code_challenge":        {oauth2.S256ChallengeFromVerifier("ver")},
				"code_challenge_method": {"S256"},
				"scope":                 {"talk_message account_email"},
				"prompt":                {"login,select_account"},
				"login_hint":            {"ryan@example.com"},
				"service_terms":         {"tag1,tag2"},
				"nonce":                 {"n0nce"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(c.AuthorizeURL(tt.req))
			if err != nil {
				t.Fatal(err)
			}
			if got := u.Scheme + "://" + u.Host + u.Path; got != "http://127.0.0.1:9339/oauth/authorize" {
				t.Errorf("endpoint = %s, want http://127.0.0.1:9339/oauth/authorize", got)
			}
			if diff := cmp.Diff(tt.want, u.Query()); diff != "" {
				t.Errorf("query mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAuthorizeURL_NeverCarriesVerifierOrSecret(t *testing.T) {
	c := &Client{ClientID: "key", ClientSecret: "s3cret-value", RedirectURI: "http://localhost:8765/callback"}
	got := c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: "the-verifier-value"})
	for _, secret := range []string{"s3cret-value", "the-verifier-value"} {
		if strings.Contains(got, secret) {
			t.Errorf("authorize URL %s contains a secret", got)
		}
	}
	if !strings.HasPrefix(got, DefaultAuthURL+AuthorizePath+"?") {
		t.Errorf("authorize URL %s does not use Kakao's default host", got)
	}
}

func TestNewState_IsLongAndFresh(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		s, err := NewState()
		if err != nil {
			t.Fatal(err)
		}
		if len(s) < 22 { // 128 bits in base64url
			t.Fatalf("state %q is shorter than 128 bits", s)
		}
		if seen[s] {
			t.Fatalf("state %q repeated", s)
		}
		seen[s] = true
	}
}

func TestValidatePrompt(t *testing.T) {
	if err := ValidatePrompt([]string{"login", "none", "create", "select_account"}); err != nil {
		t.Errorf("ValidatePrompt(known) = %v", err)
	}
	if err := ValidatePrompt([]string{"consent"}); err == nil || !strings.Contains(err.Error(), `"consent"`) {
		t.Errorf("ValidatePrompt(consent) = %v, want an error naming it", err)
	}
}

func TestRedact(t *testing.T) {
	tests := map[string]string{
		"authorization code not found for code=abc123XYZ": "authorization code not found for code=[redacted]",
		"invalid token: eyJhbGciOi":                       "invalid token: [redacted]",
		"Redirect URI mismatch.":                          "Redirect URI mismatch.",
	}
	for in, want := range tests {
		if got := redact(in, "s3cr3t"); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}
