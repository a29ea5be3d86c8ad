package tokenstore

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNone_KeepsNothing(t *testing.T) {
	ctx := t.Context()
	var s Store = None{}
	if err := s.Save(ctx, "default", sampleRecord()); err != nil {
		t.Errorf("Save() = %v, want nil", err)
	}
	if r, err := s.Load(ctx, "default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load() after Save = %+v, %v; want ErrNotFound", r, err)
	}
	if err := s.Delete(ctx, "default"); err != nil {
		t.Errorf("Delete() = %v, want nil", err)
	}
	if s.Name() != BackendNone {
		t.Errorf("Name() = %q, want %q", s.Name(), BackendNone)
	}
}

func TestOpen(t *testing.T) {
	p := Paths{Root: t.TempDir()}
	tests := []struct {
		name string
		want Store
	}{
		{BackendKeyring, &Keyring{}},
		{BackendFile, &File{Dir: filepath.Join(p.Root, "tokens")}},
		{BackendNone, None{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Open(tt.name, p)
			if err != nil {
				t.Fatalf("Open(%q) = %v", tt.name, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Open(%q) mismatch (-want +got):\n%s", tt.name, diff)
			}
			if got.Name() != tt.name {
				t.Errorf("Open(%q).Name() = %q", tt.name, got.Name())
			}
		})
	}
}

func TestOpen_UnknownNameListsTheBackends(t *testing.T) {
	for _, name := range []string{"", "env", "Keyring"} {
		s, err := Open(name, Paths{Root: t.TempDir()})
		if err == nil {
			t.Fatalf("Open(%q) = %v, nil; want an error", name, s)
		}
		for _, backend := range []string{BackendKeyring, BackendFile, BackendNone} {
			if !strings.Contains(err.Error(), backend) {
				t.Errorf("Open(%q) error %q does not list %q", name, err, backend)
			}
		}
	}
}

func TestOpen_FileNeedsARoot(t *testing.T) {
	if s, err := Open(BackendFile, Paths{}); err == nil {
		t.Errorf("Open(file) with no Root = %+v, nil; want an error, not a relative directory", s)
	}
}
