package cmd

import (
	"encoding/json"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// tokenJSON is the one JSON shape of a login's tokens. Every command that
// prints a login as JSON (login, token, refresh, status, export) embeds it
// and adds only its own fields, so a field has one name and one type
// everywhere (README, "JSON output"). The token values appear only where
// the command's job is to show them (see tokenValues); every other field
// is always there, except the refresh token's expiry when it is unknown.
type tokenJSON struct {
	Profile                   string   `json:"profile"`
	AccessToken               string   `json:"access_token,omitempty"`
	TokenType                 string   `json:"token_type"`
	ExpiresAt                 string   `json:"expires_at"`
	ExpiresAtUnix             int64    `json:"expires_at_unix"`
	RefreshToken              string   `json:"refresh_token,omitempty"`
	RefreshTokenExpiresAt     string   `json:"refresh_token_expires_at,omitempty"`
	RefreshTokenExpiresAtUnix int64    `json:"refresh_token_expires_at_unix,omitempty"`
	Scopes                    []string `json:"scopes"`
	IDToken                   string   `json:"id_token,omitempty"`
}

// tokenValues says which token values a document carries.
type tokenValues struct {
	access, refresh, id bool
}

// allTokenValues is every token value: login -o json, status --show-token.
var allTokenValues = tokenValues{access: true, refresh: true, id: true}

// newTokenJSON describes profile's login r, with the values show asks for.
func newTokenJSON(profile string, r *tokenstore.Record, show tokenValues) tokenJSON {
	out := tokenJSON{
		Profile:       profile,
		TokenType:     firstNonEmpty(r.TokenType, "bearer"),
		ExpiresAt:     rfc3339(r.Expiry),
		ExpiresAtUnix: r.Expiry.Unix(),
		Scopes:        r.Scopes,
	}
	if out.Scopes == nil {
		out.Scopes = []string{}
	}
	if !r.RefreshExpiry.IsZero() {
		out.RefreshTokenExpiresAt = rfc3339(r.RefreshExpiry)
		out.RefreshTokenExpiresAtUnix = r.RefreshExpiry.Unix()
	}
	if show.access {
		out.AccessToken = r.AccessToken
	}
	if show.refresh {
		out.RefreshToken = r.RefreshToken
	}
	if show.id {
		out.IDToken = r.IDToken
	}
	return out
}

// secrets returns the token values t carries, for maskSecrets.
func (t *tokenJSON) secrets() []string {
	return []string{t.AccessToken, t.RefreshToken, t.IDToken}
}

// expiresIn is the whole seconds left until t, never negative.
func expiresIn(t, now time.Time) int64 { return max(0, int64(t.Sub(now).Seconds())) }

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeJSON prints v as an indented JSON document. Every JSON document
// kakao-auth writes goes through writeDocument, so none carries a
// character a terminal obeys.
func writeJSON(d *Deps, v any) error {
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeDocument(d, append(doc, '\n'))
}

// writeDocument prints a valid JSON document with the characters a
// terminal obeys (DEL, C1 and bidi controls, which encoding/json leaves
// raw) escaped as \uXXXX: always, not only on a terminal, since a file
// saved now may be printed on one later, and the values decode the same.
func writeDocument(d *Deps, doc []byte) error {
	_, err := d.Stdout.Write(termtext.JSON(doc))
	return err
}
