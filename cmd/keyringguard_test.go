package cmd

import (
	"context"
	"errors"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// testOpenStore is tokenstore.Open, except that the keyring is the real one
// only under .ci/with-keyring: tests never read or delete an item of a
// developer's own keyring.
func testOpenStore(name string, p tokenstore.Paths) (tokenstore.Store, error) {
	if name == tokenstore.BackendKeyring && !privateKeyring() {
		return noKeyring{}, nil
	}
	return tokenstore.Open(name, p)
}

// noKeyring is a keyring that cannot be reached.
type noKeyring struct{}

var _ tokenstore.Store = noKeyring{}

var errNoPrivateKeyring = &tokenstore.UnavailableError{Backend: tokenstore.BackendKeyring, Op: "test", Err: errors.New("tests use only the private keyring of .ci/with-keyring")}

func (noKeyring) Name() string { return tokenstore.BackendKeyring }
func (noKeyring) Load(context.Context, string) (*tokenstore.Record, error) {
	return nil, errNoPrivateKeyring
}
func (noKeyring) Save(context.Context, string, *tokenstore.Record) error { return errNoPrivateKeyring }
func (noKeyring) Delete(context.Context, string) error                   { return errNoPrivateKeyring }
