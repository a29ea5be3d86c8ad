package emulator

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// openStateFile locks path and returns its contents, or nil data when it
// does not exist yet.
func openStateFile(path string) (*stateStore, []byte, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, nil, err
	}
	lock, err := lockStateFile(path + ".lock")
	if err != nil {
		return nil, nil, err
	}
	st := &stateStore{path: path, lock: lock, keyDER: map[string]string{}, lines: map[string]entryLine{}}
	data, err := readStateFile(path)
	if err != nil {
		st.release()
		return nil, nil, err
	}
	return st, data, nil
}

func readStateFile(path string) ([]byte, error) {
	fi, err := os.Lstat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	switch {
	case fi.Mode()&os.ModeSymlink != 0:
		return nil, errors.New("is a symbolic link; give the path of the file itself")
	case !fi.Mode().IsRegular():
		return nil, errors.New("is not a regular file")
	}
	if err := checkPrivate(fi); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file opened must be the one checked, not one swapped in between.
	if fi2, err := f.Stat(); err != nil || !os.SameFile(fi, fi2) {
		return nil, errors.New("changed while being opened; try again")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxStateFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxStateFileBytes {
		return nil, fmt.Errorf("is larger than %d bytes", maxStateFileBytes)
	}
	if data == nil {
		data = []byte{}
	}
	return data, nil
}

// writeFileAtomic replaces path with data: a new 0600 file in the same
// directory, synced, then renamed over path, and the directory synced, so
// the file is always either the old state or the new one, whole.
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
