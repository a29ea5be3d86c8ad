package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// On a machine where no browser opens, "login --emulator" presses Agree
// itself; the login its next steps suggest must then say how to log in
// without a browser too (the README's --browser-command), or it would
// wait for a browser that never comes. Where a browser opened, the
// suggestion stays plain.
func TestLoginEmulator_NextStepsWithoutABrowserSayHowToLogIn(t *testing.T) {
	const curl = `--browser-command 'curl -sL -o /dev/null'`
	for _, tt := range []struct {
		name    string
		browser string // the --browser-command of the emulator login
		want    bool
	}{
		{"no browser", "no-browser", true},
		{"a browser", "fake-browser", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHome(t)
			browser := filepath.Join(h.dir, tt.browser)
			if tt.browser == "fake-browser" {
				// The test binary as a browser that presses Agree.
				script := "#!/bin/sh\nexec env " + asBrowserEnv + "=1 '" + os.Args[0] + "' \"$1\"\n"
				if err := os.WriteFile(browser, []byte(script), 0o700); err != nil {
					t.Fatal(err)
				}
			}
			c := execCommand([]string{"login", "--emulator", "--redirect-uri", freeRedirect(t), "--browser-command", browser, "--timeout", "20s"},
				h, []string{quickExit(), "DISPLAY=", "WAYLAND_DISPLAY="}, "")
			var stderr bytes.Buffer
			c.Stderr = &stderr
			if err := c.Run(); err != nil {
				t.Fatalf("%v\n%s", err, stderr.String())
			}
			steps := stderr.String()[strings.Index(stderr.String(), "Next steps:"):]
			if got := strings.Contains(steps, curl); got != tt.want {
				t.Errorf("next steps name %s: %v, want %v\n%s", curl, got, tt.want, steps)
			}
		})
	}
}
