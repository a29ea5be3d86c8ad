package profile

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Clear logs profile name out on this machine: under the profile's lock
// (a refresh in flight saves first and is then removed; any later one
// finds the profile gone), it removes every record of the profile and
// returns the backends it removed records from. The profile's note then
// says that nothing is stored (BackendNone) and keeps the app, for the
// next login (a profile logged out stays known); with forget, or when no
// app is known, the note goes too. It looks in
// the store the note names, in the file store (local, so always safe to
// look in) and, without a readable note, in the keyring too: a crash
// between two writes of a login (see SaveLogin) leaves nothing behind that
// Clear cannot find. A profile with no record, and no note or one that
// says it is logged out, is a *NothingStoredError.
//
// unchecked is why the keyring could not be looked in, when there is
// reason to think it holds the profile: a note that cannot be read. With
// no note at all there is none (SaveLogin notes the keyring before it
// stores there), so a keyring that cannot be asked then is no news.
func (c *Config) Clear(ctx context.Context, name string, forget bool) (removed []string, unchecked error, err error) {
	files, err := c.Open(tokenstore.BackendFile)
	if err != nil {
		return nil, nil, err
	}
	unlock, err := c.In(name, files).lock(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	notes := c.notes()
	noted, noteErr := notes.Backend(name)
	// The app kept: the note's, else that of a record found below; none
	// when the note cannot be read (or is refused): it goes, as before.
	var app *tokenstore.App
	if noteErr == nil {
		app, _ = notes.App(name)
	}
	names := []string{tokenstore.BackendFile}
	if noteErr == nil {
		names = []string{noted, tokenstore.BackendFile}
	} else {
		names = append(names, tokenstore.BackendKeyring)
	}
	for i, backend := range names {
		if backend == tokenstore.BackendNone || slices.Contains(names[:i], backend) {
			continue
		}
		store, err := c.Open(backend)
		if err != nil {
			return removed, unchecked, err
		}
		rec, _, err := store.Load(ctx, name)
		if err == nil && app == nil && noteErr == nil {
			a := rec.App()
			app = &a
		}
		var ue *tokenstore.UnavailableError
		switch {
		case errors.Is(err, tokenstore.ErrNotFound):
			continue
		case errors.As(err, &ue) && (noteErr != nil || backend != noted):
			// Only looked in just in case, and cannot be looked in.
			if !errors.Is(noteErr, tokenstore.ErrNotFound) {
				unchecked = err
			}
			continue
		}
		// Whatever is there goes, readable or not: a refused or damaged
		// record too, so that logout is the way out of those.
		if err := store.Delete(ctx, name); err != nil {
			return removed, unchecked, fmt.Errorf("remove profile %q from the %s store: %w", name, backend, err)
		}
		removed = append(removed, backend)
	}
	loggedOut := noteErr == nil && noted == tokenstore.BackendNone
	if forget || app == nil || app.ClientID == "" {
		if err := notes.Remove(name); err != nil {
			return removed, unchecked, fmt.Errorf("forget profile %q: %w", name, err)
		}
	} else if err := notes.SetLogin(name, tokenstore.BackendNone, *app); err != nil {
		return removed, unchecked, fmt.Errorf("record profile %q as logged out: %w", name, err)
	}
	if len(removed) == 0 && (errors.Is(noteErr, tokenstore.ErrNotFound) || loggedOut) {
		return nil, nil, &NothingStoredError{Profile: name, Known: loggedOut && !forget, Forgotten: loggedOut && forget}
	}
	return removed, unchecked, nil
}
