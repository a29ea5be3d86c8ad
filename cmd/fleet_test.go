package cmd

import (
	"bytes"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/enginetest"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// sharedEngines are the real servers the fleet tests run against.
var sharedEngines = []struct {
	name  string
	start func(testing.TB, ...enginetest.Option) *enginetest.Server
}{
	{"etcd", enginetest.Etcd},
	{"redis", enginetest.Redis},
}

// runner is one machine of a fleet: a HOME of its own with nothing in it
// but what kakao-auth might write, and the shared store's URL.
type runner struct {
	home string
	env  []string
}

func newRunner(t *testing.T, storeURL string) runner {
	home := t.TempDir()
	return runner{home: home, env: append(os.Environ(), asKakaoAuthEnv+"=1",
		"HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_RUNTIME_DIR="+filepath.Join(home, "run"),
		envStore+"="+storeURL, "KAKAO_AUTH_PROFILE=")}
}

// files lists what kakao-auth left in the runner's HOME, but for the
// cache of Kakao's public ID-token signing keys: no login, nothing secret,
// and fetched again whenever it is gone.
func (r runner) files(t *testing.T) []string {
	var got []string
	filepath.WalkDir(r.home, func(path string, d fs.DirEntry, err error) error {
		rel := strings.TrimPrefix(path, r.home)
		switch {
		case err != nil, path == r.home:
		case rel == "/cache", rel == "/cache/kakao-auth", strings.HasPrefix(rel, "/cache/kakao-auth/jwks"):
		default:
			got = append(got, rel)
		}
		return nil
	})
	return got
}

// result is one finished kakao-auth process.
type result struct {
	stdout, stderr string
	err            error
}

// runAll runs args in n processes on each runner at once.
func runAll(runners []runner, n int, args ...string) []result {
	results := make([]result, len(runners)*n)
	var wg sync.WaitGroup
	for i := range results {
		r := runners[i%len(runners)]
		wg.Go(func() {
			var out, errb bytes.Buffer
			c := exec.Command(os.Args[0], args...)
			c.Env, c.Stdout, c.Stderr = r.env, &out, &errb
			err := c.Run()
			results[i] = result{out.String(), errb.String(), err}
		})
	}
	wg.Wait()
	return results
}

// testSharedStore opens the test's shared store as the test's own client.
func testSharedStore(t *testing.T, url string) *sharedstore.Store {
	t.Helper()
	s, err := sharedstore.OpenStore(url, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// expireStored moves the stored access token's expiry into the past, as
// the hours between two rounds of jobs would.
func expireStored(t *testing.T, s *sharedstore.Store, profile string) *tokenstore.Record {
	t.Helper()
	rec, v, err := s.Load(t.Context(), profile)
	if err != nil {
		t.Fatal(err)
	}
	rec.Expiry = time.Now().Add(-time.Minute)
	if err := s.Save(t.Context(), profile, rec, v); err != nil {
		t.Fatal(err)
	}
	return rec
}

// accepted reports whether the emulator takes at as a valid access token.
func accepted(t *testing.T, base, at string) bool {
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, base+"/v1/user/access_token_info", nil)
	req.Header.Set("Authorization", "Bearer "+at)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func TestToken_FleetOnASharedStoreRefreshesOncePerRound(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 1200 processes")
	}
	const runners, perRunner = 3, 20
	rounds := 10
	if raceDetector {
		// 1200 processes of a -race build would take minutes of the
		// package's ten; two rounds still race 60 of them on each engine.
		rounds = 2
	}
	for _, eng := range sharedEngines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			// A refresh token with under 30 days left rotates on every refresh.
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true, RefreshTTL: 10 * 24 * time.Hour})
			store := testSharedStore(t, srv.URL())
			if err := store.Save(t.Context(), "bot", emulatorLogin(t, emuURL, "", "talk_message"), nil); err != nil {
				t.Fatal(err)
			}
			fleet := make([]runner, runners)
			for i := range fleet {
				fleet[i] = newRunner(t, srv.URL())
			}
			for round := range rounds {
				before := expireStored(t, store, "bot")
				refreshes := emu.Stats().Refreshes
				results := runAll(fleet, perRunner, "token", "--profile", "bot")
				stored, _, err := store.Load(t.Context(), "bot")
				if err != nil {
					t.Fatal(err)
				}
				failed := 0
				for i, r := range results {
					if r.err != nil || r.stdout != stored.AccessToken+"\n" || strings.Contains(r.stderr, "KOE322") {
						failed++
						if failed <= 3 {
							t.Errorf("round %d, process %d: %v; stdout %q; stderr:\n%s", round, i, r.err, r.stdout, r.stderr)
						}
					}
				}
				if failed > 0 {
					t.Fatalf("round %d: %d of %d processes failed", round, failed, len(results))
				}
				if got := emu.Stats().Refreshes - refreshes; got != 1 {
					t.Fatalf("round %d: %d refreshes, want exactly 1", round, got)
				}
				if stored.RefreshToken == before.RefreshToken {
					t.Fatalf("round %d: the stored refresh token did not rotate", round)
				}
				if !accepted(t, emuURL, stored.AccessToken) {
					t.Fatalf("round %d: the emulator refuses the token every process printed", round)
				}
			}
			for i, r := range fleet {
				if got := r.files(t); len(got) > 0 {
					t.Errorf("runner %d wrote to its own HOME: %v", i, got)
				}
			}
			// The stored refresh token is the last one Kakao issued: it works.
			stored, _, _ := store.Load(t.Context(), "bot")
			c := &kakao.Client{ClientID: stored.ClientID, AuthURL: emuURL}
			if _, err := c.Refresh(t.Context(), stored.RefreshToken); err != nil {
				t.Errorf("the stored refresh token does not work: %v", err)
			}
		})
	}
}

// describe is a result for a failure message.
func (r result) String() string {
	return fmt.Sprintf("err %v, stdout %q, stderr %q", r.err, r.stdout, r.stderr)
}
