package authflow

import (
	"bytes"
	"context"
	"errors"
	"html"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// harness is one login against an in-process emulator, with a scripted
// person at the browser.
type harness struct {
	emu      *emulator.Server
	base     string
	redirect string
	opts     Options
	stderr   *syncBuffer
	pages    chan *emulator.Page
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newHarness(t *testing.T, cfg emulator.Config) *harness {
	t.Helper()
	redirect := "http://127.0.0.1:" + freePort(t) + "/callback"
	if cfg.RedirectURIs == nil {
		cfg.RedirectURIs = []string{redirect}
	}
	emu := emulator.New(cfg)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	h := &harness{
		emu:      emu,
		base:     srv.URL,
		redirect: redirect,
		stderr:   &syncBuffer{},
		pages:    make(chan *emulator.Page, 4),
	}
	h.opts = Options{
		ClientID:     emulator.DefaultClientID,
		AuthURL:      srv.URL,
		RedirectURIs: []string{redirect},
		Profile:      "default",
		Sessions:     session.Dir{Path: filepath.Join(t.TempDir(), "sessions")},
		Timeout:      10 * time.Second,
		Stderr:       h.stderr,
	}
	return h
}

// stoppingAtRedirects is a copy of c (its cookies, say) that stops at the
// first redirect, as a test stepping through the authorize flow needs.
func stoppingAtRedirects(c *http.Client) *http.Client {
	cp := *c
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &cp
}

// person returns an Open func that visits the URL and makes decision.
func (h *harness) person(d emulator.Decision) func(context.Context, string) error {
	return func(ctx context.Context, url string) error {
		p, err := (&emulator.UserAgent{Decision: d}).Visit(ctx, url)
		if err != nil {
			return err
		}
		h.pages <- p
		return nil
	}
}

// personNoting is person, who also sends the authorize URL the start
// link redirected to on authURLs.
func (h *harness) personNoting(d emulator.Decision, authURLs chan<- string) func(context.Context, string) error {
	return func(ctx context.Context, u string) error {
		jar, _ := cookiejar.New(nil) // never fails without options
		c := &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) == 1 && strings.HasPrefix(via[0].URL.Path, startPrefix) {
				authURLs <- req.URL.String()
			}
			return nil
		}}
		p, err := (&emulator.UserAgent{Client: c, Decision: d}).Visit(ctx, u)
		if err != nil {
			return err
		}
		h.pages <- p
		return nil
	}
}

func (h *harness) lastPage(t *testing.T) *emulator.Page {
	t.Helper()
	select {
	case p := <-h.pages:
		return p
	case <-time.After(5 * time.Second):
		t.Fatal("the browser never got a page")
		return nil
	}
}

// assertCleanedUp checks the promises made for every exit path: no session
// file left, and the port free again.
func (h *harness) assertCleanedUp(t *testing.T) {
	t.Helper()
	entries, _ := os.ReadDir(h.opts.Sessions.Path)
	if len(entries) != 0 {
		t.Errorf("session dir not empty after login: %v", entries)
	}
	addr := strings.TrimSuffix(strings.TrimPrefix(h.redirect, "http://"), "/callback")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Errorf("port of %s not released: %v", h.redirect, err)
		return
	}
	ln.Close()
}

func TestLogin_AgreeReturnsTokensAndCleansUp(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Scopes = []string{"talk_message"}
	h.opts.Open = h.person(emulator.Agree)

	res, err := Login(t.Context(), h.opts)
	if err != nil {
		t.Fatalf("Login() = %v\nstderr:\n%s", err, h.stderr)
	}
	if res.Token.AccessToken == "" || res.Token.RefreshToken == "" {
		t.Errorf("token lacks access or refresh token: %+v", res.Token)
	}
	if left := time.Until(res.Token.Expiry); left < 5*time.Hour || left > 6*time.Hour {
		t.Errorf("access token expires in %s, want about 6h (Kakao REST)", left)
	}
	if res.Token.RefreshExpiry.IsZero() {
		t.Error("refresh token expiry missing")
	}
	if res.Session.ClientID != emulator.DefaultClientID || res.Session.RedirectURI != h.redirect || res.Session.Profile != "default" {
		t.Errorf("result = %+v, want the session's client id, redirect URI and profile", res)
	}
	if got := strings.Join(res.Scopes, " "); got != "talk_message" {
		t.Errorf("scopes = %q, want talk_message", got)
	}
	p := h.lastPage(t)
	if p.StatusCode != http.StatusOK || !strings.Contains(p.Body, "You are logged in") {
		t.Errorf("browser page = %d %q, want the success page", p.StatusCode, p.Body)
	}
	for _, secret := range []string{res.Token.AccessToken, res.Token.RefreshToken} {
		if strings.Contains(p.Body, secret) || strings.Contains(h.stderr.String(), secret) {
			t.Error("a token leaked into the page or stderr")
		}
	}
	if st := h.emu.Stats(); st.CodeExchanges != 1 {
		t.Errorf("emulator saw %d code exchanges, want 1", st.CodeExchanges)
	}
	h.assertCleanedUp(t)
}

func TestLogin_CancelIsDeniedError(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Open = h.person(emulator.Cancel)

	_, err := Login(t.Context(), h.opts)
	var denied *DeniedError
	if !errors.As(err, &denied) || denied.Code != "access_denied" {
		t.Fatalf("Login() = %v, want DeniedError access_denied", err)
	}
	if denied.Hint() == "" {
		t.Error("no hint for access_denied")
	}
	p := h.lastPage(t)
	if !strings.Contains(p.Body, "access_denied") || !strings.Contains(p.Body, "Login did not complete") {
		t.Errorf("browser page does not show Kakao's error:\n%s", p.Body)
	}
	h.assertCleanedUp(t)
}

func TestLogin_WrongStateIsRefusedAndTheWaitGoesOn(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	var forged *http.Response
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		for _, q := range []string{"?code=forged&state=wrong", "?code=forged", "?error=access_denied&state=wrong"} {
			resp, err := http.Get(h.redirect + q)
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusBadRequest {
				forged = resp
			}
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatalf("Login() = %v, want success after the forged callbacks", err)
	}
	if forged != nil {
		t.Errorf("a forged callback got %s, want 400", forged.Status)
	}
	if st := h.emu.Stats(); st.CodeExchanges != 1 || st.TokenErrors != 0 {
		t.Errorf("emulator stats = %+v, want exactly one good exchange", st)
	}
}

// forgedErrors are error callbacks any web page can send to the listener
// (an <img> pointing at it will do): without state, with another state.
// The description tries to fool the terminal as well.
var forgedErrors = []string{
	"?error=access_denied&error_description=%1b%5b2K%0dkakao-auth%3a%20hint%3a%20run%20curl%20x%7csh%0a",
	"?error=access_denied&state=wrong",
}

// sendForgedErrors sends forgedErrors to the listener and returns the
// status codes they got.
func (h *harness) sendForgedErrors() ([]int, error) {
	var codes []int
	for _, q := range forgedErrors {
		resp, err := http.Get(h.redirect + q)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
	}
	return codes, nil
}

func TestLogin_ErrorWithoutThisStateIsRefusedAndTheWaitGoesOn(t *testing.T) {
	// RFC 6749 §4.1.2.1: an error redirect carries the request's state.
	// One without it is not this login's answer.
	h := newHarness(t, emulator.Config{})
	agree := h.person(emulator.Agree)
	var codes []int
	h.opts.Open = func(ctx context.Context, url string) error {
		var err error
		if codes, err = h.sendForgedErrors(); err != nil {
			return err
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatalf("Login() = %v, want success after the forged error callbacks\nstderr:\n%s", err, h.stderr)
	}
	for i, code := range codes {
		if code != http.StatusBadRequest {
			t.Errorf("forged callback %q answered %d, want 400", forgedErrors[i], code)
		}
	}
	var notes []string
	for _, line := range strings.Split(h.stderr.String(), "\n") {
		if strings.Contains(line, "error=access_denied") {
			notes = append(notes, line)
		}
		if strings.HasPrefix(line, "kakao-auth: hint: run curl") || strings.ContainsAny(line, "\x1b\r") {
			t.Errorf("stderr line forged or unsafe: %q", line)
		}
	}
	if len(notes) == 0 || !strings.Contains(notes[0], "state") {
		t.Errorf("no note on stderr about the refused error callback:\n%s", h.stderr)
	}
}

func TestLogin_ErrorWithoutThisStateLeavesCtrlCAndTimeoutInCharge(t *testing.T) {
	t.Run("ctrl-c", func(t *testing.T) {
		h := newHarness(t, emulator.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		h.opts.Open = func(context.Context, string) error {
			_, err := h.sendForgedErrors()
			cancel()
			return err
		}
		if _, err := Login(ctx, h.opts); !errors.Is(err, ErrCancelled) {
			t.Errorf("Login() = %v, want ErrCancelled", err)
		}
		h.assertCleanedUp(t)
	})
	t.Run("timeout", func(t *testing.T) {
		h := newHarness(t, emulator.Config{})
		h.opts.Timeout = 500 * time.Millisecond
		h.opts.Open = func(context.Context, string) error {
			_, err := h.sendForgedErrors()
			return err
		}
		var te *TimeoutError
		if _, err := Login(t.Context(), h.opts); !errors.As(err, &te) {
			t.Errorf("Login() = %v, want TimeoutError", err)
		}
		h.assertCleanedUp(t)
	})
}

func TestLogin_OnlyGetOnTheCallbackPathIsServed(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	agree := h.person(emulator.Agree)
	var got []int
	h.opts.Open = func(ctx context.Context, url string) error {
		root := strings.TrimSuffix(h.redirect, "/callback")
		for _, req := range []struct{ method, url string }{
			{"GET", root + "/"},
			{"GET", root + "/callback/extra"},
			{"POST", h.redirect},
			{"HEAD", h.redirect},
		} {
			r, _ := http.NewRequest(req.method, req.url, nil)
			resp, err := http.DefaultClient.Do(r)
			if err != nil {
				return err
			}
			resp.Body.Close()
			got = append(got, resp.StatusCode)
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	for i, code := range got {
		if code != http.StatusNotFound {
			t.Errorf("request %d answered %d, want 404", i, code)
		}
	}
}

func TestLogin_TimeoutHintsAtTheBrowser(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Timeout = 300 * time.Millisecond
	h.opts.Open = func(context.Context, string) error { return nil } // nobody comes back

	_, err := Login(t.Context(), h.opts)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Login() = %v, want TimeoutError", err)
	}
	if !strings.Contains(te.Hint(), "KOE006") {
		t.Errorf("timeout hint %q does not point at Kakao's error page", te.Hint())
	}
	if !strings.Contains(te.Hint(), "--no-browser") {
		t.Errorf("timeout hint %q does not mention --no-browser", te.Hint())
	}
	h.assertCleanedUp(t)
}

func TestLogin_UnregisteredRedirectShowsKOE006InTheBrowserAndTimesOut(t *testing.T) {
	h := newHarness(t, emulator.Config{RedirectURIs: []string{"http://localhost:1/other"}})
	h.opts.Timeout = 2 * time.Second
	h.opts.Open = h.person(emulator.Agree)

	_, err := Login(t.Context(), h.opts)
	var te *TimeoutError
	if !errors.As(err, &te) {
		t.Fatalf("Login() = %v, want TimeoutError", err)
	}
	if p := h.lastPage(t); !strings.Contains(p.Body, "KOE006") {
		t.Errorf("browser page does not show KOE006:\n%s", p.Body)
	}
	// The auth server is on this machine: an emulator, where the fix is
	// its own flag, not Kakao's console.
	if want := "(kakao-auth emulator) registers a redirect URI with its own flag: --redirect-uri " + te.RedirectURI; te.RedirectURI == "" || !strings.Contains(te.Hint(), want) {
		t.Errorf("timeout hint %q does not say %q", te.Hint(), want)
	}
}

func TestLogin_CancelledContextReleasesEverything(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	ctx, cancel := context.WithCancel(t.Context())
	h.opts.Open = func(context.Context, string) error {
		cancel() // Ctrl-C while waiting
		return nil
	}
	_, err := Login(ctx, h.opts)
	if !errors.Is(err, ErrCancelled) {
		t.Fatalf("Login() = %v, want ErrCancelled", err)
	}
	h.assertCleanedUp(t)
}

func TestLogin_SessionFileIsPrivateAndHoldsNoSecret(t *testing.T) {
	h := newHarness(t, emulator.Config{ClientSecret: "the-client-secret"})
	h.opts.ClientSecret = "the-client-secret"
	agree := h.person(emulator.Agree)
	var content []byte
	var mode os.FileMode
	h.opts.Open = func(ctx context.Context, url string) error {
		entries, err := os.ReadDir(h.opts.Sessions.Path)
		if err != nil || len(entries) != 1 {
			t.Errorf("want one session file while waiting, got %v, %v", entries, err)
			return agree(ctx, url)
		}
		path := filepath.Join(h.opts.Sessions.Path, entries[0].Name())
		fi, _ := os.Stat(path)
		mode = fi.Mode().Perm()
		content, _ = os.ReadFile(path)
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	if mode != 0o600 {
		t.Errorf("session file mode = %#o, want 0600", mode)
	}
	if !strings.Contains(string(content), `"code_verifier"`) {
		t.Errorf("session file lacks the verifier:\n%s", content)
	}
	if strings.Contains(string(content), "the-client-secret") {
		t.Error("session file holds the client secret")
	}
}

func TestLogin_ExchangeUsesTheSessionFileValues(t *testing.T) {
	// Rewriting the client id in the session file while waiting must change
	// what the exchange sends: the file is the single source of the values.
	h := newHarness(t, emulator.Config{ClientIDs: []string{emulator.DefaultClientID, "other-key"}})
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		entries, _ := os.ReadDir(h.opts.Sessions.Path)
		path := filepath.Join(h.opts.Sessions.Path, entries[0].Name())
		data, _ := os.ReadFile(path)
		data = bytes.Replace(data, []byte(emulator.DefaultClientID), []byte("other-key"), 1)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Error(err)
		}
		return agree(ctx, url)
	}
	_, err := Login(t.Context(), h.opts)
	var ke *kakao.Error
	if !errors.As(err, &ke) || ke.OAuthError != "invalid_grant" {
		t.Fatalf("Login() = %v, want invalid_grant for a code issued to another client", err)
	}
}

func TestLogin_TamperedSessionFileIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		entries, _ := os.ReadDir(h.opts.Sessions.Path)
		os.Chmod(filepath.Join(h.opts.Sessions.Path, entries[0].Name()), 0o644)
		return agree(ctx, url)
	}
	_, err := Login(t.Context(), h.opts)
	var ie *session.InsecureError
	if !errors.As(err, &ie) {
		t.Fatalf("Login() = %v, want session.InsecureError", err)
	}
	if st := h.emu.Stats(); st.CodeExchanges+st.TokenErrors != 0 {
		t.Errorf("the code was sent to Kakao despite the tampered session: %+v", st)
	}
}

func TestLogin_KakaoErrorsCarryKOEAndHint(t *testing.T) {
	h := newHarness(t, emulator.Config{ClientSecret: "right"})
	h.opts.ClientSecret = "" // the app's secret is on but not configured
	h.opts.Open = h.person(emulator.Agree)

	_, err := Login(t.Context(), h.opts)
	var ke *kakao.Error
	if !errors.As(err, &ke) || ke.KOE != "KOE010" {
		t.Fatalf("Login() = %v, want KOE010", err)
	}
	if !strings.Contains(ke.Hint(), "KAKAO_CLIENT_SECRET") {
		t.Errorf("hint %q does not say how to give the secret", ke.Hint())
	}
	if p := h.lastPage(t); !strings.Contains(p.Body, "KOE010") {
		t.Errorf("browser page does not name KOE010:\n%s", p.Body)
	}
}

func TestLogin_TokenEndpointFaultsGiveClearErrors(t *testing.T) {
	tests := []struct {
		fault emulator.Fault
		check func(error) bool
	}{
		{emulator.FaultHTML, isUnexpected},
		{emulator.Fault500, isUnexpected},
		{emulator.FaultBadJSON, isUnexpected},
		{emulator.FaultNoAccessToken, isUnexpected},
		{emulator.FaultReset, isNetwork},
		{emulator.FaultHang, isNetwork},
		{emulator.FaultRateLimit, func(err error) bool {
			var ke *kakao.Error
			return errors.As(err, &ke) && ke.KOE == "KOE237"
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			h := newHarness(t, emulator.Config{})
			h.emu.SetFault(tt.fault)
			h.opts.HTTPClient = &http.Client{Timeout: 500 * time.Millisecond}
			h.opts.Open = h.person(emulator.Agree)
			_, err := Login(t.Context(), h.opts)
			if err == nil || !tt.check(err) {
				t.Fatalf("Login() = %v (%T)", err, errors.Unwrap(err))
			}
			var hinter interface{ Hint() string }
			if !errors.As(err, &hinter) || hinter.Hint() == "" {
				t.Errorf("error %q has no hint", err)
			}
			h.assertCleanedUp(t)
		})
	}
}

func isUnexpected(err error) bool {
	var ue *kakao.UnexpectedResponseError
	return errors.As(err, &ue)
}

func isNetwork(err error) bool {
	var ne *kakao.NetworkError
	return errors.As(err, &ne)
}

func TestLogin_SecondRedirectURIIsUsedWhenTheFirstPortIsBusy(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	busyURI := "http://127.0.0.1:" + port(busy.Addr()) + "/callback"
	h := newHarness(t, emulator.Config{})
	h.emu.RegisterRedirectURI(busyURI)
	h.opts.RedirectURIs = []string{busyURI, h.redirect}
	h.opts.Open = h.person(emulator.Agree)
	res, err := Login(t.Context(), h.opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Session.RedirectURI != h.redirect {
		t.Errorf("used %s, want the free %s", res.Session.RedirectURI, h.redirect)
	}
}

func TestLogin_StaleSessionsAreSweptAtStart(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	old := session.Dir{Path: h.opts.Sessions.Path, Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	if _, err := old.Create(&session.Session{State: "stale", Verifier: "v", ClientID: "c", RedirectURI: h.redirect}); err != nil {
		t.Fatal(err)
	}
	h.opts.Open = h.person(emulator.Agree)
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	h.assertCleanedUp(t)
}

func TestLogin_TerminalShowsASpinnerWithTimeLeft(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Width = func() int { return 80 }
	agree := h.person(emulator.Agree)
	h.opts.Open = func(ctx context.Context, url string) error {
		// Let the spinner draw a few frames before the person comes back.
		for !strings.Contains(h.stderr.String(), "left, Ctrl-C to cancel") {
			time.Sleep(20 * time.Millisecond)
		}
		return agree(ctx, url)
	}
	if _, err := Login(t.Context(), h.opts); err != nil {
		t.Fatal(err)
	}
	out := h.stderr.String()
	if !strings.Contains(out, clearLine+"⠋ Waiting for you to log in in the browser (") {
		t.Errorf("no spinner frame on stderr:\n%q", out)
	}
	if !strings.HasSuffix(out, clearLine) {
		t.Errorf("the spinner line was not cleared at the end:\n%q", out)
	}
	if strings.Contains(out, "Waiting for the browser to come back") {
		t.Error("the one-line (non-terminal) message was printed on a terminal")
	}
}

func TestLogin_OpenIDWithoutAnIDTokenIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.emu.SetIDTokenFault(emulator.IDTokenOmitted)
	h.opts.Scopes = []string{"openid"}
	h.opts.Open = h.person(emulator.Agree)
	_, err := Login(t.Context(), h.opts)
	var ie *kakao.IDTokenError
	if !errors.As(err, &ie) || !strings.Contains(ie.Reason, "no id_token") {
		t.Fatalf("Login() = %v, want an IDTokenError about the missing id_token", err)
	}
}

func TestLogin_OpenIDSendsANonceAndVerifiesTheIDToken(t *testing.T) {
	h := newHarness(t, emulator.Config{})
	h.opts.Scopes = []string{"openid", "profile_nickname"}
	authURLs := make(chan string, 1)
	h.opts.Open = h.personNoting(emulator.Agree, authURLs)
	res, err := Login(t.Context(), h.opts)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(<-authURLs)
	nonce := u.Query().Get("nonce")
	if len(nonce) < 22 || res.Session.Nonce != nonce {
		t.Errorf("nonce in URL %q, in result %q: want one fresh nonce", nonce, res.Session.Nonce)
	}
	if res.IDClaims == nil || res.IDClaims.Nonce != nonce || res.IDClaims.Nickname == "" {
		t.Errorf("IDClaims = %+v, want verified claims with the nonce", res.IDClaims)
	}
}

// A token endpoint that echoes the request into its error text shows on
// the failure page and in the error with every spelling of the client
// secret redacted (the secret has a part, Zq9w, no encoding changes).
func TestLogin_EchoedSecretIsRedactedOnTheFailurePage(t *testing.T) {
	const secret = "Sec+ret/Zq9w=chars&x y"
	h := newHarness(t, emulator.Config{ClientSecret: secret})
	h.opts.ClientSecret = secret
	h.emu.SetFault(emulator.FaultEcho)
	h.opts.Open = h.person(emulator.Agree)

	_, err := Login(t.Context(), h.opts)
	if err == nil {
		t.Fatal("Login() succeeded under the echo fault")
	}
	page := html.UnescapeString(h.lastPage(t).Body)
	if !strings.Contains(page, "client_secret=[redacted]") {
		t.Errorf("the failure page does not show the echo redacted:\n%s", page)
	}
	for where, text := range map[string]string{"page": page, "error": err.Error(), "stderr": h.stderr.String()} {
		if strings.Contains(text, "Zq9w") {
			t.Errorf("the %s shows the client secret:\n%s", where, text)
		}
	}
}

// A session directory that is a link stops the login before anything is
// swept or written through it: the files where it points stay as they were.
func TestLogin_LinkedSessionDirectoryStopsTheLoginFirst(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on windows")
	}
	h := newHarness(t, emulator.Config{})
	elsewhere := filepath.Join(t.TempDir(), "elsewhere")
	old := session.Dir{Path: elsewhere, Now: func() time.Time { return time.Now().Add(-time.Hour) }}
	if _, err := old.Create(&session.Session{State: "stale", Verifier: "v", ClientID: "c", RedirectURI: h.redirect}); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, h.opts.Sessions.Path); err != nil {
		t.Fatal(err)
	}
	opened := false
	h.opts.Open = func(context.Context, string) error { opened = true; return nil }
	_, err := Login(t.Context(), h.opts)
	var ie *session.InsecureError
	if !errors.As(err, &ie) || opened {
		t.Errorf("Login() = %v, browser opened %v; want an InsecureError before the browser", err, opened)
	}
	if entries, _ := os.ReadDir(elsewhere); len(entries) != 1 {
		t.Errorf("files where the link points: %v, want the one left there", entries)
	}
	if _, err := Start(h.opts); !errors.As(err, &ie) {
		t.Errorf("Start() = %v, want an InsecureError", err)
	}
}

// An app with OpenID Connect on sends an ID token for a login whose authorize
// request has no scope (Kakao's "OpenID Connect ID 토큰 발급하기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token),
// so every login sends a nonce and keeps it in its session, and any ID token is
// checked against it: with a scope that asks for no ID token too, for a refresh
// to check.
func TestLogin_EveryLoginSendsANonce(t *testing.T) {
	for _, tt := range []struct {
		name        string
		scopes      []string
		wantIDToken bool
	}{
		{"no scope", nil, true},
		{"scope without openid", []string{"profile_nickname"}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, emulator.Config{})
			h.opts.Scopes = tt.scopes
			authURLs := make(chan string, 1)
			h.opts.Open = h.personNoting(emulator.Agree, authURLs)
			res, err := Login(t.Context(), h.opts)
			if err != nil {
				t.Fatal(err)
			}
			u, _ := url.Parse(<-authURLs)
			nonce := u.Query().Get("nonce")
			if len(nonce) < 22 || res.Session.Nonce != nonce {
				t.Errorf("nonce in URL %q, in the session %q: want one fresh nonce in both", nonce, res.Session.Nonce)
			}
			if got := res.Token.IDToken != ""; got != tt.wantIDToken {
				t.Fatalf("ID token sent: %v, want %v", got, tt.wantIDToken)
			}
			if tt.wantIDToken && (res.IDClaims == nil || res.IDClaims.Nonce != nonce) {
				t.Errorf("IDClaims = %+v, want verified claims carrying the nonce %q", res.IDClaims, nonce)
			}
		})
	}
}
