package tokenstore

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// sampleRecord is a full login, as a login with a client secret leaves it.
func sampleRecord() *Record {
	return &Record{
		ClientID:      "rest-api-key",
		RedirectURI:   "http://localhost:8765/callback",
		AuthURL:       "https://kauth.kakao.com",
		APIURL:        "https://kapi.kakao.com",
		Scopes:        []string{"profile_nickname", "talk_message"},
		TokenType:     "bearer",
		AccessToken:   "access-token-value",
		RefreshToken:  "refresh-token-value",
		Expiry:        time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC),
		RefreshExpiry: time.Date(2030, 3, 2, 3, 4, 5, 0, time.UTC),
		UserID:        1234567890,
		ClientSecret:  "client-secret-value",
		IDToken:       "header.payload.signature",
		Nonce:         "nonce-value",
	}
}

func TestRecord_EncodeDecodeRoundTrip(t *testing.T) {
	tests := []struct {
		name string
		in   *Record
	}{
		{"full", sampleRecord()},
		{"minimal", &Record{ClientID: "id", AccessToken: "at", Expiry: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}},
		{"version is overwritten", &Record{Version: 7, ClientID: "id", AccessToken: "at"}},
		{"local time", &Record{ClientID: "id", AccessToken: "at", Expiry: time.Now()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := Encode(tt.in)
			if err != nil {
				t.Fatalf("Encode() = %v", err)
			}
			got, err := Decode(data)
			if err != nil {
				t.Fatalf("Decode(Encode()) = %v", err)
			}
			want := *tt.in
			want.Version = RecordVersion
			if diff := cmp.Diff(&want, got, cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) })); diff != "" {
				t.Errorf("Decode(Encode()) mismatch (-want +got):\n%s", diff)
			}
			if !want.Equal(got) {
				t.Errorf("Equal() = false after a round trip")
			}
		})
	}
}

func TestEncode_LeavesTheRecordAloneAndIsCompact(t *testing.T) {
	r := &Record{ClientID: "id", AccessToken: "at"}
	data, err := Encode(r)
	if err != nil {
		t.Fatal(err)
	}
	if r.Version != 0 {
		t.Errorf("Encode() set r.Version = %d; want the caller's record untouched", r.Version)
	}
	if strings.ContainsAny(string(data), " \n") {
		t.Errorf("Encode() = %s, want compact JSON", data)
	}
	for _, absent := range []string{"refresh_token", "refresh_expiry", "client_secret", "scopes"} {
		if strings.Contains(string(data), absent) {
			t.Errorf("Encode() = %s, want no empty %s", data, absent)
		}
	}
}

func TestEncode_RefusesWhatDecodeWouldRefuse(t *testing.T) {
	tests := []struct {
		name string
		in   *Record
	}{
		{"nil", nil},
		{"no access token", &Record{ClientID: "id"}},
		{"no client id", &Record{AccessToken: "at"}},
		{"not bearer", &Record{ClientID: "id", AccessToken: "at", TokenType: "Basic"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if data, err := Encode(tt.in); err == nil {
				t.Errorf("Encode() = %s, nil; want an error", data)
			}
		})
	}
}

func TestDecode_RefusesWithCorruptError(t *testing.T) {
	good, err := Encode(sampleRecord())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
	}{
		{"empty", ""},
		{"not JSON", "access-token-value"},
		{"JSON null", "null"},
		{"JSON array", `[1,2]`},
		{"no version", `{"client_id":"id","access_token":"at"}`},
		{"version 2", `{"v":2,"client_id":"id","access_token":"at"}`},
		{"no access token", `{"v":1,"client_id":"id"}`},
		{"no client id", `{"v":1,"access_token":"at"}`},
		{"wrong type", `{"v":"1","client_id":"id","access_token":"at"}`},
		{"bad time", `{"v":1,"client_id":"id","access_token":"at","expiry":"tomorrow"}`},
		{"basic token type", `{"v":1,"client_id":"id","access_token":"at","token_type":"Basic"}`},
		{"token type with a header in it", `{"v":1,"client_id":"id","access_token":"at","token_type":"Bearer\r\nX-Inj: 1"}`},
		{"token type with an escape", `{"v":1,"client_id":"id","access_token":"at","token_type":"\u001b[2J"}`},
		{"trailing data", string(good) + "x"},
		{"truncated", string(good[:len(good)/2])},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode([]byte(tt.data))
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Decode() = %+v, %v; want a *CorruptError", r, err)
			}
			for _, secret := range []string{"access-token-value", "refresh-token-value", "client-secret-value"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q quotes a secret", err)
				}
			}
			if !strings.Contains(ce.Hint(), "kakao-auth login") {
				t.Errorf("Hint() = %q, want it to say to log in again", ce.Hint())
			}
		})
	}
}

func TestRecord_Equal(t *testing.T) {
	base := sampleRecord()
	sameInstant := sampleRecord()
	sameInstant.Expiry = sameInstant.Expiry.In(time.FixedZone("KST", 9*60*60))
	nilScopes, emptyScopes := sampleRecord(), sampleRecord()
	nilScopes.Scopes, emptyScopes.Scopes = nil, []string{}

	tests := []struct {
		name string
		a, b *Record
		want bool
	}{
		{"same", base, sampleRecord(), true},
		{"same instant in another zone", base, sameInstant, true},
		{"nil and empty scopes", nilScopes, emptyScopes, true},
		{"both nil", nil, nil, true},
		{"one nil", base, nil, false},
		{"other access token", base, with(func(r *Record) { r.AccessToken = "other" }), false},
		{"other refresh token", base, with(func(r *Record) { r.RefreshToken = "other" }), false},
		{"other expiry", base, with(func(r *Record) { r.Expiry = r.Expiry.Add(time.Second) }), false},
		{"other refresh expiry", base, with(func(r *Record) { r.RefreshExpiry = time.Time{} }), false},
		{"other scopes", base, with(func(r *Record) { r.Scopes = r.Scopes[:1] }), false},
		{"other user", base, with(func(r *Record) { r.UserID++ }), false},
		{"other secret", base, with(func(r *Record) { r.ClientSecret = "" }), false},
		{"other ID token", base, with(func(r *Record) { r.IDToken = "h.p.s2" }), false},
		{"other nonce", base, with(func(r *Record) { r.Nonce = "" }), false},
		{"other insecure opt-in", base, with(func(r *Record) { r.AllowInsecureHTTP = true }), false},
		{"other emulator", base, with(func(r *Record) { r.BuiltinEmulator = true }), false},
		{"other version", base, with(func(r *Record) { r.Version = RecordVersion }), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Equal(tt.b); got != tt.want {
				t.Errorf("a.Equal(b) = %v, want %v", got, tt.want)
			}
			if got := tt.b.Equal(tt.a); got != tt.want {
				t.Errorf("b.Equal(a) = %v, want %v", got, tt.want)
			}
		})
	}
}

// with returns sampleRecord changed by change.
func with(change func(*Record)) *Record {
	r := sampleRecord()
	change(r)
	return r
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(sampleRecord())
	for _, seed := range []string{string(good), "", "null", "{}", `{"v":1}`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Decode(data)
		if err != nil {
			var ce *CorruptError
			if !errors.As(err, &ce) {
				t.Fatalf("Decode() error %v is not a *CorruptError", err)
			}
			return
		}
		// Whatever decodes must encode and decode to the same record.
		again, err := Encode(r)
		if err != nil {
			t.Fatalf("Encode(Decode()) = %v", err)
		}
		r2, err := Decode(again)
		if err != nil || !r.Equal(r2) {
			t.Fatalf("Decode(Encode(Decode())) = %+v, %v; want %+v", r2, err, r)
		}
	})
}
