package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// maxRecordFile bounds what File.Load reads; a record is well under 4 KiB.
const maxRecordFile = 64 << 10

// File stores the record of profile P at Dir/P.json through privfile: a
// 0600 file in a 0700 directory, written atomically. A link, a file with
// the wrong mode or owner is refused with a *privfile.InsecureError, never
// followed or overwritten.
type File struct {
	Dir string
}

// Name returns BackendFile.
func (f *File) Name() string { return BackendFile }

// Load returns the record of profile, ErrNotFound when there is no file, a
// *privfile.InsecureError for a file it will not trust, or a *CorruptError.
func (f *File) Load(_ context.Context, profile string) (*Record, error) {
	path, err := profileFile(f.Dir, profile, ".json")
	if err != nil {
		return nil, fmt.Errorf("token file: %w", err)
	}
	data, err := privfile.Read(path, maxRecordFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, ErrNotFound
	case errors.Is(err, privfile.ErrTooLarge):
		return nil, &CorruptError{Where: path, Err: err}
	case err != nil:
		return nil, fmt.Errorf("read token file: %w", err)
	}
	r, err := Decode(data)
	if err != nil {
		var ce *CorruptError
		if errors.As(err, &ce) {
			ce.Where = path
		}
		return nil, err
	}
	return r, nil
}

// Save writes r as the record of profile, atomically. An existing record
// that is not private (a link, the wrong mode or owner) is refused and left
// as it is: someone may have tampered with it, or read it.
func (f *File) Save(_ context.Context, profile string, r *Record) error {
	path, err := profileFile(f.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	data, err := Encode(r)
	if err != nil {
		return err
	}
	if err := privfile.EnsureDir(f.Dir); err != nil {
		return fmt.Errorf("token directory: %w", err)
	}
	if err := refuseInsecure(path); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	if err := privfile.WriteAtomic(path, data); err != nil {
		return fmt.Errorf("write token file: %w", err)
	}
	sweepTemps(f.Dir)
	return nil
}

// Delete removes the record of profile; none is not an error. A link is
// removed itself, never its target; a Dir that is a link, or not private,
// is refused with a *privfile.InsecureError and nothing is removed.
func (f *File) Delete(_ context.Context, profile string) error {
	path, err := profileFile(f.Dir, profile, ".json")
	if err != nil {
		return fmt.Errorf("token file: %w", err)
	}
	if err := privfile.RemoveIn(f.Dir, filepath.Base(path)); err != nil {
		return fmt.Errorf("remove token file: %w", err)
	}
	sweepTemps(f.Dir)
	return nil
}

// sweepTemps removes what crashed writes left in dir (temp files that may
// hold a record). It is tidying after the real work succeeded, so a
// failure is not reported: the record was saved or removed all the same.
func sweepTemps(dir string) {
	_, _ = privfile.SweepTemps(dir)
}

// refuseInsecure returns the *privfile.InsecureError of an existing file at
// path, if any. privfile.WriteAtomic only refuses links; reading first also
// refuses the wrong mode or owner. A missing, oversized or unreadable file
// may be replaced: a fresh login is the fix for those.
func refuseInsecure(path string) error {
	_, err := privfile.Read(path, maxRecordFile)
	var ie *privfile.InsecureError
	if errors.As(err, &ie) {
		return err
	}
	return nil
}
