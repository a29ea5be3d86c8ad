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
	"github.com/kakao-auth/kakao-auth/internal/enginetest"
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
			var errb bytes.Buffer
			c := exec.Command(os.Args[0], "logout", "--profile", "bot")
			c.Env, c.Stderr = r.env, &errb
			if err := c.Run(); err != nil || !strings.Contains(errb.String(), "holds no login in \""+srv.URL()) {
				t.Errorf("a second logout: %v\n%s", err, errb.String())
			}
			errb.Reset()
			c = exec.Command(os.Args[0], "status", "--all")
			c.Env, c.Stderr = r.env, &errb
			if err := c.Run(); err != nil || !strings.Contains(errb.String(), "No profiles are stored in \""+srv.URL()) {
				t.Errorf("status --all on an empty shared store: %v\n%s", err, errb.String())
			}
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

func TestSharedStore_EngineErrorsNameItAndNeverThePassword(t *testing.T) {
	const pw = "s3cret-pw-91"
	rds := enginetest.Redis(t, enginetest.WithPassword("the-right-one"))
	etcd := enginetest.Etcd(t)
	etcd.EnableEtcdAuth("the-right-one")
	dead := "127.0.0.1:" + enginetest.FreePort(t)
	for _, tc := range []struct {
		name, store string
		env         []string
		code        int
		want        []string // in stderr
	}{
		{"redis down", "redis://ka:" + pw + "@" + dead + "/0", nil, ExitFailure, []string{"redis at " + dead, "hint: check that redis is running"}},
		{"etcd down", "etcd://root:" + pw + "@" + dead, nil, ExitFailure, []string{"etcd at " + dead, "never falls back"}},
		{"redis wrong password in the URL", "redis://default:" + pw + "@" + rds.Host, nil, ExitFailure, []string{"refused the credentials", "KAKAO_AUTH_REDIS_PASSWORD"}},
		{"etcd wrong password from the environment", etcd.URL(), []string{"KAKAO_AUTH_ETCD_USER=root", "KAKAO_AUTH_ETCD_PASSWORD=" + pw}, ExitFailure, []string{"etcd at " + etcd.Host, "KAKAO_AUTH_ETCD_PASSWORD"}},
		{"a query in the URL", "redis://ka@" + dead + "?password=" + pw, nil, ExitUsage, []string{"no ?query"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newRunner(t, tc.store)
			r.env = append(r.env, tc.env...)
			var out, errb bytes.Buffer
			c := exec.Command(os.Args[0], "token", "--profile", "bot")
			c.Env, c.Stdout, c.Stderr = r.env, &out, &errb
			start := time.Now()
			code := procExit(c.Run())
			if code != tc.code || time.Since(start) > 8*time.Second {
				t.Errorf("exit %d after %v, want %d within a few seconds\n%s", code, time.Since(start), tc.code, errb.String())
			}
			for _, w := range tc.want {
				if !strings.Contains(errb.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, errb.String())
				}
			}
			if strings.Contains(errb.String()+out.String(), pw) {
				t.Errorf("the password is shown:\n%s", errb.String())
			}
			if got := r.files(t); len(got) > 0 {
				t.Errorf("wrote to the runner's HOME: %v", got)
			}
		})
	}
}

func TestSharedStore_LoginWarnsOfARedisWithoutAnAppendOnlyFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []enginetest.Option
		warn bool
	}{
		{"appendonly yes", nil, false},
		{"appendonly no", []enginetest.Option{enginetest.WithoutAppendOnly()}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := enginetest.Redis(t, tc.opts...)
			r := newRunner(t, "")
			r.env = append(r.env, "KAKAO_CLIENT_ID=k")
			var errb bytes.Buffer
			c := exec.Command(os.Args[0], "login", "--no-wait", "--store", srv.URL(), "--redirect-uri", freeRedirect(t))
			c.Env, c.Stderr = r.env, &errb
			if err := c.Run(); err != nil {
				t.Fatalf("login --no-wait: %v\n%s", err, errb.String())
			}
			if got := strings.Contains(errb.String(), "warning: this Redis keeps no append-only file"); got != tc.warn {
				t.Errorf("warned = %v, want %v:\n%s", got, tc.warn, errb.String())
			}
		})
	}
}
