package tokenstore

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Paths are where kakao-auth keeps its files.
type Paths struct {
	Root string // e.g. ~/.config/kakao-auth
}

// DefaultPaths puts Root at $XDG_CONFIG_HOME/kakao-auth when XDG_CONFIG_HOME
// is set (on every platform, so one setting moves everything, in tests
// too), else at os.UserConfigDir()/kakao-auth.
func DefaultPaths(getenv func(string) string) (Paths, error) {
	if x := getenv("XDG_CONFIG_HOME"); x != "" {
		// As os.UserConfigDir does: a relative path would move with the
		// working directory, and the tokens with it.
		if !filepath.IsAbs(x) {
			return Paths{}, fmt.Errorf("XDG_CONFIG_HOME is a relative path: %q", x)
		}
		return Paths{Root: filepath.Join(x, "kakao-auth")}, nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return Paths{}, fmt.Errorf("find the config directory: %w", err)
	}
	return Paths{Root: filepath.Join(dir, "kakao-auth")}, nil
}

// TokensDir holds the File backend's records.
func (p Paths) TokensDir() string { return filepath.Join(p.Root, "tokens") }

// ProfilesDir holds the Profiles notes.
func (p Paths) ProfilesDir() string { return filepath.Join(p.Root, "profiles") }

// LocksDir holds the per-profile lock files.
func (p Paths) LocksDir() string { return filepath.Join(p.Root, "locks") }

// MaxProfileLen is the longest profile name CheckProfile accepts.
const MaxProfileLen = 64

// CheckProfile is the one rule for profile names: 1 to MaxProfileLen ASCII
// letters, digits, '-', '_' and '.', not starting with '.' and without "..".
// The command line checks it before a command starts (a login refused by
// the store after the code exchange would be lost), and every function here
// that turns a name into a file or a keyring item checks it again.
func CheckProfile(name string) error {
	var why string
	switch {
	case name == "":
		why = "it is empty"
	case len(name) > MaxProfileLen:
		why = fmt.Sprintf("it is longer than %d characters", MaxProfileLen)
	case strings.ContainsFunc(name, func(r rune) bool { return !strings.ContainsRune(profileChars, r) }):
		why = "it may hold only letters, digits, '-', '_' and '.'"
	case strings.HasPrefix(name, "."):
		why = "it must not start with '.'"
	case strings.Contains(name, ".."):
		why = `it must not contain ".."`
	default:
		return nil
	}
	return fmt.Errorf("invalid profile name %q: %s", name, why)
}

// profileChars are the characters a profile name may hold.
const profileChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

// profileFile is dir/<profile><ext>, once profile is known to be safe.
func profileFile(dir, profile, ext string) (string, error) {
	if err := CheckProfile(profile); err != nil {
		return "", err
	}
	if dir == "" {
		return "", errors.New("no directory configured")
	}
	return filepath.Join(dir, profile+ext), nil
}
