package kakao

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// A token response is checked where it enters: an access token must be an RFC
// 6750 b64token (it goes into "Authorization: Bearer"), refresh and ID tokens
// printable ASCII without spaces, and every lifetime a whole number of seconds,
// above zero and at most MaxLifetime, present where Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token
// says Kakao always sends it. A response that breaks a rule is refused whole.
// token_type must be bearer, in any case (RFC 6749 §7.1, 5.1): it becomes the
// Authorization scheme.
func TestTokenResponses_MalformedOnesAreRefused(t *testing.T) {
	tests := []struct {
		fault       emulator.Fault
		okOnRefresh bool // a valid answer to a refresh
		want        string
	}{
		{emulator.FaultHugeRefreshLifetime, false, "refresh_token_expires_in"},
		{emulator.FaultNegativeExpiresIn, false, "expires_in"},
		{emulator.FaultZeroExpiresIn, false, "expires_in"},
		{emulator.FaultNoExpiresIn, false, "expires_in"},
		{emulator.FaultFractionalExpiresIn, false, "expires_in"},
		{emulator.FaultStringExpiresIn, false, "expires_in"},
		{emulator.FaultNoRefreshLifetime, false, "refresh_token_expires_in"},
		{emulator.FaultNoRefreshToken, true, "refresh_token"},
		{emulator.FaultAccessTokenSpace, false, "access_token"},
		{emulator.FaultAccessTokenQuote, false, "access_token"},
		{emulator.FaultAccessTokenControl, false, "access_token"},
		{emulator.FaultRefreshTokenSpace, false, "refresh_token"},
		{emulator.FaultRefreshTokenControl, false, "refresh_token"},
		{emulator.FaultIDTokenSpace, false, "id_token"},
		{emulator.FaultTokenTypeBasic, false, "token_type"},
		{emulator.FaultTokenTypeHeader, false, "token_type"},
		{emulator.FaultTokenTypeEscape, false, "token_type"},
		{emulator.FaultNoTokenType, false, "token_type"},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			emu, base := newEmulator(t, emulator.Config{})
			c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
			tok := login(t, base, c, nil)
			verifier := NewVerifier()
			code := codeFrom(t, c.AuthorizeURL(AuthorizeRequest{State: "st", Verifier: verifier}))

			emu.SetFault(tt.fault)
			exchanged, exchErr := c.Exchange(t.Context(), code, verifier)
			refreshed, refreshErr := c.Refresh(t.Context(), tok.RefreshToken)
			if tt.okOnRefresh {
				if refreshErr != nil || refreshed.RefreshToken != "" {
					t.Errorf("Refresh() = %+v, %v; want a valid answer that did not rotate", refreshed, refreshErr)
				}
				refreshErr = errors.New("(checked above)")
				refreshed = nil
			}
			for name, got := range map[string]struct {
				tok *Token
				err error
			}{"Exchange": {exchanged, exchErr}, "Refresh": {refreshed, refreshErr}} {
				if got.err == nil {
					t.Errorf("%s() = %+v, want it refused", name, got.tok)
					continue
				}
				if got.err.Error() == "(checked above)" {
					continue
				}
				var ue *UnexpectedResponseError
				if !errors.As(got.err, &ue) || !strings.Contains(got.err.Error(), "malformed token response") || !strings.Contains(got.err.Error(), tt.want) {
					t.Errorf("%s() error = %v (%T), want a malformed token response naming %s", name, got.err, got.err, tt.want)
				}
			}
		})
	}
}

// Lifetimes turn into absolute times from the server's seconds; a string
// of digits (as some servers and form-encoded answers send) is read too.
func TestTokenResponses_LifetimesBecomeExpiries(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{AccessTTL: time.Hour, RefreshTTL: 40 * 24 * time.Hour})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	start := time.Now()
	tok := login(t, base, c, nil)
	if d := tok.Expiry.Sub(start); d < time.Hour-2*time.Second || d > time.Hour+2*time.Second {
		t.Errorf("Expiry is %s away, want 1h", d)
	}
	if d := tok.RefreshExpiry.Sub(start); d < 40*24*time.Hour-2*time.Second || d > 40*24*time.Hour+2*time.Second {
		t.Errorf("RefreshExpiry is %s away, want 40 days", d)
	}
}
func TestLifetime(t *testing.T) {
	tests := []struct {
		in      any
		want    int64
		wantErr bool
	}{
		{float64(21599), 21599, false},
		{"21599", 21599, false},
		{float64(MaxLifetime / time.Second), int64(MaxLifetime / time.Second), false},
		{float64(MaxLifetime/time.Second + 1), 0, true},
		{float64(9300000000), 0, true},
		{float64(1e300), 0, true},
		{float64(0), 0, true},
		{float64(-1), 0, true},
		{float64(21599.5), 0, true},
		{"21599s", 0, true},
		{"+21599", 0, true},
		{" 21599", 0, true},
		{"", 0, true},
		{true, 0, true},
		{nil, 0, true},
	}
	for _, tt := range tests {
		got, err := lifetime(tt.in)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("lifetime(%#v) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
