package kakao

import (
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// echoSecret has every character class a form or JSON encoder treats
// specially; echoMarker is a part of it no encoding changes, so its
// absence proves no spelling of the secret got through.
const (
	echoSecret = "Sec+ret/Zq9w=chars&x y\"<é"
	echoMarker = "Zq9w"
)

// A server may echo what it was sent in any spelling: raw, form-encoded
// (+ or %20 for spaces, either hex case) or JSON-escaped. Each is redacted.
func TestRedact_EveryEncodingOfASentSecret(t *testing.T) {
	tests := map[string]string{
		"raw":                 echoSecret,
		"form, upper hex":     "Sec%2Bret%2FZq9w%3Dchars%26x+y%22%3C%C3%A9",
		"form, lower hex":     "Sec%2bret%2fZq9w%3dchars%26x+y%22%3c%c3%a9",
		"form, %20 for space": "Sec%2Bret%2FZq9w%3Dchars%26x%20y%22%3C%C3%A9",
		"path-style escaping": "Sec+ret%2FZq9w=chars&x%20y%22%3C%C3%A9",
		"every byte escaped":  "%53%65%63%2B%72%65%74%2F%5A%71%39%77%3D%63%68%61%72%73%26%78%20%79%22%3C%C3%A9",
		"JSON":                `Sec+ret/Zq9w=chars&x y\"<é`,
		"JSON, HTML-safe":     `Sec+ret/Zq9w=chars\u0026x y\"\u003cé`,
		"JSON, escaped slash": `Sec+ret\/Zq9w=chars&x y\"<\u00e9`,
		"JSON, upper \\u hex": `Sec+ret/Zq9w=chars\u0026x y\u0022\u003C\u00E9`,
	}
	for name, spelled := range tests {
		t.Run(name, func(t *testing.T) {
			in := "bad request: client_id=k&client_secret=" + spelled + "&grant_type=refresh_token (" + spelled + ")"
			got := redact(in, "", echoSecret)
			if strings.Contains(got, echoMarker) {
				t.Errorf("redact() = %q, still holds the secret", got)
			}
			if want := "bad request: client_id=k&client_secret=[redacted]&grant_type=refresh_token ([redacted])"; got != want {
				t.Errorf("redact() = %q, want %q", got, want)
			}
		})
	}
}

// The emulator's echo fault puts the request into error_description in
// four spellings; none of the client secret, the code, the verifier or the
// refresh token survives into the error.
func TestTokenErrors_RedactEchoedSecrets(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{ClientSecret: echoSecret})
	c := &Client{ClientID: emulator.DefaultClientID, ClientSecret: echoSecret, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, nil)
	verifier := NewVerifier()
	code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier}))

	emu.SetFault(emulator.FaultEcho)
	_, exchErr := c.Exchange(t.Context(), code, verifier)
	_, refreshErr := c.Refresh(t.Context(), tok.RefreshToken)
	for name, err := range map[string]error{"exchange": exchErr, "refresh": refreshErr} {
		if err == nil {
			t.Fatalf("%s succeeded under the echo fault", name)
		}
		msg := err.Error()
		if !strings.Contains(msg, "client_secret=[redacted]") {
			t.Errorf("%s: error %q does not show the echo with the secret redacted", name, msg)
		}
		for _, secret := range []string{echoMarker, code, verifier, tok.RefreshToken} {
			if strings.Contains(msg, secret) {
				t.Errorf("%s: error %q holds a secret that was sent (%q)", name, msg, secret)
			}
		}
	}
}

// A kapi error that echoes the Authorization header does not show the
// access token.
func TestAPIErrors_RedactTheEchoedAccessToken(t *testing.T) {
	emu, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, nil)
	emu.SetFault(emulator.FaultEcho)
	_, err := apiAs(&API{BaseURL: base}, tok.AccessToken).TokenInfo(t.Context())
	if err == nil {
		t.Fatal("TokenInfo succeeded under the echo fault")
	}
	if strings.Contains(err.Error(), tok.AccessToken) || !strings.Contains(err.Error(), "Bearer [redacted]") {
		t.Errorf("error %q shows the access token, or not the redacted echo", err)
	}
}

// BenchmarkRedact measures redacting an echoed form (three sent secrets)
// out of an error text: it runs on error paths only.
func BenchmarkRedact(b *testing.B) {
	code, verifier := "emu_code_"+strings.Repeat("A", 43), strings.Repeat("v", 43)
	text := strings.Repeat("malformed request: client_id=k&client_secret=Sec%2Bret%2FZq9w%3Dchars%26x+y&code="+code+" | ", 8)
	for b.Loop() {
		redact(text, code, verifier, echoSecret)
	}
}
