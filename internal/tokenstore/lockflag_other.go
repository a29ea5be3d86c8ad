//go:build !unix

package tokenstore

import "os"

// lockOpenFlag is gofrs/flock's default; without O_NOFOLLOW, Lock checks
// after locking that it locked the file at the path, not a link's target.
func lockOpenFlag() int { return os.O_CREATE | os.O_RDONLY }
