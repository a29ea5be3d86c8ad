package emulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
)

// maxUsersFileBytes bounds what ReadUsersFile reads.
const maxUsersFileBytes = 1 << 20

// ReadUsersFile reads the --users file: a JSON list of User objects, such as
//
//	[{"id": 4000000001, "nickname": "Ryan", "email": "ryan@example.com",
//	  "picture": "https://example.com/ryan.jpg"},
//	 {"id": 4000000002, "nickname": "Muzi", "agreed": ["profile_nickname"]}]
//
// Unknown fields are refused, so a typo such as "e-mail" is caught rather
// than read as a user without an email. Every user needs a positive id and
// a nickname; ids and emails (compared without case, as login_hint is) must
// be unique.
func ReadUsersFile(path string) ([]User, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("users file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxUsersFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(data) > maxUsersFileBytes {
		return nil, fmt.Errorf("users file %s: larger than %d bytes", path, maxUsersFileBytes)
	}
	return ParseUsersFile(path, data)
}

// MaxUsersFileBytes bounds a users file, for a caller that reads it itself.
const MaxUsersFileBytes = maxUsersFileBytes

// ParseUsersFile is ReadUsersFile for the contents of the file at path,
// read by the caller: the CLI reads it as it reads every file a flag
// names, capped and interruptible (a FIFO without a writer blocks open(2)).
func ParseUsersFile(path string, data []byte) ([]User, error) {
	users, err := parseUsers(data)
	if err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	return users, nil
}

func parseUsers(data []byte) ([]User, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var users []User
	if err := dec.Decode(&users); err != nil {
		return nil, fmt.Errorf("want a JSON list of users: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("want a JSON list of users: data after the list")
	}
	if len(users) == 0 {
		return nil, errors.New("no users in the list")
	}
	for i, u := range users {
		n := i + 1
		switch {
		case u.ID <= 0:
			return nil, fmt.Errorf("user %d: id must be a positive number", n)
		case strings.TrimSpace(u.Nickname) == "":
			return nil, fmt.Errorf("user %d: nickname is empty", n)
		}
		for j, v := range users[:i] {
			if v.ID == u.ID {
				return nil, fmt.Errorf("user %d: id %d is taken by user %d", n, u.ID, j+1)
			}
			if u.Email != "" && strings.EqualFold(v.Email, u.Email) {
				return nil, fmt.Errorf("user %d: email %s is taken by user %d", n, u.Email, j+1)
			}
		}
	}
	return users, nil
}

// configUsers is the account list of cfg: Users, or else the one User, or
// else the default user.
func configUsers(cfg Config) []User {
	var out []User
	for _, u := range cfg.Users {
		if !slices.ContainsFunc(out, func(v User) bool { return v.ID == u.ID }) {
			out = append(out, u)
		}
	}
	if len(out) > 0 {
		return out
	}
	u := cfg.User
	if u.ID == 0 && u.Nickname == "" && u.Email == "" && u.ProfileImageURL == "" && u.Agreed == nil {
		u = defaultUser
	}
	return []User{u}
}

// multiUser reports whether there are accounts to pick from.
func (s *Server) multiUser() bool { return len(s.users) > 1 }

// userByID returns the account with id.
func (s *Server) userByID(id int64) (User, bool) {
	for _, u := range s.users {
		if u.ID == id {
			return u, true
		}
	}
	return User{}, false
}

// accountRef is what login_hint (and UserAgent.User) is matched against.
type accountRef struct{ id, email, nickname string }

func refOf(u User) accountRef {
	return accountRef{id: strconv.FormatInt(u.ID, 10), email: u.Email, nickname: u.Nickname}
}

// matchAccount returns the index of the account hint names: by email (any
// case) first, as Kakao's login_hint pre-fills the account ID field, then by
// user ID, then by nickname (any case). -1 when none matches.
func matchAccount(accounts []accountRef, hint string) int {
	if hint == "" {
		return -1
	}
	for i, a := range accounts {
		if a.email != "" && strings.EqualFold(a.email, hint) {
			return i
		}
	}
	for i, a := range accounts {
		if a.id == hint {
			return i
		}
	}
	for i, a := range accounts {
		if strings.EqualFold(a.nickname, hint) {
			return i
		}
	}
	return -1
}

// userByHint returns the account login_hint names.
func (s *Server) userByHint(hint string) (User, bool) {
	refs := make([]accountRef, len(s.users))
	for i, u := range s.users {
		refs[i] = refOf(u)
	}
	if i := matchAccount(refs, hint); i >= 0 {
		return s.users[i], true
	}
	return User{}, false
}

// grantable is what u grants of scopes: those in u.Agreed, and openid.
func grantable(u User, scopes []string) []string {
	if u.Agreed == nil {
		return scopes
	}
	var out []string
	for _, sc := range scopes {
		if sc == "openid" || slices.Contains(u.Agreed, sc) {
			out = append(out, sc)
		}
	}
	return out
}

// accountCookie is the emulator's Kakao Account session: the ID of the account
// the browser last agreed as, or signedOut after GET /oauth/logout. It is not a
// secret: the picker lets anyone pick any account anyway. It lasts Kakao's
// default 24 hours (Kakao's REST API guide, on the Kakao Account session,
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api).
const accountCookie = "emu_kakao_account"

// signedOut is accountCookie's value in a browser that logged out of its
// Kakao Account.
const signedOut = "signed-out"

// signedInUser returns the account whose session r carries. With one user,
// a browser without a session counts as signed in (so a script with no
// cookies logs in at once), unless it logged out.
func (s *Server) signedInUser(r *http.Request) (User, bool) {
	c, err := r.Cookie(accountCookie)
	if !s.multiUser() {
		if err == nil && c.Value == signedOut {
			return User{}, false
		}
		return s.users[0], true
	}
	if err != nil {
		return User{}, false
	}
	id, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil {
		return User{}, false
	}
	return s.userByID(id)
}

// setAccountCookie signs the browser in as u.
func (s *Server) setAccountCookie(w http.ResponseWriter, u User) {
	setSessionCookie(w, strconv.FormatInt(u.ID, 10))
}

func setSessionCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name:     accountCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   24 * 60 * 60,
		HttpOnly: true,
		SameSite: http.SameSiteLaxMode,
	})
}

// chosenUser is the account a consent form picked: the "user" field, which
// may be left out when there is only one account.
func (s *Server) chosenUser(field string) (User, bool) {
	if field == "" && !s.multiUser() {
		return s.users[0], true
	}
	id, err := strconv.ParseInt(field, 10, 64)
	if err != nil {
		return User{}, false
	}
	return s.userByID(id)
}
