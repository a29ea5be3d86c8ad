package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zalando/go-keyring"
)

// maxKeyringSecret is the largest record Keyring stores. Windows caps a
// credential blob at 2560 bytes; enforcing it everywhere means a login that
// works on Linux or macOS works on Windows too.
const maxKeyringSecret = 2560

// probeUser is the keyring user Probe looks up. Profile names cannot start
// with a dot, so it never names a real record.
const probeUser = ".kakao-auth-probe"

// Keyring stores each profile's record as one item of the OS keyring
// (Secret Service on Linux and BSD, Keychain on macOS, Credential Manager
// on Windows): service Service, user the profile name.
type Keyring struct {
	Service      string        // "" = KeyringService
	ReadTimeout  time.Duration // 0 = 3 s (Get, Delete)
	WriteTimeout time.Duration // 0 = 30 s (Set: an unlock dialog may be up)
}

// Name returns BackendKeyring.
func (k *Keyring) Name() string { return BackendKeyring }

func (k *Keyring) service() string {
	if k.Service == "" {
		return KeyringService
	}
	return k.Service
}

func (k *Keyring) readTimeout() time.Duration {
	if k.ReadTimeout <= 0 {
		return 3 * time.Second
	}
	return k.ReadTimeout
}

func (k *Keyring) writeTimeout() time.Duration {
	if k.WriteTimeout <= 0 {
		return 30 * time.Second
	}
	return k.WriteTimeout
}

// Probe checks that the keyring answers, before a login opens a browser
// only to fail at the end: it looks up an item that does not exist. It
// returns nil or an *UnavailableError.
func (k *Keyring) Probe(ctx context.Context) error {
	_, err := callKeyring(ctx, k.readTimeout(), "probe", func() (string, error) {
		return keyring.Get(k.service(), probeUser)
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// Load returns the record of profile, ErrNotFound when the keyring has
// none, a *CorruptError when the item does not decode, or an
// *UnavailableError.
func (k *Keyring) Load(ctx context.Context, profile string) (*Record, error) {
	if err := CheckProfile(profile); err != nil {
		return nil, err
	}
	secret, err := callKeyring(ctx, k.readTimeout(), "load", func() (string, error) {
		return keyring.Get(k.service(), profile)
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r, err := Decode([]byte(secret))
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Where = k.where(profile)
		}
		return nil, err
	}
	return r, nil
}

// Save stores r as the keyring item of profile. A record over 2560 bytes
// encoded is refused on every platform.
func (k *Keyring) Save(ctx context.Context, profile string, r *Record) error {
	if err := CheckProfile(profile); err != nil {
		return err
	}
	data, err := Encode(r)
	if err != nil {
		return err
	}
	if len(data) > maxKeyringSecret {
		return &recordTooLargeError{size: len(data), max: maxKeyringSecret}
	}
	_, err = callKeyring(ctx, k.writeTimeout(), "save", func() (struct{}, error) {
		return struct{}{}, keyring.Set(k.service(), profile, string(data))
	})
	if errors.Is(err, keyring.ErrSetDataTooBig) {
		// macOS counts service, user and secret together.
		return &recordTooLargeError{size: len(data)}
	}
	return err
}

// Delete removes the keyring item of profile; none is not an error.
func (k *Keyring) Delete(ctx context.Context, profile string) error {
	if err := CheckProfile(profile); err != nil {
		return err
	}
	_, err := callKeyring(ctx, k.readTimeout(), "delete", func() (struct{}, error) {
		return struct{}{}, keyring.Delete(k.service(), profile)
	})
	if errors.Is(err, keyring.ErrNotFound) {
		return nil
	}
	return err
}

// where names an item for messages.
func (k *Keyring) where(profile string) string {
	return fmt.Sprintf("keyring item %q (service %q)", profile, k.service())
}
