package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const record = `{"v":1,"client_id":"id","access_token":"at","refresh_token":"rt","expiry":"2099-01-01T00:00:00Z"}`

func TestExpireRecord_MovesExpiryIntoThePastAndKeepsTheRest(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "default.json")
	if err := os.WriteFile(path, []byte(record), 0o600); err != nil {
		t.Fatal(err)
	}

	before := time.Now()
	if err := expireRecord(path, time.Hour); err != nil {
		t.Fatalf("expireRecord() = %v", err)
	}

	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatalf("rewritten record is not JSON: %v\n%s", err, data)
	}
	json.Unmarshal([]byte(record), &want)
	expiry, err := time.Parse(time.RFC3339Nano, got["expiry"].(string))
	if err != nil {
		t.Fatalf("expiry %q: %v", got["expiry"], err)
	}
	if lo, hi := before.Add(-time.Hour), time.Now().Add(-time.Hour); expiry.Before(lo.Add(-time.Second)) || expiry.After(hi) {
		t.Errorf("expiry = %v, want an hour before the call (%v..%v)", expiry, lo, hi)
	}
	delete(got, "expiry")
	delete(want, "expiry")
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("other fields changed (-want +got):\n%s", diff)
	}
	if runtime.GOOS != "windows" {
		fi, _ := os.Stat(path)
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("mode = %#o, want 0600", fi.Mode().Perm())
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("files left behind: %v", entries)
	}
}

func TestExpireRecord_RefusesARecordOthersCanRead(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no permission bits")
	}
	path := filepath.Join(t.TempDir(), "default.json")
	if err := os.WriteFile(path, []byte(record), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}

	if err := expireRecord(path, time.Hour); err == nil {
		t.Error("expireRecord(0644 file) = nil, want an error")
	}
	if data, _ := os.ReadFile(path); string(data) != record {
		t.Errorf("record changed to %s", data)
	}
}
