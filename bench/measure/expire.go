package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/privfile"
)

// maxRecordFile bounds the token record read; the file store's records are
// well under it.
const maxRecordFile = 64 << 10

func cmdExpire(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: measure expire TOKEN-RECORD.json")
	}
	return expireRecord(args[0], time.Hour)
}

// expireRecord sets the record's "expiry" to ago before now and leaves the
// other fields as they are. It reads and writes through privfile, as the
// file store does, so the record stays a 0600 file replaced atomically,
// which the store's next read accepts.
func expireRecord(path string, ago time.Duration) error {
	data, err := privfile.Read(path, maxRecordFile)
	if err != nil {
		return err
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(data, &rec); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if _, ok := rec["expiry"]; !ok {
		return fmt.Errorf("%s: no \"expiry\" field", path)
	}
	exp, _ := json.Marshal(time.Now().Add(-ago).UTC().Format(time.RFC3339Nano))
	rec["expiry"] = exp
	out, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return privfile.WriteAtomic(path, out)
}
