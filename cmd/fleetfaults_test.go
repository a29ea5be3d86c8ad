package cmd

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
)

// startToken starts "kakao-auth token --profile bot" on r, its output
// gathered in the returned buffers.
func startToken(t *testing.T, r runner, extraEnv ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	c := exec.Command(os.Args[0], "token", "--profile", "bot")
	c.Env, c.Stdout, c.Stderr = append(r.env, extraEnv...), &out, &errb
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Process.Kill(); c.Wait() })
	return c, &out, &errb
}

// waitHeld waits until the emulator holds n token requests.
func waitHeld(t *testing.T, emu *emulator.Server, n int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for emu.TokenRequestsWaiting() < n {
		if time.Now().After(deadline) {
			t.Fatalf("the emulator holds %d token requests, want %d", emu.TokenRequestsWaiting(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestToken_SharedStoreRunnerKilledWhileRefreshingDelaysOthersAtMostTheLease(t *testing.T) {
	const lease = 3 * time.Second
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			store := testSharedStore(t, srv.URL())
			if err := store.Save(t.Context(), "bot", emulatorLogin(t, emuURL, "", "talk_message"), nil); err != nil {
				t.Fatal(err)
			}
			leaseEnv := "KAKAO_AUTH_STORE_LEASE=" + lease.String()
			a, b := newRunner(t, srv.URL()), newRunner(t, srv.URL())

			emu.SetTokenDelay(time.Hour) // Kakao hangs
			holder, _, _ := startToken(t, a, leaseEnv)
			waitHeld(t, emu, 1)
			holder.Process.Kill() // SIGKILL, lease held
			holder.Wait()
			killed := time.Now()
			emu.SetTokenDelay(0)

			other, out, errb := startToken(t, b, leaseEnv)
			if err := other.Wait(); err != nil {
				t.Fatalf("the other runner: %v\n%s", err, errb)
			}
			if waited := time.Since(killed); waited > lease+2*time.Second {
				t.Errorf("the other runner got its token %v after the kill, over the lease %v (and its start)", waited, lease)
			}
			stored, _, err := store.Load(t.Context(), "bot")
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != stored.AccessToken+"\n" {
				t.Errorf("printed %q, want the stored token", out)
			}
			if got := emu.Stats().Refreshes; got != 1 {
				t.Errorf("%d refreshes, want 1 (the killed runner's held request consumed nothing)", got)
			}
		})
	}
}

func TestToken_SharedStoreEngineDownFailsClearlyAndWorksAfterRestart(t *testing.T) {
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			// No rotation: after the restart the refresh token stored before
			// it must still be the one that works.
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			store := testSharedStore(t, srv.URL())
			login := emulatorLogin(t, emuURL, "", "talk_message")
			if err := store.Save(t.Context(), "bot", login, nil); err != nil {
				t.Fatal(err)
			}
			r := newRunner(t, srv.URL())
			srv.Kill() // a crash, not a clean shutdown

			start := time.Now()
			c, out, errb := startToken(t, r)
			err := c.Wait()
			took := time.Since(start)
			if code := procExit(err); code != ExitFailure {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, ExitFailure, errb)
			}
			if took > 8*time.Second {
				t.Errorf("took %v to fail", took)
			}
			msg := errb.String()
			if !strings.Contains(msg, "kakao-auth: error: ") || !strings.Contains(msg, eng.name+" at "+srv.Host) || !strings.Contains(msg, "kakao-auth: hint: ") || !strings.Contains(msg, "never falls back") {
				t.Errorf("the error should name %s at %s and give a hint:\n%s", eng.name, srv.Host, msg)
			}
			if out.Len() != 0 {
				t.Errorf("stdout %q, want nothing", out)
			}
			if got := r.files(t); len(got) > 0 {
				t.Errorf("the runner wrote to its own HOME: %v", got)
			}

			srv.Start()
			c, out, errb = startToken(t, r)
			if err := c.Wait(); err != nil {
				t.Fatalf("after the restart: %v\n%s", err, errb)
			}
			stored, _, err := store.Load(t.Context(), "bot")
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != stored.AccessToken+"\n" || stored.AccessToken == login.AccessToken {
				t.Errorf("after the restart printed %q; stored %q (login's %q)", out, stored.AccessToken, login.AccessToken)
			}
			if stored.RefreshToken != login.RefreshToken || emu.Stats().Refreshes != 1 {
				t.Errorf("after the restart: refresh token kept = %v, refreshes %d; want the login's, 1", stored.RefreshToken == login.RefreshToken, emu.Stats().Refreshes)
			}
		})
	}
}

func TestToken_SharedStoreRecordChangedBehindItsBackIsReadAgain(t *testing.T) {
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			store := testSharedStore(t, srv.URL())
			if err := store.Save(t.Context(), "bot", emulatorLogin(t, emuURL, "", "talk_message"), nil); err != nil {
				t.Fatal(err)
			}
			r := newRunner(t, srv.URL())
			other := emulatorLogin(t, emuURL, "", "talk_message")
			emu.SetTokenDelay(time.Hour)
			c, out, errb := startToken(t, r)
			waitHeld(t, emu, 1)

			// Another runner (whose lease the first outlived) stores a fresh
			// record between the first one's read and its write.
			rec, v, err := store.Load(t.Context(), "bot")
			if err != nil {
				t.Fatal(err)
			}
			other.Login, other.Expiry = rec.Login, time.Now().Add(time.Hour)
			if err := store.Save(t.Context(), "bot", other, v); err != nil {
				t.Fatal(err)
			}
			emu.SetTokenDelay(0)
			if err := c.Wait(); err != nil {
				t.Fatalf("%v\n%s", err, errb)
			}
			stored, _, _ := store.Load(t.Context(), "bot")
			if stored.RefreshToken != other.RefreshToken {
				t.Errorf("the record written meanwhile was overwritten")
			}
			if out.String() != other.AccessToken+"\n" {
				t.Errorf("printed %q, want the token stored meanwhile", out)
			}
		})
	}
}

func TestToken_SharedStoreKOE322WithANewerStoredTokenUsesIt(t *testing.T) {
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			store := testSharedStore(t, srv.URL())
			login := emulatorLogin(t, emuURL, "", "talk_message")
			if err := store.Save(t.Context(), "bot", login, nil); err != nil {
				t.Fatal(err)
			}
			// Another runner refreshed and Kakao rotated the token: the
			// stored one is refused from now on (KOE322).
			tok, err := (&kakao.Client{ClientID: login.ClientID, AuthURL: emuURL}).Refresh(t.Context(), login.RefreshToken)
			if err != nil || tok.RefreshToken == "" {
				t.Fatalf("refresh: %v (rotated %q)", err, tok.RefreshToken)
			}
			r := newRunner(t, srv.URL())
			emu.SetTokenDelay(time.Hour)
			c, out, errb := startToken(t, r)
			waitHeld(t, emu, 1)
			// … and stores its rotated token while this runner refreshes.
			rec, v, _ := store.Load(t.Context(), "bot")
			rec.AccessToken, rec.RefreshToken, rec.Expiry = tok.AccessToken, tok.RefreshToken, tok.Expiry
			if err := store.Save(t.Context(), "bot", rec, v); err != nil {
				t.Fatal(err)
			}
			emu.SetTokenDelay(0)
			if err := c.Wait(); err != nil {
				t.Fatalf("exit %d, want 0: the store holds a newer token than the one Kakao refused\n%s", procExit(err), errb)
			}
			if out.String() != tok.AccessToken+"\n" {
				t.Errorf("printed %q, want the stored token", out)
			}
			stored, _, _ := store.Load(t.Context(), "bot")
			if stored.RefreshToken != tok.RefreshToken {
				t.Errorf("the stored refresh token changed after the failed refresh")
			}
		})
	}
}

// procExit is the exit status of a finished process (0 for no error).
func procExit(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func TestToken_SharedStoreKOE322OnTheStoredTokenIsLoginRequiredAndKeepsTheRecord(t *testing.T) {
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			_, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			store := testSharedStore(t, srv.URL())
			login := emulatorLogin(t, emuURL, "", "talk_message")
			if err := store.Save(t.Context(), "bot", login, nil); err != nil {
				t.Fatal(err)
			}
			// Rotated away elsewhere, and the new token never stored.
			if _, err := (&kakao.Client{ClientID: login.ClientID, AuthURL: emuURL}).Refresh(t.Context(), login.RefreshToken); err != nil {
				t.Fatal(err)
			}
			before, _, _ := store.Load(t.Context(), "bot")
			c, _, errb := startToken(t, newRunner(t, srv.URL()))
			if code := procExit(c.Wait()); code != ExitLoginRequired || !strings.Contains(errb.String(), "KOE322") {
				t.Fatalf("exit %d, want %d with KOE322:\n%s", code, ExitLoginRequired, errb)
			}
			after, _, err := store.Load(t.Context(), "bot")
			if err != nil || !after.Equal(before) {
				t.Errorf("the record changed after a refused refresh (%v)", err)
			}
		})
	}
}
