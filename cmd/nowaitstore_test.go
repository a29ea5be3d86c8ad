package cmd

import (
	"strings"
	"testing"
)

// A two-step login on a machine whose keyring cannot be reached fails
// before it prints the URL, as a plain login does: a URL printed then is a
// consent the person gives for nothing, since the resume cannot store it.
// The keyring here is a real one that is not there: a session bus address
// with nothing behind it.
func TestLoginNoWait_AnUnusableKeyringFailsBeforeTheURL(t *testing.T) {
	h := newHome(t)
	p := &proc{cmd: execCommand([]string{"login", "--no-wait", "--client-id", "app-key"}, h, []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "")}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code == ExitOK {
		t.Errorf("exit %d: a --no-wait login that can never be stored succeeded\n%s", code, p.stderr.String())
	}
	if out := p.stdout.String(); out != "" {
		t.Errorf("stdout = %q, want no URL", out)
	}
	if msg := p.stderr.String(); !strings.Contains(msg, "keyring") || strings.Contains(msg, "--resume") {
		t.Errorf("stderr does not blame the keyring, or still tells how to resume:\n%s", msg)
	}

	// The file store needs no keyring: the same login starts.
	p = &proc{cmd: execCommand([]string{"login", "--no-wait", "--client-id", "app-key", "--store", "file"}, h, []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=/nonexistent/bus"}, "")}
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if code := p.exitCode(t); code != ExitOK {
		t.Errorf("--store file: exit %d, want %d\n%s", code, ExitOK, p.stderr.String())
	}
	if out := p.stdout.String(); !strings.Contains(out, "client_id=app-key") {
		t.Errorf("--store file: stdout = %q, want the authorize URL", out)
	}
}
