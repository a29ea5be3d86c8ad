package browser

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCommand_FlagThenOwnEnvThenBROWSER(t *testing.T) {
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"", nil, ""},
		{"", map[string]string{"BROWSER": "lynx"}, "lynx"},
		{"", map[string]string{"BROWSER": "lynx", EnvVar: "firefox -P test"}, "firefox -P test"},
		{"chromium --incognito", map[string]string{"BROWSER": "lynx", EnvVar: "firefox"}, "chromium --incognito"},
		{"  ", map[string]string{EnvVar: " "}, ""},
	}
	for _, tt := range tests {
		got := Command(tt.flag, func(k string) string { return tt.env[k] })
		if got != tt.want {
			t.Errorf("Command(%q, %v) = %q, want %q", tt.flag, tt.env, got, tt.want)
		}
	}
}

func TestOpen_CommandGetsOnlyTheURLAsLastArgument(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "my browser")
	argsFile := filepath.Join(dir, "args")
	os.WriteFile(script, []byte("#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \""+argsFile+"\"\necho opened\n"), 0o700)

	o := &Opener{Command: `"` + script + `" --new-window 'two words'`}
	url := "http://127.0.0.1:1/oauth/authorize?client_id=k&state=s"
	if err := o.Open(t.Context(), url); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(argsFile)
	if got, want := string(data), "--new-window\ntwo words\n"+url+"\n"; got != want {
		t.Errorf("browser argv = %q, want %q", got, want)
	}
}

func TestOpen_FailingCommandIsAnError(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses false(1)")
	}
	for _, cmd := range []string{"false", "/nonexistent/browser", `"unterminated`} {
		o := &Opener{Command: cmd}
		if err := o.Open(t.Context(), "http://127.0.0.1:1/"); err == nil {
			t.Errorf("Open with %q succeeded, want an error", cmd)
		}
	}
}

// script writes an executable shell script into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body), 0o700); err != nil {
		t.Fatal(err)
	}
	return path
}

// A launcher's chatter stays off the screen when it works, and comes with
// the error when it fails. A browser it leaves running with the output
// still open holds neither the launch nor the output.
func TestOpen_LauncherOutputComesOnlyWithAFailure(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses shell scripts")
	}
	dir := t.TempDir()
	stop := filepath.Join(dir, "stop")
	t.Cleanup(func() { os.WriteFile(stop, nil, 0o600) })
	// The "browser" lives on, its output open, until the test ends.
	browser := `(while [ ! -e '` + stop + `' ]; do sleep 0.05; done; echo late noise) &` + "\n"
	tests := []struct {
		name    string
		command string // "" runs xdg-open from PATH
		body    string
		wantErr bool
	}{
		{name: "command works", command: "works", body: "echo 'Gtk-Message: noise' >&2\n" + browser},
		{name: "command fails", command: "fails", body: "echo 'www-browser: not found' >&2\nexit 3\n", wantErr: true},
		{name: "default works", body: "echo 'Gtk-Message: noise' >&2\n" + browser},
		{name: "default fails", body: "echo 'www-browser: not found' >&2\nexit 4\n", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bin := t.TempDir()
			name := "xdg-open"
			if tt.command != "" {
				name = tt.command
			}
			path := script(t, bin, name, tt.body)
			t.Setenv("PATH", bin)
			o := &Opener{}
			if tt.command != "" {
				o.Command = path
			}
			done := make(chan error, 1)
			go func() { done <- o.Open(t.Context(), "http://127.0.0.1:1/") }()
			var err error
			select {
			case err = <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("Open waits for the browser it started to exit")
			}
			var le *LaunchError
			switch {
			case !tt.wantErr && err != nil:
				t.Fatalf("Open() = %v", err)
			case tt.wantErr && !errors.As(err, &le):
				t.Fatalf("Open() = %v, want a *LaunchError", err)
			case tt.wantErr && strings.TrimSpace(le.LauncherOutput()) != "www-browser: not found":
				t.Errorf("LauncherOutput() = %q, want what the launcher printed", le.LauncherOutput())
			case tt.wantErr && strings.Contains(err.Error(), "not found"):
				t.Errorf("the error %q carries the output; it comes apart", err)
			}
		})
	}
}

func TestOpen_LauncherOutputIsBounded(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses a shell script")
	}
	path := script(t, t.TempDir(), "chatty", "i=0; while [ $i -lt 2000 ]; do echo 'a line of launcher noise'; i=$((i+1)); done\nexit 1\n")
	err := (&Opener{Command: path}).Open(t.Context(), "http://127.0.0.1:1/")
	var le *LaunchError
	if !errors.As(err, &le) {
		t.Fatalf("Open() = %v, want a *LaunchError", err)
	}
	if n := len(le.LauncherOutput()); n == 0 || n > maxOutput {
		t.Errorf("kept %d bytes of output, want some and at most %d", n, maxOutput)
	}
}

func TestUnavailable(t *testing.T) {
	tests := []struct {
		goos string
		env  map[string]string
		want string // a word of the reason; "" for none
	}{
		{"linux", map[string]string{"DISPLAY": ":0"}, ""},
		{"linux", map[string]string{"WAYLAND_DISPLAY": "wayland-0"}, ""},
		{"linux", nil, "DISPLAY"},
		{"freebsd", nil, "DISPLAY"},
		{"linux", map[string]string{"DISPLAY": ":0", "SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22"}, "SSH"},
		{"darwin", nil, ""},
		{"darwin", map[string]string{"SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22"}, "SSH"},
		{"windows", nil, ""},
	}
	for _, tt := range tests {
		got := unavailable(tt.goos, func(k string) string { return tt.env[k] })
		if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
			t.Errorf("unavailable(%s, %v) = %q, want one naming %q", tt.goos, tt.env, got, tt.want)
		}
	}
}
