package tokenstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// RecordVersion is the format version Encode writes and Decode accepts.
const RecordVersion = 1

// Record is one profile's login. Small on purpose: Windows caps a credential at 2560 bytes.
type Record struct {
	Version       int       `json:"v"` // RecordVersion; Encode (so Save) writes it
	ClientID      string    `json:"client_id"`
	RedirectURI   string    `json:"redirect_uri,omitempty"`
	AuthURL       string    `json:"auth_url,omitempty"`
	APIURL        string    `json:"api_url,omitempty"`
	Scopes        []string  `json:"scopes,omitempty"`
	TokenType     string    `json:"token_type,omitempty"`
	AccessToken   string    `json:"access_token"`
	RefreshToken  string    `json:"refresh_token,omitempty"`
	Expiry        time.Time `json:"expiry"`
	RefreshExpiry time.Time `json:"refresh_expiry,omitzero"`
	UserID        int64     `json:"user_id,omitempty"`
	ClientSecret  string    `json:"client_secret,omitempty"` // kept only when one was used, with the same protection as the tokens
	IDToken       string    `json:"id_token,omitempty"`      // verified before it was stored
	Nonce         string    `json:"nonce,omitempty"`         // of the login; refreshed ID tokens are checked against it
	// Login is a random id given to the login when it is stored and kept
	// by every refresh: a writer that read the record tells by it whether
	// the profile still holds that login or was logged in again since.
	// Empty in a record an older kakao-auth wrote.
	Login string `json:"login,omitempty"`
	// AllowInsecureHTTP records that the login opted in to an http:// server
	// that is not on this machine (kakao-auth warns on each use).
	AllowInsecureHTTP bool `json:"allow_insecure_http,omitempty"`
	// BuiltinEmulator records that the login was made against the
	// throwaway emulator "kakao-auth login --emulator" ran for that login
	// alone: once it has stopped it never comes back, unlike an emulator
	// the user runs (and may restart with its state file).
	BuiltinEmulator bool `json:"builtin_emulator,omitempty"`
	// SecretNotKnown is set only on a Record made from a profile note
	// (App.Record) while the login's own record cannot be read: its app
	// uses a client secret, whose value only that record holds. It is
	// never stored.
	SecretNotKnown bool `json:"-"`
}

// App is the part of a login that names its app: the client id, the
// servers, the redirect URI and the consent items. It holds no token and
// no secret (the client secret stays in the Record), so Profiles may keep a
// copy where tokens may not go.
type App struct {
	ClientID    string   `json:"client_id"`
	RedirectURI string   `json:"redirect_uri,omitempty"`
	AuthURL     string   `json:"auth_url,omitempty"`
	APIURL      string   `json:"api_url,omitempty"`
	Scopes      []string `json:"scopes,omitempty"`
	// AllowInsecureHTTP is the login's opt-in to its http:// servers.
	AllowInsecureHTTP bool `json:"allow_insecure_http,omitempty"`
	// UsesClientSecret says that the app uses a client secret (not what
	// it is: a "confidential" client, as RFC 6749 §2.1 calls it), so that
	// a login without the record can ask for it first.
	UsesClientSecret bool `json:"confidential,omitempty"`
}

// App returns the app r is a login of.
func (r *Record) App() App {
	return App{
		ClientID:          r.ClientID,
		RedirectURI:       r.RedirectURI,
		AuthURL:           r.AuthURL,
		APIURL:            r.APIURL,
		Scopes:            slices.Clone(r.Scopes),
		AllowInsecureHTTP: r.AllowInsecureHTTP,
		UsesClientSecret:  r.ClientSecret != "",
	}
}

// Record is the login a's settings stand for when its own record cannot
// be read: the app, with no token, user or client secret (SecretNotKnown
// when the app uses one).
func (a App) Record() *Record {
	return &Record{
		ClientID:          a.ClientID,
		RedirectURI:       a.RedirectURI,
		AuthURL:           a.AuthURL,
		APIURL:            a.APIURL,
		Scopes:            slices.Clone(a.Scopes),
		AllowInsecureHTTP: a.AllowInsecureHTTP,
		SecretNotKnown:    a.UsesClientSecret,
	}
}

// Equal reports whether r and o hold the same login. Times are compared
// with time.Time.Equal, so a record survives a round trip through JSON
// (which drops the monotonic clock and may change the location) unchanged;
// a nil and an empty Scopes are the same.
func (r *Record) Equal(o *Record) bool {
	if r == nil || o == nil {
		return r == o
	}
	return r.Version == o.Version &&
		r.ClientID == o.ClientID &&
		r.RedirectURI == o.RedirectURI &&
		r.AuthURL == o.AuthURL &&
		r.APIURL == o.APIURL &&
		slices.Equal(r.Scopes, o.Scopes) &&
		r.TokenType == o.TokenType &&
		r.AccessToken == o.AccessToken &&
		r.RefreshToken == o.RefreshToken &&
		r.Expiry.Equal(o.Expiry) &&
		r.RefreshExpiry.Equal(o.RefreshExpiry) &&
		r.UserID == o.UserID &&
		r.ClientSecret == o.ClientSecret &&
		r.IDToken == o.IDToken &&
		r.Nonce == o.Nonce &&
		r.Login == o.Login &&
		r.AllowInsecureHTTP == o.AllowInsecureHTTP &&
		r.BuiltinEmulator == o.BuiltinEmulator
}

// Encode returns r as compact JSON with Version set to RecordVersion (r
// itself is not modified). It refuses a record that Decode would refuse,
// so nothing is ever stored that reads back as corrupt.
func Encode(r *Record) ([]byte, error) {
	if r == nil {
		return nil, errors.New("encode login: no record")
	}
	c := *r
	c.Version = RecordVersion
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("encode login: %w", err)
	}
	return json.Marshal(&c)
}

// Decode parses a stored record. Anything it cannot trust (bad JSON, an
// unknown version, no client_id or access_token) is a *CorruptError with
// an empty Where, for the backend to fill in. It never panics.
func Decode(data []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, &CorruptError{Err: describeJSONError(err)}
	}
	if err := r.check(); err != nil {
		return nil, &CorruptError{Err: err}
	}
	return &r, nil
}

// check holds the rules a stored record must meet.
func (r *Record) check() error {
	switch {
	case r.Version != RecordVersion:
		return fmt.Errorf("unknown record version %d (this kakao-auth reads version %d)", r.Version, RecordVersion)
	case r.ClientID == "":
		return errors.New("record has no client_id")
	case r.AccessToken == "":
		return errors.New("record has no access_token")
	case r.TokenType != "" && !strings.EqualFold(r.TokenType, "bearer"):
		// Kakao's tokens are bearer tokens; kakao-auth refuses any other
		// type on receipt, so another one here was written by something
		// else (or by a kakao-auth from before that check), and it would
		// become the Authorization scheme and reach the terminal. The value
		// itself is not quoted: it may hold control characters.
		return errors.New("record's token_type is not bearer")
	}
	return nil
}

// describeJSONError keeps the shape of a JSON error but drops anything that
// quotes the input: a syntax error names the offending character, which
// could be part of a token.
func describeJSONError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Errorf("not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		return fmt.Errorf("field %q has the wrong type", typ.Field)
	}
	// Unexpected end of input, or a time that does not parse (its message
	// quotes the value).
	return errors.New("not valid JSON, or a malformed time")
}
