package tokenstore

import "errors"

// ErrChanged is returned by a compare-and-set save when the stored record
// is no longer the version that was read: another process wrote it
// meanwhile. The caller re-reads; it never writes over the other's record,
// which may hold a refresh token Kakao has already rotated.
var ErrChanged = errors.New("the stored login changed meanwhile")
