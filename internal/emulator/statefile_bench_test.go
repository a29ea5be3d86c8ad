package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkStateFile_Refresh measures what a state file costs a token
// request: a refresh (no rotation, so the state changes by one access
// token) served in-process, in memory and with a state file, with few and
// with many live grants in the state. The state-file figure includes the
// snapshot, the JSON encoding, the write, fsync and rename.
func BenchmarkStateFile_Refresh(b *testing.B) {
	for _, grants := range []int{1, 100, 1000} {
		for _, withFile := range []bool{false, true} {
			name := fmt.Sprintf("grants=%d/memory", grants)
			if withFile {
				name = fmt.Sprintf("grants=%d/state-file", grants)
			}
			b.Run(name, func(b *testing.B) {
				s := benchServer(b, withFile)
				var rt string
				for range grants {
					rt = benchLogin(b, s)
				}
				form := url.Values{"grant_type": {"refresh_token"}, "client_id": {DefaultClientID}, "refresh_token": {rt}}.Encode()
				b.ResetTimer()
				for b.Loop() {
					req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					w := httptest.NewRecorder()
					s.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("refresh: %d %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}

func benchServer(b *testing.B, withFile bool) *Server {
	b.Helper()
	// Grants pile up access tokens: with AccessTTL at its default they all
	// stay live, which is the heavier case for the state file.
	cfg := Config{AutoApprove: true, RedirectURIs: []string{DefaultRedirectURI}}
	if !withFile {
		return New(cfg)
	}
	s, err := Open(cfg, filepath.Join(b.TempDir(), "state.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

// benchLogin runs one auto-approved login and returns its refresh token.
func benchLogin(b *testing.B, s *Server) string {
	b.Helper()
	q := url.Values{"client_id": {DefaultClientID}, "redirect_uri": {DefaultRedirectURI}, "response_type": {"code"}}
	w := httptest.NewRecorder()
	s.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/oauth/authorize?"+q.Encode(), nil))
	loc, _ := url.Parse(w.Header().Get("Location"))
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {DefaultClientID}, "redirect_uri": {DefaultRedirectURI}, "code": {loc.Query().Get("code")}}
	req := httptest.NewRequest(http.MethodPost, "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w = httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("exchange: %d %s", w.Code, w.Body)
	}
	_, rest, _ := strings.Cut(w.Body.String(), `"refresh_token":"`)
	rt, _, _ := strings.Cut(rest, `"`)
	return rt
}
