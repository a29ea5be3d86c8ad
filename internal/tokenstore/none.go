package tokenstore

import "context"

// None keeps nothing: every run needs a fresh login. It is for machines
// where neither a keyring nor a token file is acceptable.
type None struct{}

// Name returns BackendNone.
func (None) Name() string { return BackendNone }

// Load always returns ErrNotFound.
func (None) Load(context.Context, string) (*Record, error) { return nil, ErrNotFound }

// Save does nothing.
func (None) Save(context.Context, string, *Record) error { return nil }

// Delete does nothing.
func (None) Delete(context.Context, string) error { return nil }
