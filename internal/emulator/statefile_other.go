//go:build !unix

package emulator

import "io/fs"

// checkPrivate has nothing to check where permissions are not Unix mode
// bits (Windows): the file is created in the user's own directory.
func checkPrivate(fs.FileInfo) error { return nil }

// syncDir does nothing: directories cannot be synced here.
func syncDir(string) {}

// oNoFollow is 0: openChecked's Lstat is the only check here.
const oNoFollow = 0
