package tokenstore

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"strings"
	"testing"
)

// The keyring's failures are told in a person's terms, with the fix, and
// without the library's internals (exec: "dbus-launch", dial unix …).
func TestUnavailableError_SaysWhatIsWrongInUserTerms(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		wantWhat string
		wantFix  string
	}{
		{"no session bus", &exec.Error{Name: "dbus-launch", Err: exec.ErrNotFound}, "no D-Bus session bus", "dbus-run-session"},
		{"bus gone", &net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}, "D-Bus cannot be reached", "new desktop"},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), "no Secret Service on this session's D-Bus", "gnome-keyring"},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), "keyring is locked", "unlock your keyring"},
		{"no answer", fmt.Errorf("no answer within 3s: %w", context.DeadlineExceeded), "did not answer in time", "unlock your keyring"},
		{"anything else", errors.New("org.freedesktop.DBus.Error.Failed: boom"), "refused the load", "running and unlocked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := &UnavailableError{Backend: BackendKeyring, Op: "load", Err: tt.err}
			msg, hint := e.Error(), e.Hint()
			if !strings.Contains(msg, tt.wantWhat) {
				t.Errorf("Error() = %q, want it to say %q", msg, tt.wantWhat)
			}
			if !strings.Contains(hint, tt.wantFix) || !strings.Contains(hint, "--store file") {
				t.Errorf("Hint() = %q, want %q and the --store file way out", hint, tt.wantFix)
			}
			for _, internal := range []string{"exec:", "dial unix", "dbus-launch\"", "aliases/default", "boom"} {
				if strings.Contains(msg, internal) {
					t.Errorf("Error() = %q leaks the library's %q", msg, internal)
				}
			}
			if !errors.Is(e, tt.err) {
				t.Errorf("errors.Is(e, cause) = false; the cause must stay reachable")
			}
		})
	}
}
