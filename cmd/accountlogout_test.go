package cmd

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// sharedBrowser is a person's browser that stays signed in to Kakao (one
// cookie jar) across logins and logouts, pressing Agree when asked.
type sharedBrowser struct {
	ua    *emulator.UserAgent
	pages chan visit
}

// visit is where one opening of the browser ended.
type visit struct {
	page *emulator.Page
	err  error
}

func newSharedBrowser() *sharedBrowser {
	jar, _ := cookiejar.New(nil) // never fails without options
	return &sharedBrowser{
		ua:    &emulator.UserAgent{Client: &http.Client{Jar: jar, Timeout: 10 * time.Second}},
		pages: make(chan visit, 4),
	}
}

// open is a Deps.OpenBrowser.
func (b *sharedBrowser) open(ctx context.Context, _, url string) error {
	// A person's browser is not the command's: it reads its page to the
	// end even when kakao-auth is done (and its context cancelled) first.
	p, err := b.ua.Visit(context.WithoutCancel(ctx), url)
	b.pages <- visit{p, err}
	return err
}

func (b *sharedBrowser) lastPage(t *testing.T) *emulator.Page {
	t.Helper()
	select {
	case v := <-b.pages:
		if v.page == nil {
			t.Fatalf("the browser ended on no page: %v", v.err)
		}
		return v.page
	case <-time.After(10 * time.Second):
		t.Fatal("the browser never finished")
		return nil
	}
}

// signedIn reports whether the browser is signed in to Kakao: whether a
// prompt=none login gets a code rather than login_required.
func (b *sharedBrowser) signedIn(t *testing.T, base string) bool {
	t.Helper()
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: emulator.DefaultRedirectURI, AuthURL: base}
	resp, err := stoppingAtRedirects(b.ua.Client).Get(c.AuthorizeURL(kakao.AuthorizeRequest{State: "s", Verifier: kakao.NewVerifier(), Prompt: []string{"none"}}))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	switch q := loc.Query(); {
	case q.Get("code") != "":
		return true
	case q.Get("error") == "login_required":
		return false
	default:
		t.Fatalf("prompt=none answered %v", q)
		return false
	}
}

// withDisplay adds a graphical session to env, where the system browser
// can open (the tests' Deps.OpenBrowser stands in for it).
func withDisplay(env map[string]string) map[string]string {
	if env == nil {
		env = map[string]string{}
	}
	env["DISPLAY"] = ":0"
	return env
}

// accountLogoutKakao is an emulator with a logout redirect URI on a free
// port, a stored login of profile "default", and the person's browser
// signed in to it.
func accountLogoutKakao(t *testing.T, register bool) (emu *emulator.Server, base, root, logoutURI string, rec *tokenstore.Record, b *sharedBrowser) {
	t.Helper()
	logoutURI = "http://127.0.0.1:" + mustFreePort(t) + "/logout"
	cfg := emulator.Config{AutoApprove: true}
	if register {
		cfg.LogoutRedirectURIs = []string{logoutURI}
	}
	emu, srv := startTestEmulator(t, cfg)
	root = t.TempDir()
	b = newSharedBrowser()
	// The person signs in; the last hop, to a redirect URI where nothing
	// listens, fails, and the session cookie is set by then.
	c := &kakao.Client{ClientID: emulator.DefaultClientID, RedirectURI: emulator.DefaultRedirectURI, AuthURL: srv.URL}
	_, _ = b.ua.Visit(t.Context(), c.AuthorizeURL(kakao.AuthorizeRequest{State: "s", Verifier: kakao.NewVerifier()}))
	if !b.signedIn(t, srv.URL) {
		t.Fatal("the browser is not signed in to the emulator")
	}
	rec = loggedInProfile(t, srv.URL, root, "default")
	rec.Expiry = time.Now().Add(time.Hour) // no refresh: revoking ends this very token
	if err := (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Save(t.Context(), "default", rec); err != nil {
		t.Fatal(err)
	}
	return emu, srv.URL, root, logoutURI, rec, b
}

// tokenWorks reports whether Kakao still takes the access token.
func tokenWorks(t *testing.T, base, token string) bool {
	t.Helper()
	_, err := (&kakao.API{BaseURL: base, Tokens: kakao.StaticToken(token)}).Me(t.Context())
	return err == nil
}

// logout --kakao-account logs the browser out of Kakao, then does what
// logout does with the other flags: the local login goes, and with
// --revoke or --unlink the tokens die at Kakao too.
func TestLogoutKakaoAccount_EndsTheBrowsersKakaoSession(t *testing.T) {
	for _, tt := range []struct {
		flags      []string
		tokenAlive bool
		says       string
	}{
		{nil, true, ""},
		{[]string{"--revoke"}, false, "Kakao logout done"},
		{[]string{"--unlink", "--yes"}, false, "Kakao unlink done"},
	} {
		t.Run(strings.Join(append([]string{"--kakao-account"}, tt.flags...), " "), func(t *testing.T) {
			emu, base, root, logoutURI, rec, b := accountLogoutKakao(t, true)
			d, stdout, stderr := storeDeps(root, withDisplay(nil), "")
			d.OpenBrowser = b.open
			args := append([]string{"logout", "--kakao-account", "--logout-redirect-uri", logoutURI}, tt.flags...)
			if code := Main(t.Context(), args, d); code != ExitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if p := b.lastPage(t); !strings.Contains(p.Body, "You are logged out of Kakao") {
				t.Errorf("the browser ended on %s:\n%s", p.URL, p.Body)
			}
			if b.signedIn(t, base) {
				t.Error("the browser is still signed in to Kakao")
			}
			if got := emu.Stats().AccountLogouts; got != 1 {
				t.Errorf("AccountLogouts = %d, want 1", got)
			}
			if got := tokenWorks(t, base, rec.AccessToken); got != tt.tokenAlive {
				t.Errorf("access token works at Kakao: %v, want %v", got, tt.tokenAlive)
			}
			if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); !os.IsNotExist(err) {
				t.Errorf("the token file is still there (%v)", err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q", stdout)
			}
			out := stderr.String()
			for _, want := range []string{"Logged out of Kakao in the browser: its Kakao Account session ended.\n", tt.says, `Logged out of profile "default"`} {
				if !strings.Contains(out, want) {
					t.Errorf("stderr lacks %q:\n%s", want, out)
				}
			}
			if strings.Index(out, "Logged out of Kakao in the browser") > strings.Index(out, `Logged out of profile`) {
				t.Errorf("the local login went before the browser's session:\n%s", out)
			}
		})
	}
}

// A logout redirect URI the app has not registered: Kakao shows KOE007 and
// never sends the browser back. The wait times out, says why, and nothing
// else happens: the tokens and the local login stay, unless --force.
func TestLogoutKakaoAccount_UnconfirmedLogoutKeepsTheLogin(t *testing.T) {
	for _, force := range []bool{false, true} {
		t.Run(map[bool]string{false: "without --force", true: "with --force"}[force], func(t *testing.T) {
			_, base, root, logoutURI, rec, b := accountLogoutKakao(t, false)
			d, _, stderr := storeDeps(root, withDisplay(nil), "")
			d.OpenBrowser = b.open
			args := []string{"logout", "--kakao-account", "--revoke", "--logout-redirect-uri", logoutURI, "--timeout", "1s"}
			want := ExitFailure
			if force {
				args, want = append(args, "--force"), ExitOK
			}
			if code := Main(t.Context(), args, d); code != want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, want, stderr)
			}
			if p := b.lastPage(t); !strings.Contains(p.Body, "KOE007") {
				t.Errorf("the browser shows %q, want Kakao's KOE007 page", p.Body)
			}
			if !b.signedIn(t, base) {
				t.Error("the browser was signed out of Kakao")
			}
			_, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json"))
			out := stderr.String()
			if force {
				if !os.IsNotExist(err) || tokenWorks(t, base, rec.AccessToken) || !strings.Contains(out, "warning: the Kakao Account logout failed") {
					t.Errorf("--force: token file %v, token works %v; stderr:\n%s", err, tokenWorks(t, base, rec.AccessToken), out)
				}
				return
			}
			if err != nil || !tokenWorks(t, base, rec.AccessToken) {
				t.Errorf("token file %v, token works %v: the login should be untouched", err, tokenWorks(t, base, rec.AccessToken))
			}
			for _, want := range []string{
				"kakao-auth: error: no answer from the browser within 1s, so the Kakao Account logout is not confirmed; the local login is kept (add --force to remove it anyway)\n",
				"kakao-auth: hint: Kakao shows KOE007 on its own page", logoutURI,
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stderr lacks %q:\n%s", want, out)
				}
			}
		})
	}
}

// With nothing stored, the app comes from KAKAO_CLIENT_ID (and
// KAKAO_AUTH_URL): the browser can still be logged out of Kakao.
func TestLogoutKakaoAccount_WithNothingStoredUsesTheAppOfTheEnvironment(t *testing.T) {
	emu, base, _, logoutURI, _, b := accountLogoutKakao(t, true)
	env := withDisplay(map[string]string{"KAKAO_CLIENT_ID": emulator.DefaultClientID, "KAKAO_AUTH_URL": base, "KAKAO_LOGOUT_REDIRECT_URI": logoutURI})
	d, _, stderr := storeDeps(t.TempDir(), env, "")
	d.OpenBrowser = b.open
	if code := Main(t.Context(), []string{"logout", "--kakao-account"}, d); code != ExitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	b.lastPage(t)
	if b.signedIn(t, base) || emu.Stats().AccountLogouts != 1 {
		t.Errorf("signed in %v, account logouts %d; want the browser logged out", b.signedIn(t, base), emu.Stats().AccountLogouts)
	}
	if !strings.Contains(stderr.String(), "Nothing to log out") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestLogoutKakaoAccount_UsageErrors(t *testing.T) {
	for _, tt := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"logout", "--logout-redirect-uri", "http://localhost:8765/logout"}, nil, "error: --logout-redirect-uri applies to --kakao-account"},
		{[]string{"logout", "--timeout", "1m"}, nil, "error: --timeout applies to --kakao-account"},
		{[]string{"logout", "--kakao-account", "--logout-redirect-uri", "https://app.example.com/logout"}, nil, `error: logout redirect URI "https://app.example.com/logout": the scheme is "https"`},
		{[]string{"logout", "--kakao-account"}, map[string]string{"KAKAO_LOGOUT_REDIRECT_URI": "http://192.0.2.1:8765/logout"}, "is not a loopback address"},
		{[]string{"logout", "--kakao-account", "--timeout", "0s"}, nil, "--timeout must be positive"},
		{[]string{"logout", "--kakao-account", "--profile", "nosuch"}, nil, `error: --kakao-account needs the app to log out of: profile "nosuch" holds no usable login`},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			d, stdout, stderr := storeDeps(t.TempDir(), tt.env, "")
			d.OpenBrowser = func(context.Context, string, string) error { t.Error("a browser was opened"); return nil }
			if code := Main(t.Context(), tt.args, d); code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stderr = %q, want %q and a hint", stderr, tt.want)
			}
		})
	}
}

// Where no browser can be opened (no display, an SSH session) and no
// browser command is named, --kakao-account fails at once, saying why and
// what to do, instead of waiting --timeout for a browser that never
// opens; the local login is kept.
func TestLogoutKakaoAccount_NoBrowserHereFailsFast(t *testing.T) {
	for _, tt := range []struct {
		name   string
		env    map[string]string
		reason string
	}{
		{"no display", map[string]string{}, "neither DISPLAY nor WAYLAND_DISPLAY is set"},
		{"over SSH", map[string]string{"DISPLAY": "localhost:10.0", "SSH_CONNECTION": "192.0.2.1 50000 192.0.2.2 22"}, "SSH"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "no display" && runtime.GOOS != "linux" {
				t.Skip("DISPLAY matters where xdg-open opens the browser")
			}
			_, base, root, logoutURI, rec, _ := accountLogoutKakao(t, true)
			d, stdout, stderr := storeDeps(root, tt.env, "")
			d.OpenBrowser = func(context.Context, string, string) error { t.Error("a browser was tried"); return nil }
			start := time.Now()
			code := Main(t.Context(), []string{"logout", "--kakao-account", "--revoke", "--logout-redirect-uri", logoutURI, "--timeout", "5s"}, d)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("the logout took %s: it waited for a browser", took)
			}
			if code != ExitFailure || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q; want %d and nothing", code, stdout, ExitFailure)
			}
			out := stderr.String()
			for _, want := range []string{
				"kakao-auth: error: no browser can be opened here (", tt.reason, "--kakao-account logs out the browser of this machine; the local login is kept",
				"kakao-auth: hint: run the logout in this machine's desktop session, or name the command that opens its browser with --browser-command",
			} {
				if !strings.Contains(out, want) {
					t.Errorf("stderr lacks %q:\n%s", want, out)
				}
			}
			if _, err := os.Stat(filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")); err != nil || !tokenWorks(t, base, rec.AccessToken) {
				t.Errorf("token file %v, token works %v: the login should be untouched", err, tokenWorks(t, base, rec.AccessToken))
			}
		})
	}
}
