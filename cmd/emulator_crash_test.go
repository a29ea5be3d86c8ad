package cmd

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

// An emulator killed with SIGKILL under load, with 8 clients logging in,
// loses nothing it answered: after a restart on the same --state-file,
// every access token and refresh token a client received works, and no
// temporary file is left beside the state file.
func TestEmulator_StateFileSurvivesKill9UnderLoad(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	h := newHome(t)
	path := filepath.Join(t.TempDir(), "emu", "state.json")
	start := func() (*proc, string) {
		t.Helper()
		p := startKakaoAuth(t, h, "emulator", "--addr", "127.0.0.1:0", "--auto-approve", "--state-file", path)
		p.waitFor(t, "Press Ctrl-C to stop.")
		return p, strings.TrimSpace(p.stdout.String())
	}
	p, base := start()

	type login struct{ access, refresh string }
	var (
		mu       sync.Mutex
		received []login
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				l, err := loginOnce(client, base)
				if err != nil {
					continue // the kill cuts logins short; those answers never arrived
				}
				mu.Lock()
				received = append(received, l)
				mu.Unlock()
			}
		}()
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n >= 150 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d logins in 30 s; stderr:\n%s", n, p.stderr.String())
		}
	}
	if err := p.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	p.cmd.Wait()
	stop.Store(true)
	wg.Wait()

	_, base = start()
	for i, l := range received {
		req, _ := http.NewRequest(http.MethodGet, base+"/v2/user/me", nil)
		req.Header.Set("Authorization", "Bearer "+l.access)
		if status, body := doStatus(client, req); status != http.StatusOK {
			t.Fatalf("access token of received login %d of %d after kill -9: %d %s", i+1, len(received), status, body)
		}
		form := url.Values{"grant_type": {"refresh_token"}, "client_id": {emulator.DefaultClientID}, "refresh_token": {l.refresh}}
		req, _ = http.NewRequest(http.MethodPost, base+"/oauth/token", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if status, body := doStatus(client, req); status != http.StatusOK {
			t.Fatalf("refresh token of received login %d of %d after kill -9: %d %s", i+1, len(received), status, body)
		}
	}
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := []string{"state.json", "state.json.lock"}; !slices.Equal(names, want) {
		t.Errorf("files beside the state file after kill -9 and a restart: %v, want %v", names, want)
	}
	t.Logf("%d logins received before the kill, all working after the restart", len(received))
}

// loginOnce runs one auto-approved login: authorize, then the code
// exchange.
func loginOnce(c *http.Client, base string) (l struct{ access, refresh string }, err error) {
	q := url.Values{"client_id": {emulator.DefaultClientID}, "redirect_uri": {emulator.DefaultRedirectURI}, "response_type": {"code"}}
	resp, err := c.Get(base + "/oauth/authorize?" + q.Encode())
	if err != nil {
		return l, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		return l, fmt.Errorf("authorize: %d, no code", resp.StatusCode)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {emulator.DefaultClientID},
		"redirect_uri": {emulator.DefaultRedirectURI}, "code": {loc.Query().Get("code")}}
	resp, err = c.PostForm(base+"/oauth/token", form)
	if err != nil {
		return l, err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken  string `json:"access_token"`
		RefreshToken string `json:"refresh_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		return l, fmt.Errorf("token: %d %v", resp.StatusCode, err)
	}
	l.access, l.refresh = tok.AccessToken, tok.RefreshToken
	return l, nil
}

func doStatus(c *http.Client, req *http.Request) (int, string) {
	resp, err := c.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<10))
	return resp.StatusCode, string(body)
}
