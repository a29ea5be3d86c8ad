package emulator

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// stateFileKind is what sniffStateFile found at the state file's path.
type stateFileKind int

const (
	fileMissing stateFileKind = iota
	fileJSON                  // version 1, to migrate
	fileStore                 // a bbolt database
)

// boltMagic is bbolt's meta page magic, after the 16-byte page header of
// the file's first page.
const boltMagic = 0xED0CDAED

// storeLockTimeout bounds the wait for bbolt's own lock on the file, which
// only a process that is not an emulator (which would hold path + ".lock")
// can be holding.
const storeLockTimeout = 2 * time.Second

func mkdirPrivate(path string) error {
	return os.MkdirAll(filepath.Dir(path), 0o700)
}

// sniffStateFile checks the file at path as Open requires it to be and
// tells a JSON state file from a database by their first bytes.
func sniffStateFile(path string) (stateFileKind, error) {
	f, err := openChecked(path, os.O_RDONLY, 0)
	if errors.Is(err, os.ErrNotExist) {
		return fileMissing, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	head := make([]byte, 20)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return 0, err
	}
	head = head[:n]
	switch {
	case n == 20 && binary.LittleEndian.Uint32(head[16:]) == boltMagic:
		return fileStore, nil
	case bytes.HasPrefix(bytes.TrimLeft(head, " \t\r\n"), []byte("{")):
		return fileJSON, nil
	case n == 0:
		return 0, errors.New("not a kakao-auth emulator state file: it is empty")
	}
	return 0, errors.New("not a kakao-auth emulator state file: neither a bbolt database nor JSON")
}

// openChecked opens path without following a symbolic link and refuses
// anything but a regular file that only its owner, the caller, may read
// and write. bbolt opens the database through it too.
func openChecked(path string, flag int, perm os.FileMode) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			return nil, errors.New("is a symbolic link; give the path of the file itself")
		case !fi.Mode().IsRegular():
			// Before the open: open(2) of a FIFO without a writer
			// blocks, where no Ctrl-C reaches it.
			return nil, errors.New("is not a regular file")
		}
	}
	f, err := os.OpenFile(path, flag|oNoFollow, perm)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("is not a regular file")
	}
	if err == nil {
		err = checkPrivate(fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

func storeOptions() *bolt.Options {
	// The free-page list stays synced at every commit (it is small: freed
	// pages are reused): without it, Open would rebuild it by walking every
	// page in a goroutine of bbolt's, where a damaged page crashes the
	// process instead of failing Open.
	return &bolt.Options{Timeout: storeLockTimeout, FreelistType: bolt.FreelistMapType, OpenFile: openChecked}
}

// openStore opens the database at path. A damaged file makes bbolt panic,
// or fault on its memory map (a file cut short): both become an error.
func openStore(path string) (db *bolt.DB, err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if r := recover(); r != nil {
			db, err = nil, fmt.Errorf("damaged: %v", r)
		}
	}()
	db, err = bolt.Open(path, 0o600, storeOptions())
	switch {
	case errors.Is(err, berrors.ErrTimeout):
		return nil, fmt.Errorf("is locked by another process (not an emulator: none holds %s.lock); stop it", path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrVersionMismatch), errors.Is(err, berrors.ErrChecksum):
		return nil, fmt.Errorf("not a kakao-auth emulator state file, or a damaged one: %w", err)
	}
	return db, err
}

// readStateFile reads the JSON state file at path whole.
func readStateFile(path string) ([]byte, error) {
	f, err := openChecked(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxStateFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStateFileBytes {
		return nil, fmt.Errorf("is larger than %d bytes", maxStateFileBytes)
	}
	return data, nil
}

// writeFileAtomic replaces path with data: a new 0600 file in the same
// directory, synced, then renamed over path, and the directory synced, so
// the file is always either the old contents or the new, whole.
func writeFileAtomic(path string, data []byte) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".*.tmp") // CreateTemp makes it 0600
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = os.Remove(f.Name())
		}
	}()
	if _, err = f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err = f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}
