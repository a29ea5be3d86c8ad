package authflow

import (
	"errors"
	"strings"
	"testing"
)

func TestParseCallback(t *testing.T) {
	const redirect = "http://localhost:8765/callback"
	tests := []struct {
		name       string
		pasted     string
		wantCode   string
		wantDenied string
		wantReason string
	}{
		{name: "good address", pasted: redirect + "?code=abc&state=st", wantCode: "abc"},
		{name: "surrounding spaces and extra params", pasted: "  " + redirect + "?state=st&iss=x&code=abc \n", wantCode: "abc"},
		{name: "host case and default port", pasted: "http://LOCALHOST:8765/callback?code=abc&state=st", wantCode: "abc"},
		{name: "bare code", pasted: "Zx8d_9fKq2", wantReason: "bare code"},
		{name: "empty", pasted: "   ", wantReason: "nothing was pasted"},
		{name: "not an address", pasted: "code is abc", wantReason: "not a web address"},
		{name: "another login", pasted: redirect + "?code=abc&state=other", wantReason: "another login"},
		{name: "no state", pasted: redirect + "?code=abc", wantReason: "no state"},
		{name: "no code", pasted: redirect + "?state=st", wantReason: "no code"},
		{name: "other endpoint", pasted: "http://localhost:8765/other?code=abc&state=st", wantReason: "not the redirect URI"},
		{name: "other port", pasted: "http://localhost:9999/callback?code=abc&state=st", wantReason: "not the redirect URI"},
		{name: "too long", pasted: redirect + "?code=" + strings.Repeat("a", maxPaste) + "&state=st", wantReason: "too long"},
		{name: "denied with state", pasted: redirect + "?error=access_denied&error_description=User%20denied%20access&state=st", wantDenied: "access_denied"},
		{name: "error without state", pasted: redirect + "?error=access_denied", wantReason: "no state"},
		{name: "error of another login", pasted: redirect + "?error=access_denied&state=other", wantReason: "another login"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, err := ParseCallback(tt.pasted, "st", redirect)
			var denied *DeniedError
			var pe *PasteError
			switch {
			case tt.wantCode != "":
				if err != nil || code != tt.wantCode {
					t.Errorf("ParseCallback() = %q, %v; want %q", code, err, tt.wantCode)
				}
			case tt.wantDenied != "":
				if !errors.As(err, &denied) || denied.Code != tt.wantDenied {
					t.Errorf("ParseCallback() = %v, want DeniedError %s", err, tt.wantDenied)
				}
			default:
				if !errors.As(err, &pe) || !strings.Contains(pe.Reason, tt.wantReason) {
					t.Fatalf("ParseCallback() = %v, want PasteError about %q", err, tt.wantReason)
				}
				if pe.Hint() == "" {
					t.Error("PasteError without a hint")
				}
				if strings.Contains(err.Error(), "abc") {
					t.Errorf("error %q echoes the code", err)
				}
			}
		})
	}
}

func TestParseCallback_HintShowsThisLoginsRedirectURI(t *testing.T) {
	const redirect = "http://127.0.0.1:9931/kakao/cb"
	for _, pasted := range []string{"Zx8d_9fKq2", "", redirect + "?state=st", redirect + "?code=abc"} {
		_, err := ParseCallback(pasted, "st", redirect)
		var pe *PasteError
		if !errors.As(err, &pe) {
			t.Fatalf("ParseCallback(%q) = %v, want a PasteError", pasted, err)
		}
		if !strings.Contains(pe.Hint(), redirect+"?code=") || strings.Contains(pe.Hint(), "8765") {
			t.Errorf("ParseCallback(%q) hint %q, want one showing %s", pasted, pe.Hint(), redirect)
		}
	}
}
