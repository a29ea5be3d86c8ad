package cmd

import (
	"context"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// lockWait bounds how long a process waits for another one's refresh: more
// than one token call's timeout, so a slow refresh is waited out.
const lockWait = 45 * time.Second

// lockNoticeAfter is how long a command waits for the profile lock in
// silence: long enough that a quick refresh by another process goes
// unmentioned, short enough that a person never sees a silent hang.
const lockNoticeAfter = time.Second

// lockProfile takes profile's cross-process lock, as every command that
// writes a profile does (refresh, login, logout, scopes revoke). When
// another kakao-auth holds it for more than lockNoticeAfter, it says once
// on stderr that it is waiting; when the lock is free it says nothing.
func lockProfile(ctx context.Context, d *Deps, paths tokenstore.Paths, profile string) (unlock func() error, err error) {
	said := make(chan struct{})
	notice := time.AfterFunc(lockNoticeAfter, func() {
		defer close(said)
		notef(d, "waiting for another kakao-auth using profile %q…", profile)
	})
	unlock, err = tokenstore.Lock(ctx, paths, profile, lockWait)
	if !notice.Stop() {
		<-said // never write to stderr at the same time as the caller
	}
	return unlock, err
}
