package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// quickExit drops the race detector's one-second sleep at exit, which would
// otherwise dominate a test that starts a thousand processes.
func quickExit() string {
	return "GORACE=" + strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0")
}

// Readers race the writer's atomic rename of the token file in every round:
// the processes that find the token fresh read it without the lock while
// another one replaces it. A reader must read whichever file it opened, never
// call the replacement tampering.
func TestToken_RoundsOfFiftyProcessesWithRotationAllSucceed(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 1000 processes")
	}
	const rounds, n = 20, 50
	// A refresh token shorter-lived than the rotation window rotates on
	// every refresh.
	emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
	h := newHome(t)
	root := filepath.Join(h.config, "kakao-auth")
	file := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
	loggedInProfile(t, emuURL, root, "default")

	for round := range rounds {
		// Odd rounds: half the processes force a refresh each.
		forced := round%2 == 1
		rec, err := file.Load(t.Context(), "default")
		if err != nil {
			t.Fatal(err)
		}
		rec.Expiry = time.Now().Add(-time.Minute)
		if err := file.Save(t.Context(), "default", rec); err != nil {
			t.Fatal(err)
		}
		before := emu.Stats().Refreshes

		outs := make([]bytes.Buffer, n)
		errs := make([]bytes.Buffer, n)
		var wg sync.WaitGroup
		failed := make([]error, n)
		for i := range n {
			args := []string{"token"}
			if forced && i%2 == 1 {
				args = append(args, "--force-refresh")
			}
			c := execCommand(args, h, []string{quickExit()}, "")
			c.Stdout, c.Stderr = &outs[i], &errs[i]
			wg.Add(1)
			go func() {
				defer wg.Done()
				failed[i] = c.Run()
			}()
		}
		wg.Wait()

		failures := 0
		checked := map[string]bool{} // tokens already shown to the emulator
		for i := range n {
			if failed[i] != nil {
				failures++
				t.Errorf("round %d, process %d: %v\nstderr: %s", round, i, failed[i], errs[i].String())
				continue
			}
			tok, ok := strings.CutSuffix(outs[i].String(), "\n")
			if !ok || tok == "" || strings.Contains(tok, "\n") {
				t.Errorf("round %d, process %d printed %q, want one token and a newline", round, i, outs[i].String())
				continue
			}
			if !checked[tok] {
				checked[tok] = true
				if _, err := (&kakao.API{BaseURL: emuURL, Tokens: kakao.StaticToken(tok)}).TokenInfo(t.Context()); err != nil {
					t.Errorf("round %d, process %d printed a token the emulator refuses: %v", round, i, err)
				}
			}
		}
		refreshes := emu.Stats().Refreshes - before
		if !forced && refreshes != 1 {
			t.Errorf("round %d (no --force-refresh): %d refreshes, want exactly 1", round, refreshes)
		}
		if forced && refreshes < 1 {
			t.Errorf("round %d (with --force-refresh): %d refreshes, want at least 1", round, refreshes)
		}
		if failures > 0 {
			t.Logf("round %d: %d of %d processes failed", round, failures, n)
		}
	}

	// The refresh token kept at the end is the one Kakao takes next.
	stored, err := file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	c := &kakao.Client{ClientID: stored.ClientID, AuthURL: emuURL}
	if _, err := c.Refresh(t.Context(), stored.RefreshToken); err != nil {
		t.Errorf("the stored refresh token no longer works: %v", err)
	}
}
