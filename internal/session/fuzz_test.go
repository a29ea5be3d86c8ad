package session

import (
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the session-file decoder: it must never
// panic, refuse with a CorruptError, and accept only complete sessions.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"version":1,"state":"s","code_verifier":"v","client_id":"c","redirect_uri":"http://localhost:1/","auth_url":"","profile":"p","created_at":"2026-01-01T00:00:00Z","expires_at":"2026-01-01T00:10:00Z"}`,
		`{"version":1,"state":"s","code_verifier":"v","client_id":"c","redirect_uri":"r","expires_at":"2026-01-01T00:10:00Z","owner_pid":12}`,
		`{"version":2}`,
		`{"version":1,"state":"s","evil":1}`,
		`[]`, `null`, ``, `{"expires_at":"not a time"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := decode("fuzz.session.json", data)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("decode() error %v is not a CorruptError", err)
			}
			return
		}
		if s.validate() != nil || s.State == "" || s.Verifier == "" || s.ClientID == "" || s.RedirectURI == "" {
			t.Fatalf("decode() accepted an incomplete session %+v", s)
		}
	})
}
