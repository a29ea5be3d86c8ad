package profile

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// newLoginID is a fresh Record.Login.
func newLoginID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b) // never fails (crypto/rand's contract since Go 1.24)
	return base64.RawURLEncoding.EncodeToString(b)
}

// SaveLogin stores rec, a new login, as the profile's, under its lock (a
// refresh running meanwhile must not write an older login over it); it
// gives rec its login id, notes the backend and the app, removes the
// profile from a backend it lived in before, and makes rec the login p is
// of, for Update.
//
// The order of the writes is what lets Clear clean up after a crash
// between two of them: Clear always looks in the file store, but in the
// keyring only when the note names it (or, just in case, when there is no
// note, or one it cannot read). So the note names the keyring before a
// record goes there, a new profile's too (an unreadable note is left as it
// is: it already sends Clear to the keyring), and stops naming it only
// once the record there is gone: a profile without a note has nothing in
// the keyring, and a keyring that cannot be asked then is nothing to warn
// about.
func (p *Profile) SaveLogin(ctx context.Context, rec *tokenstore.Record) error {
	unlock, err := p.lock(ctx)
	if err != nil {
		return err
	}
	defer unlock()
	rec.Login = newLoginID()
	if _, ok := SharedStore(p.Store); ok {
		// A shared store is named on each run (--store, KAKAO_AUTH_STORE):
		// no note here, nothing of the login on this machine.
		if err := p.Store.Save(ctx, p.Name, rec, nil); err != nil {
			return fmt.Errorf("store the tokens: %w", err)
		}
		p.saw(rec)
		return nil
	}
	notes := p.cfg.notes()
	name := p.Store.Name()
	before, noteErr := notes.Backend(p.Name)
	noNote := errors.Is(noteErr, tokenstore.ErrNotFound)
	// A note that exists but cannot be read (damaged, or a newer
	// kakao-auth's) is left as it is until the login is stored: a failed
	// save must not lose it, and without a readable note Clear looks in
	// the keyring anyway. A refused one (a link, the wrong mode) is still
	// written to, so that the write refuses it before anything is stored.
	var ie *privfile.InsecureError
	unreadable := noteErr != nil && !noNote && !errors.As(noteErr, &ie)
	moving := before != "" && before != name
	noteFirst := !unreadable && before != name && name == tokenstore.BackendKeyring
	if noteFirst {
		if err := notes.SetBackend(p.Name, name); err != nil {
			return fmt.Errorf("record profile %q: %w", p.Name, err)
		}
	}
	if err := p.Store.Save(ctx, p.Name, rec, nil); err != nil {
		switch {
		case noteFirst && noNote:
			_ = notes.Remove(p.Name)
		case noteFirst:
			// The previous login stays the one in use.
			_ = notes.SetBackend(p.Name, before)
		}
		return fmt.Errorf("store the tokens: %w", err)
	}
	p.saw(rec)
	p.noted = true
	if moving {
		if old, err := p.cfg.Open(before); err == nil {
			if err := old.Delete(ctx, p.Name); err != nil {
				p.cfg.warnf("could not remove the previous login of profile %q from the %s store: %v", p.Name, before, err)
			}
		}
	}
	// The note keeps the login's app as well, for when the record cannot
	// be read.
	if err := notes.SetLogin(p.Name, name, rec.App()); err != nil {
		return fmt.Errorf("record profile %q: %w", p.Name, err)
	}
	return nil
}
