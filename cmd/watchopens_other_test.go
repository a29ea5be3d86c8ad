//go:build !linux

package cmd

import "testing"

// watchOpens needs Linux's inotify; elsewhere the test that uses it skips.
func watchOpens(t *testing.T, path string) func() bool {
	t.Helper()
	t.Skip("watching a file's opens needs Linux inotify")
	return nil
}
