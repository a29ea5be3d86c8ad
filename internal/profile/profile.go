// Package profile is the one place a profile's login is read and written:
// finding the store that holds it, loading it, refreshing it, saving a new
// login, changing it (Update) and removing it (Clear). Every writer goes
// through the profile's lock and re-reads the record under it, so a
// logout, a refresh or a new login running meanwhile in another process
// is neither undone nor lost. Commands (package cmd) keep their flags,
// output and hints; the token lifecycle is here.
package profile

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// DefaultLockWait bounds how long a writer waits for another one's lock:
// more than one token call's timeout, so a slow refresh is waited out.
const DefaultLockWait = 45 * time.Second

// lockNoticeAfter is how long a writer waits for the lock in silence: long
// enough that a quick refresh by another process goes unmentioned, short
// enough that a person never sees a silent hang.
const lockNoticeAfter = time.Second

// Config is what the core needs of the world; its zero fields have the
// defaults their comments say.
type Config struct {
	// Paths is where the profile notes and the local locks live.
	Paths tokenstore.Paths
	// Open opens a backend by the name a profile note gives.
	Open func(backend string) (Store, error)
	// HTTPClient makes the refresh calls; nil: the kakao package's default.
	HTTPClient *http.Client
	// Now is the clock; nil: time.Now.
	Now func() time.Time
	// KeyCacheDir caches ID-token signing keys; "": none.
	KeyCacheDir string
	// LockWait bounds the wait for another writer; 0: DefaultLockWait.
	LockWait time.Duration
	// OnLockWait is told, once, that a writer has waited a second for the
	// lock of profile; nil: nobody.
	OnLockWait func(profile string)
	// BeforeWait is called with the context before anything that waits
	// (a lock, a refresh): a command that lets Ctrl-C end it at once
	// until then catches it from there. nil: nothing.
	BeforeWait func(ctx context.Context)
	// Vet checks a login's servers before a secret of it is sent (a
	// refresh); nil: every server is fine.
	Vet func(profile string, rec *tokenstore.Record) error
	// Warnf reports what went wrong without failing the job (a previous
	// backend's record that could not be removed); nil: nobody.
	Warnf func(format string, args ...any)
}

func (c *Config) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

func (c *Config) notes() tokenstore.Profiles {
	return tokenstore.Profiles{Dir: c.Paths.ProfilesDir()}
}

func (c *Config) warnf(format string, args ...any) {
	if c.Warnf != nil {
		c.Warnf(format, args...)
	}
}

// Profile is one profile's login where it is stored. It remembers which
// login it is of (the last one it read or saved), so that Update changes
// that login and no other.
type Profile struct {
	Name  string
	Store Store
	cfg   *Config
	// noted: the profile note names Store (Find, SaveLogin); writes check
	// that it still does.
	noted bool

	mu       sync.Mutex
	login    string // the login's id (Record.Login), "" when unknown
	clientID string // the login's app, for records without an id
}

// Find opens the store profile name is noted in; tokenstore.ErrNotFound
// when it was never stored.
func (c *Config) Find(name string) (*Profile, error) {
	backend, err := c.notes().Backend(name)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("read profile %q: %w", name, err)
	}
	s, err := c.Open(backend)
	if err != nil {
		return nil, err
	}
	p := c.In(name, s)
	p.noted = true
	return p, nil
}

// In is profile name in store s, as a login that is to store it there
// sees it.
func (c *Config) In(name string, s Store) *Profile {
	return &Profile{Name: name, Store: s, cfg: c}
}

// Load reads the profile's record, with no lock: one read. Nothing
// stored is a *LoginRequiredError.
func (p *Profile) Load(ctx context.Context) (*tokenstore.Record, error) {
	rec, _, err := p.load(ctx)
	if err != nil {
		return nil, err
	}
	p.saw(rec)
	return rec, nil
}

func (p *Profile) load(ctx context.Context) (*tokenstore.Record, Version, error) {
	rec, v, err := p.Store.Load(ctx, p.Name)
	if errors.Is(err, tokenstore.ErrNotFound) && p.Store.Name() == tokenstore.BackendNone {
		// Noted by Clear, which keeps the app for the next login.
		return nil, nil, &LoginRequiredError{Profile: p.Name, Reason: "it was logged out; its app settings are kept for the next login"}
	}
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, nil, &LoginRequiredError{Profile: p.Name, Reason: fmt.Sprintf("nothing stored in the %s store", p.Store.Name())}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load profile %q from the %s store: %w", p.Name, p.Store.Name(), err)
	}
	return rec, v, nil
}

// saw makes rec's login the one p is of.
func (p *Profile) saw(rec *tokenstore.Record) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.login, p.clientID = rec.Login, rec.ClientID
}

// isOf reports whether rec is the login p is of: the same login id, or
// for a record without one (an older kakao-auth's), the same app.
func (p *Profile) isOf(rec *tokenstore.Record) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.login != "" || rec.Login != "":
		return p.login == rec.Login
	case p.clientID != "":
		return p.clientID == rec.ClientID
	}
	return true
}

// lock takes the profile's lock. When another writer holds it for more
// than lockNoticeAfter, OnLockWait is told once.
func (p *Profile) lock(ctx context.Context) (unlock func() error, err error) {
	if p.cfg.BeforeWait != nil {
		p.cfg.BeforeWait(ctx)
	}
	wait := p.cfg.LockWait
	if wait <= 0 {
		wait = DefaultLockWait
	}
	if p.cfg.OnLockWait == nil {
		return p.Store.Lock(ctx, p.Name, wait)
	}
	said := make(chan struct{})
	notice := time.AfterFunc(lockNoticeAfter, func() {
		defer close(said)
		p.cfg.OnLockWait(p.Name)
	})
	unlock, err = p.Store.Lock(ctx, p.Name, wait)
	if !notice.Stop() {
		<-said // the caller never writes at the same time as the notice
	}
	return unlock, err
}

// current re-reads the record under the lock, after checking that the
// profile is still where p found it: noted for p's store, with a record
// there. A writer that finds it gone (logged out, or removed by hand,
// meanwhile) gets a *LoginRequiredError and writes nothing, so a logout
// that ran meanwhile is not undone.
func (p *Profile) current(ctx context.Context) (*tokenstore.Record, Version, error) {
	gone := &LoginRequiredError{Profile: p.Name, Reason: "it was logged out meanwhile; nothing was saved"}
	if p.noted {
		backend, err := p.cfg.notes().Backend(p.Name)
		switch {
		case errors.Is(err, tokenstore.ErrNotFound):
			return nil, nil, gone
		case err != nil:
			return nil, nil, fmt.Errorf("read profile %q: %w", p.Name, err)
		case backend != p.Store.Name():
			return nil, nil, gone
		}
	}
	rec, v, err := p.Store.Load(ctx, p.Name)
	if errors.Is(err, tokenstore.ErrNotFound) {
		return nil, nil, gone
	}
	if err != nil {
		return nil, nil, fmt.Errorf("load profile %q from the %s store: %w", p.Name, p.Store.Name(), err)
	}
	return rec, v, nil
}
