package cmd

import (
	"bytes"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// run runs kakao-auth with args on r and returns its stdout, failing t
// unless it exits with want.
func (r runner) run(t *testing.T, want int, args ...string) string {
	t.Helper()
	var out, errb bytes.Buffer
	c := exec.Command(os.Args[0], args...)
	c.Env, c.Stdout, c.Stderr = r.env, &out, &errb
	if code := procExit(c.Run()); code != want {
		t.Fatalf("%v: exit %d, want %d\nstderr:\n%s", args, code, want, errb.String())
	}
	return out.String()
}

func TestSharedStore_LoginOnceThenEveryCommandOnAnEmptyRunner(t *testing.T) {
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			redirect := freeRedirect(t)
			emu.RegisterRedirectURI(redirect)
			store := testSharedStore(t, srv.URL())

			// The login machine: a two-step login into the shared store,
			// named on the command line.
			admin := newRunner(t, "")
			admin.env = append(admin.env, "KAKAO_AUTH_URL="+emuURL, "KAKAO_API_URL="+emuURL, "KAKAO_CLIENT_ID="+emulator.DefaultClientID)
			authorize := strings.TrimSpace(admin.run(t, ExitOK, "login", "--no-wait", "--store", srv.URL(), "--profile", "bot", "--redirect-uri", redirect))
			resp, err := noRedirects.Get(authorize)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			back, _ := url.Parse(resp.Header.Get("Location"))
			if back.Query().Get("code") == "" {
				t.Fatalf("the emulator sent the browser to %s", back)
			}
			admin.run(t, ExitOK, "login", "--resume", back.String())
			rec, _, err := store.Load(t.Context(), "bot")
			if err != nil {
				t.Fatalf("the login is not in the shared store: %v", err)
			}
			if rec.ClientID != emulator.DefaultClientID || rec.AuthURL != emuURL || rec.UserID == 0 {
				t.Errorf("stored login lacks its app or user: %+v", rec)
			}

			// A runner with nothing but KAKAO_AUTH_STORE and --profile.
			r := newRunner(t, srv.URL())
			if got := r.run(t, ExitOK, "token", "--profile", "bot"); got != rec.AccessToken+"\n" {
				t.Errorf("token printed %q, want the stored token", got)
			}
			if got := r.run(t, ExitOK, "api", "--profile", "bot", "/v2/user/me"); !strings.Contains(got, `"id"`) {
				t.Errorf("api printed %q", got)
			}
			r.run(t, ExitOK, "exec", "--profile", "bot", "--", "sh", "-c", `test "$KAKAO_ACCESS_TOKEN" = "`+rec.AccessToken+`"`)
			r.run(t, ExitOK, "status", "--profile", "bot")
			if got := r.run(t, ExitOK, "status", "--all"); !strings.Contains(got, "bot") || !strings.Contains(got, srv.Host) {
				t.Errorf("status --all printed:\n%s", got)
			}
			r.run(t, ExitOK, "refresh", "--profile", "bot")
			refreshed, _, err := store.Load(t.Context(), "bot")
			if err != nil || refreshed.AccessToken == rec.AccessToken || refreshed.RefreshToken == rec.RefreshToken {
				t.Errorf("refresh did not store new, rotated tokens (%v)", err)
			}
			r.run(t, ExitOK, "logout", "--profile", "bot")
			if _, _, err := store.Load(t.Context(), "bot"); !errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("after logout the shared store still answers %v", err)
			}
			r.run(t, ExitLoginRequired, "token", "--profile", "bot")
			if got := r.files(t); len(got) > 0 {
				t.Errorf("the runner wrote to its own HOME: %v", got)
			}
			for _, f := range admin.files(t) {
				if strings.Contains(f, "tokens") || strings.Contains(f, "profiles") {
					t.Errorf("the login machine kept a local copy: %s", f)
				}
			}
		})
	}
}
