// Package session keeps the in-flight values of one login — client id,
// redirect URI, state, PKCE verifier — in a file of its own, the terminal's
// equivalent of a web app's session. One file per run, so parallel logins
// never collide; the exchange step reads its values back from the file.
package session

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// Lifetime is how long a session stays usable after it is created.
const Lifetime = 10 * time.Minute

// Version is the session file format written by this build.
const Version = 1

// fileSuffix names session files; the stem is derived from the state, so a
// callback's state finds its file without reading any other.
const fileSuffix = ".session.json"

// Session is the content of one session file. It never holds the client
// secret.
type Session struct {
	Version     int      `json:"version"`
	State       string   `json:"state"`
	Verifier    string   `json:"code_verifier"`
	Nonce       string   `json:"nonce,omitempty"`
	ClientID    string   `json:"client_id"`
	RedirectURI string   `json:"redirect_uri"`
	AuthURL     string   `json:"auth_url"`
	APIURL      string   `json:"api_url,omitempty"`
	Scopes      []string `json:"scopes,omitempty"`
	Profile     string   `json:"profile"`
	// Store and Output are a two-step login's choices of where to keep
	// the tokens and what to print, made when it started ("" for the
	// default), so that the resume finishes as the start asked.
	Store  string `json:"store,omitempty"`
	Output string `json:"output,omitempty"`
	// OwnerPID is the process waiting on this login, for a one-run login;
	// zero for a two-step login, which no process waits on. A session whose
	// owner died (SIGKILL, power loss) is swept at once.
	OwnerPID  int       `json:"owner_pid,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Errors returned when a session cannot be used.
var (
	ErrNotFound = errors.New("no pending login with that state")
	ErrExpired  = errors.New("the pending login has expired")
)

// InsecureError reports a session file or directory that others could read
// or have planted; it is never trusted.
type InsecureError = privfile.InsecureError

// CorruptError reports a session file that does not parse or misses fields.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("session file %s is damaged: %v", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// Hint says how to recover.
func (e *CorruptError) Hint() string {
	return fmt.Sprintf("remove %s and run the login again", e.Path)
}

// fileName is the name of the file holding the session for state. A hash
// keeps the state itself out of directory listings.
func fileName(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:16]) + fileSuffix
}

// validate checks that a decoded session has what the exchange needs.
func (s *Session) validate() error {
	switch {
	case s.Version != Version:
		return fmt.Errorf("unsupported version %d", s.Version)
	case s.State == "":
		return errors.New("no state")
	case s.Verifier == "":
		return errors.New("no code verifier")
	case s.ClientID == "":
		return errors.New("no client id")
	case s.RedirectURI == "":
		return errors.New("no redirect URI")
	case s.ExpiresAt.IsZero():
		return errors.New("no expiry")
	}
	return nil
}
