//go:build !unix

package privfile

import "io/fs"

// checkPrivate has nothing to check where permission bits do not exist: on
// Windows the per-user profile directory's ACL protects the files.
func checkPrivate(string, fs.FileInfo, fs.FileMode) error { return nil }

// syncDir is a no-op where directories cannot be synced.
func syncDir(string) {}
