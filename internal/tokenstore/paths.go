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

// checkProfile refuses a profile name that could reach outside its
// directory. The caller validates names properly; this is defence in depth
// for every function that turns a name into a path.
func checkProfile(name string) error {
	switch {
	case name == "", name == ".":
		return fmt.Errorf("invalid profile name %q", name)
	case strings.ContainsAny(name, `/\`+string(os.PathSeparator)+"\x00"), strings.Contains(name, ".."):
		return fmt.Errorf("invalid profile name %q: %w", name, errPathInName)
	}
	return nil
}

// errPathInName is the cause checkProfile gives for a name that is a path.
var errPathInName = errors.New("it must not contain a path separator or \"..\"")

// profileFile is dir/<profile><ext>, once profile is known to be safe.
func profileFile(dir, profile, ext string) (string, error) {
	if err := checkProfile(profile); err != nil {
		return "", err
	}
	if dir == "" {
		return "", errors.New("no directory configured")
	}
	return filepath.Join(dir, profile+ext), nil
}
