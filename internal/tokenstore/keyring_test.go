package tokenstore

import (
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
)

// testKeyring returns a Keyring under a service of its own, so a test never
// touches a real kakao-auth login even on a developer's desktop keyring.
func testKeyring() *Keyring {
	return &Keyring{Service: "kakao-auth-test-" + rand.Text()[:12], ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
}

// TestKeyring_RealSecretService runs against a real gnome-keyring, private
// to this test binary (see TestMain).
func TestKeyring_RealSecretService(t *testing.T) {
	keyringtest.Require(t)
	ctx := t.Context()
	k := testKeyring()
	t.Cleanup(func() { k.Delete(context.Background(), "default") })

	if err := k.Probe(ctx); err != nil {
		t.Fatalf("Probe() = %v, want nil", err)
	}
	if _, err := k.Load(ctx, "default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Load() before Save = %v, want ErrNotFound", err)
	}

	first := sampleRecord()
	if err := k.Save(ctx, "default", first); err != nil {
		t.Fatalf("Save() = %v", err)
	}
	second := sampleRecord()
	second.AccessToken, second.RefreshToken = "rotated-access", "rotated-refresh"
	if err := k.Save(ctx, "default", second); err != nil {
		t.Fatalf("second Save() = %v", err)
	}
	got, err := k.Load(ctx, "default")
	if err != nil {
		t.Fatalf("Load() = %v", err)
	}
	want := *second
	want.Version = RecordVersion
	if diff := cmp.Diff(&want, got); diff != "" {
		t.Errorf("Load() after re-save mismatch (-want +got):\n%s", diff)
	}

	if err := k.Delete(ctx, "default"); err != nil {
		t.Fatalf("Delete() = %v", err)
	}
	if _, err := k.Load(ctx, "default"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Load() after Delete = %v, want ErrNotFound", err)
	}
	if err := k.Delete(ctx, "default"); err != nil {
		t.Errorf("Delete() of an absent item = %v, want nil", err)
	}
}

func TestKeyring_SaveRefusesOversizedRecord(t *testing.T) {
	r := sampleRecord()
	r.Scopes = []string{strings.Repeat("s", maxKeyringSecret)}
	// The size check comes before any keyring call, so this needs no keyring.
	err := testKeyring().Save(t.Context(), "default", r)
	var tl *recordTooLargeError
	if !errors.As(err, &tl) {
		t.Fatalf("Save() of an oversized record = %v, want a size error", err)
	}
	if !strings.Contains(err.Error(), "2560") || !strings.Contains(tl.Hint(), "--store file") {
		t.Errorf("error %q / hint %q should name the limit and offer --store file", err, tl.Hint())
	}
}

func TestKeyring_RefusesPathsInProfileNames(t *testing.T) {
	k := testKeyring()
	for _, name := range badProfileNames {
		if _, err := k.Load(t.Context(), name); err == nil || errors.Is(err, ErrNotFound) {
			t.Errorf("Load(%q) = %v, want a refusal", name, err)
		}
		if err := k.Save(t.Context(), name, sampleRecord()); err == nil {
			t.Errorf("Save(%q) = nil, want a refusal", name)
		}
		if err := k.Delete(t.Context(), name); err == nil {
			t.Errorf("Delete(%q) = nil, want a refusal", name)
		}
	}
}

// noBusEnv makes the test binary, re-run by
// TestKeyring_NoSecretServiceIsUnavailable, check the keyring calls.
const noBusEnv = "KAKAO_AUTH_TEST_NO_BUS"

func TestKeyring_NoSecretServiceIsUnavailable(t *testing.T) {
	if os.Getenv(noBusEnv) != "" {
		checkKeyringUnavailable(t)
		return
	}
	// A child process, because go-keyring shares one session-bus connection
	// per process: this process may have a working one already.
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestKeyring_NoSecretServiceIsUnavailable$", "-test.count=1", "-test.v")
	child.Env = append(os.Environ(), noBusEnv+"=1", "DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus")
	child.WaitDelay = 5 * time.Second
	out, err := child.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the child hung:\n%s", out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "checked probe, load, save") {
		t.Fatalf("the child did not run its checks:\n%s", out)
	}
}

// checkKeyringUnavailable is the child side of
// TestKeyring_NoSecretServiceIsUnavailable: every call must be an
// *UnavailableError, promptly.
func checkKeyringUnavailable(t *testing.T) {
	k := testKeyring()
	k.ReadTimeout, k.WriteTimeout = 5*time.Second, 5*time.Second
	ctx := t.Context()
	calls := []struct {
		op   string
		call func() error
	}{
		{"probe", func() error { return k.Probe(ctx) }},
		{"load", func() error { _, err := k.Load(ctx, "default"); return err }},
		{"save", func() error { return k.Save(ctx, "default", sampleRecord()) }},
	}
	for _, c := range calls {
		err := c.call()
		var ue *UnavailableError
		if !errors.As(err, &ue) {
			t.Errorf("%s = %v, want an *UnavailableError", c.op, err)
			continue
		}
		if errors.Is(err, ErrNotFound) {
			t.Errorf("%s = %v, must not be ErrNotFound", c.op, err)
		}
		if !strings.Contains(err.Error(), "D-Bus cannot be reached") || strings.Contains(err.Error(), "dial unix") {
			t.Errorf("%s = %q, want the unreachable bus told in a person's terms", c.op, err)
		}
		if ue.Op != c.op || !strings.Contains(ue.Hint(), "--store file") {
			t.Errorf("%s: op %q, hint %q; want op %q and a hint offering --store file", c.op, ue.Op, ue.Hint(), c.op)
		}
		t.Logf("%s: %v", c.op, err)
	}
	t.Log("checked probe, load, save")
}
