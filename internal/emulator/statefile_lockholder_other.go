//go:build !linux

package emulator

import "io/fs"

// lockHolder cannot tell who holds a lock here.
func lockHolder(fs.FileInfo) string { return "" }
