//go:build !windows

package cmd

// connRefused reports whether err is a refused connect: ECONNREFUSED.
func connRefused(err error) bool { return refusedConnect(err) }
