package cmd

import (
	"context"
	"fmt"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/profile"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// profileJSON is one profile of "status --all -o json": what is stored,
// read offline. It never carries a token value.
type profileJSON struct {
	tokenJSON
	LoggedIn bool        `json:"logged_in"`
	Store    string      `json:"store"`
	ClientID string      `json:"client_id"`
	User     *statusUser `json:"user"` // the id stored at login, or null
	Warnings []string    `json:"warnings"`
	// The servers of the login, and whether its emulator is gone (see
	// loginServers).
	AuthURL    string `json:"auth_url"`
	APIURL     string `json:"api_url"`
	ServerGone bool   `json:"server_gone,omitempty"`

	hasRefreshToken bool   // for the table: "none" or "unknown" expiry
	servers         string // for the table: "" for Kakao's
}

// runStatusAll is "status --all": every noted profile, from its store
// alone, so it is quick and works offline. A profile that cannot be read
// is listed with its error; the listing itself succeeds.
func runStatusAll(ctx context.Context, d *Deps, o *StatusOptions) error {
	paths, err := d.Paths()
	if err != nil {
		return statusFailed(d, o, nil, err)
	}
	names, err := listProfiles(ctx, d, paths)
	if err != nil {
		return statusFailed(d, o, nil, err)
	}
	now := d.Now()
	entries := make([]any, 0, len(names))
	for _, name := range names {
		entries = append(entries, profileEntry(ctx, d, name, now))
	}
	if o.Output == "json" {
		return writeJSON(d, entries)
	}
	if len(entries) == 0 {
		where := "on this machine"
		if url := sharedStoreURL(d); url != "" {
			where = "in " + sharedstore.Redact(url)
		}
		fmt.Fprintln(d.Stderr, "No profiles are stored "+where+"; log in with "+suggest("login", DefaultProfile)+".")
		return nil
	}
	printProfiles(d, entries, now)
	return nil
}

// profileEntry reads one profile: a *profileJSON, or a *statusErrorJSON
// when its login cannot be read.
func profileEntry(ctx context.Context, d *Deps, name string, now time.Time) any {
	s, err := openStored(d, name)
	if err != nil {
		return &statusErrorJSON{Profile: name, Warnings: []string{}, errorJSON: errorJSON{Error: err.Error(), Hint: hintOf(err)}}
	}
	rec, err := s.load(ctx)
	if err != nil && s.Store.Name() == tokenstore.BackendNone {
		// Logged out, and known: its app is kept for the next login.
		e := &statusErrorJSON{Profile: name, Warnings: []string{}, errorJSON: errorJSON{Error: err.Error(), Hint: hintOf(err)}, loggedOut: true}
		if app, _ := (tokenstore.Profiles{Dir: s.paths.ProfilesDir()}).App(name); app != nil {
			e.ClientID = app.ClientID
		}
		return e
	}
	if err != nil {
		return &statusErrorJSON{Profile: name, Store: s.Store.Name(), Warnings: []string{}, errorJSON: errorJSON{Error: err.Error(), Hint: hintOf(err)}}
	}
	p := &profileJSON{
		tokenJSON: newTokenJSON(name, rec, tokenValues{}),
		LoggedIn:  usableLogin(rec, now),
		Store:     s.Store.Name(),
		ClientID:  rec.ClientID,
		Warnings:  loginWarnings(name, rec, now),

		AuthURL:         firstNonEmpty(rec.AuthURL, kakao.DefaultAuthURL),
		APIURL:          firstNonEmpty(rec.APIURL, kakao.DefaultAPIURL),
		hasRefreshToken: rec.RefreshToken != "",
	}
	p.servers, p.ServerGone = loginServers(ctx, name, rec)
	if rec.UserID != 0 {
		p.User = &statusUser{ID: rec.UserID}
	}
	return p
}

// printProfiles writes the table of "status --all" on stdout and each
// profile's warnings (or error) on stderr.
func printProfiles(d *Deps, entries []any, now time.Time) {
	tw := tabwriter.NewWriter(d.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tSTORE\tCLIENT ID\tUSER\tACCESS TOKEN\tREFRESH TOKEN\tSERVERS")
	var warnings [][2]string
	for _, e := range entries {
		switch e := e.(type) {
		case *profileJSON:
			user := "-"
			if e.User != nil {
				user = strconv.FormatInt(e.User.ID, 10)
			}
			refresh := "none"
			switch {
			case e.RefreshTokenExpiresAt != "":
				refresh = shortExpiry(time.Unix(e.RefreshTokenExpiresAtUnix, 0), now)
			case e.hasRefreshToken:
				refresh = "unknown"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Profile, e.Store, termtext.Line(e.ClientID), user, shortExpiry(time.Unix(e.ExpiresAtUnix, 0), now), refresh, termtext.Line(firstNonEmpty(e.servers, "kakao")))
			for _, w := range e.Warnings {
				warnings = append(warnings, [2]string{e.Profile, w})
			}
		case *statusErrorJSON:
			if e.loggedOut {
				fmt.Fprintf(tw, "%s\t-\t%s\t-\tlogged out\t-\t-\n", e.Profile, termtext.Line(firstNonEmpty(e.ClientID, "-")))
				continue
			}
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t-\n", e.Profile, firstNonEmpty(e.Store, "-"))
			w := "its login cannot be read: " + e.Error
			if e.Hint != "" {
				w += " (" + e.Hint + ")"
			}
			warnings = append(warnings, [2]string{e.Profile, w})
		}
	}
	tw.Flush()
	for _, w := range warnings {
		warnf(d, "profile %q: %s", w[0], w[1])
	}
}

// shortExpiry says when a token expires, for a table cell.
func shortExpiry(t, now time.Time) string {
	if !t.After(now) {
		return "expired"
	}
	return "in " + human(t.Sub(now))
}

// listProfiles names the profiles status --all shows: those noted on this
// machine, or those in the shared store KAKAO_AUTH_STORE names.
func listProfiles(ctx context.Context, d *Deps, paths tokenstore.Paths) ([]string, error) {
	url := sharedStoreURL(d)
	if url == "" {
		return tokenstore.Profiles{Dir: paths.ProfilesDir()}.List()
	}
	st, err := openShared(d, url)
	if err != nil {
		return nil, err
	}
	s, _ := profile.SharedStore(st)
	return s.Profiles(ctx)
}
