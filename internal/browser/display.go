package browser

import "runtime"

// usesDisplay reports whether the system default browser of goos needs a
// graphical session named by DISPLAY or WAYLAND_DISPLAY: where
// github.com/pkg/browser runs xdg-open.
func usesDisplay(goos string) bool {
	switch goos {
	case "linux", "freebsd", "openbsd", "netbsd", "dragonfly", "illumos", "solaris":
		return true
	}
	return false
}

// Unavailable says why the system default browser cannot show a page to
// the person at this terminal, or returns "" when it may: over SSH a
// browser would open (if at all) on the remote machine's screen, and
// without DISPLAY or WAYLAND_DISPLAY xdg-open has no screen to open it on
// (it may start a text browser in the terminal instead).
func Unavailable(getenv func(string) string) string {
	return unavailable(runtime.GOOS, getenv)
}

func unavailable(goos string, getenv func(string) string) string {
	if getenv("SSH_CONNECTION") != "" {
		return "this is an SSH session (SSH_CONNECTION is set)"
	}
	if usesDisplay(goos) && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
		return "neither DISPLAY nor WAYLAND_DISPLAY is set"
	}
	return ""
}
