package browser

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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

	var out bytes.Buffer
	o := &Opener{Command: `"` + script + `" --new-window 'two words'`, Output: &out}
	url := "http://127.0.0.1:1/oauth/authorize?client_id=k&state=s"
	if err := o.Open(t.Context(), url); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(argsFile)
	if got, want := string(data), "--new-window\ntwo words\n"+url+"\n"; got != want {
		t.Errorf("browser argv = %q, want %q", got, want)
	}
	if !strings.Contains(out.String(), "opened") {
		t.Errorf("browser output %q not sent to Output", out.String())
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
