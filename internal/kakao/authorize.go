package kakao

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/oauth2"
)

// Prompts lists the prompt values Kakao documents for the authorize call.
var Prompts = []string{"login", "none", "create", "select_account"}

// AuthorizeRequest holds the per-login values of one authorize URL.
type AuthorizeRequest struct {
	State    string   // CSRF value echoed back on the callback; required
	Verifier string   // PKCE code verifier; the URL carries only its S256 challenge
	Scopes   []string // additional consent items; empty means the app's defaults
	Prompt   []string // subset of Prompts
	// LoginHint pre-fills the account field of Kakao's login page.
	LoginHint string
	// ServiceTerms are Kakao Sync service-terms tags.
	ServiceTerms []string
	// Nonce is copied into the ID token when OpenID Connect is on.
	Nonce string
}

// AuthorizeURL returns the URL of Kakao's authorize page for r, with
// response_type=code and a PKCE S256 challenge.
func (c *Client) AuthorizeURL(r AuthorizeRequest) string {
	opts := []oauth2.AuthCodeOption{oauth2.S256ChallengeOption(r.Verifier)}
	if len(r.Prompt) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("prompt", strings.Join(r.Prompt, ",")))
	}
	if r.LoginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", r.LoginHint))
	}
	if len(r.ServiceTerms) > 0 {
		opts = append(opts, oauth2.SetAuthURLParam("service_terms", strings.Join(r.ServiceTerms, ",")))
	}
	if r.Nonce != "" {
		opts = append(opts, oauth2.SetAuthURLParam("nonce", r.Nonce))
	}
	// x/oauth2 joins scopes with a space, as Kakao's own SDKs do.
	return c.oauth2Config(r.Scopes).AuthCodeURL(r.State, opts...)
}

// ValidatePrompt reports an error naming the first unknown prompt value.
func ValidatePrompt(prompts []string) error {
	for _, p := range prompts {
		known := false
		for _, k := range Prompts {
			known = known || p == k
		}
		if !known {
			return fmt.Errorf("unknown prompt %q (want one of %s)", p, strings.Join(Prompts, ", "))
		}
	}
	return nil
}

// NewState returns a fresh random state value with 256 bits of entropy.
func NewState() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate state: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewVerifier returns a fresh PKCE code verifier (RFC 7636, 256 bits).
func NewVerifier() string { return oauth2.GenerateVerifier() }
