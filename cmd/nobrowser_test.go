package cmd

import (
	"context"
	"runtime"
	"strings"
	"testing"
)

func TestNoBrowserReason(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DISPLAY matters where xdg-open opens the browser")
	}
	ssh := "192.0.2.1 50000 192.0.2.2 22"
	tests := []struct {
		name     string
		terminal bool // stdin
		env      map[string]string
		flag     string
		want     string // a word of the reason; "" for none
	}{
		{name: "display", terminal: true, env: map[string]string{"DISPLAY": ":0"}},
		{name: "wayland", terminal: true, env: map[string]string{"WAYLAND_DISPLAY": "wayland-0"}},
		{name: "no display", terminal: true, want: "DISPLAY"},
		{name: "ssh", terminal: true, env: map[string]string{"DISPLAY": "localhost:10.0", "SSH_CONNECTION": ssh}, want: "SSH"},
		{name: "no terminal to paste into", env: map[string]string{"SSH_CONNECTION": ssh}},
		{name: "browser command", terminal: true, flag: "my-browser", env: map[string]string{"SSH_CONNECTION": ssh}},
		{name: "KAKAO_AUTH_BROWSER", terminal: true, env: map[string]string{"KAKAO_AUTH_BROWSER": "my-browser"}},
		{name: "BROWSER", terminal: true, env: map[string]string{"BROWSER": "w3m"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _, _ := testDeps(tt.env, "")
			d.StdinIsTerminal = tt.terminal
			got := noBrowserReason(d, &LoginOptions{BrowserCommand: tt.flag})
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("noBrowserReason() = %q, want one naming %q", got, tt.want)
			}
		})
	}
}

func TestSpinnerWidth_OnlyOnATerminalThatCanRedraw(t *testing.T) {
	width := func() int { return 50 }
	tests := []struct {
		term     string
		terminal bool // stderr
		want     bool
	}{
		{"xterm-256color", true, true},
		{"screen", true, true},
		{"dumb", true, false},
		{"", true, false},
		{"xterm", false, false},
	}
	for _, tt := range tests {
		d, _, _ := testDeps(map[string]string{"TERM": tt.term, "NO_COLOR": "1"}, "")
		d.StderrIsTerminal, d.StderrWidth = tt.terminal, width
		if got := spinnerWidth(d); (got != nil) != tt.want {
			t.Errorf("TERM=%q, stderr a terminal %v: spinner %v, want %v", tt.term, tt.terminal, got != nil, tt.want)
		}
	}
}

// On a terminal without a display, the emulator's login presses Agree
// itself without trying a browser, and shows no paste prompt.
func TestLogin_EmulatorWithoutADisplayTriesNoBrowser(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("DISPLAY matters where xdg-open opens the browser")
	}
	d, _, stderr := storeDeps(t.TempDir(), nil, "")
	d.StdinIsTerminal = true
	d.OpenBrowser = func(context.Context, string, string) error {
		t.Error("a browser was tried without a display")
		return nil
	}
	code := Main(t.Context(), []string{"login", "--emulator", "--redirect-uri", freeRedirect(t)}, d)
	if code != ExitOK {
		t.Fatalf("exit code %d:\n%s", code, stderr)
	}
	if out := stderr.String(); !strings.Contains(out, "neither DISPLAY nor WAYLAND_DISPLAY is set); pressing Agree") || strings.Contains(out, "Paste the address") {
		t.Errorf("want the emulator to press Agree, saying why, and no prompt:\n%s", out)
	}
}
