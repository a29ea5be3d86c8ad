package cmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// chromium finds Debian's chromium. Without it the test skips on a
// developer's machine, but fails in CI, where .ci/run installs it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if keyringtest.InCI() {
		t.Fatal("chromium is not installed, and CI must run the real-browser test (apt-get install chromium)")
	}
	t.Skip("chromium is not installed")
	return ""
}

// headless starts a fresh headless chromium for one test. Everything it
// writes goes to the test's temporary directories: besides its profile
// (--user-data-dir), chromium writes "Crash Reports" under
// $XDG_CONFIG_HOME (~/.config/chromium), and GLib's dconf its flag file
// under $XDG_RUNTIME_DIR, else ~/.cache/dconf; so chromium and all it
// spawns get a home of their own.
func headless(t *testing.T) context.Context {
	t.Helper()
	home := t.TempDir()
	run := filepath.Join(home, "run")
	if err := os.Mkdir(run, 0o700); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Env("HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"), "XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
			"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"), "XDG_STATE_HOME="+filepath.Join(home, ".local", "state"), "XDG_RUNTIME_DIR="+run),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(cancelTimeout)
	if err := chromedp.Do(ctx); err != nil { // start the browser now
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// The real-browser tests leave nothing in the home of whoever runs them:
// chromium (and what it spawns) writes only under the test's own
// directories. Run with a home of the test's, which must stay empty.
func TestHeadless_LeavesTheHomeAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	for _, v := range []string{"XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_RUNTIME_DIR"} {
		t.Setenv(v, "")
	}
	browser := headless(t)
	if err := chromedp.Do(browser, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	// Closes the browser and waits for it to exit.
	if err := chromedp.Cancel(browser); err != nil {
		t.Fatal(err)
	}
	var left []string
	_ = filepath.WalkDir(home, func(path string, _ os.DirEntry, err error) error {
		if path != home && err == nil {
			left = append(left, strings.TrimPrefix(path, home+"/"))
		}
		return nil
	})
	if len(left) != 0 {
		t.Errorf("chromium wrote to the home of whoever runs the tests:\n%s", strings.Join(left, "\n"))
	}
}

// TestLogin_RealBrowser drives Debian's chromium through a whole login
// against the emulator: the person clicks Agree (or Cancel) on the consent
// page and ends on our page.
func TestLogin_RealBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	tests := []struct {
		button   string
		wantCode int
		wantOK   string
		wantText string
	}{
		{button: "agree", wantCode: ExitOK, wantOK: "true", wantText: "You are logged in"},
		{button: "cancel", wantCode: ExitCancelled, wantOK: "false", wantText: "access_denied"},
	}
	for _, tt := range tests {
		t.Run(tt.button, func(t *testing.T) {
			browser := headless(t)
			root := t.TempDir()
			d, stdout, stderr := storeDeps(root, nil, "")
			urls := make(chan string, 1)
			d.OpenBrowser = func(_ context.Context, _, url string) error {
				urls <- url
				return nil
			}
			redirect := "http://localhost:" + mustFreePort(t) + "/callback"
			done := make(chan int, 1)
			go func() {
				done <- Main(t.Context(), []string{"login", "--emulator", "--redirect-uri", redirect, "--timeout", "60s"}, d)
			}()

			var ok chromedp.AttributeResult
			var html string
			var shot []byte
			// The browser gets the login's one-time start link, on the
			// redirect URI's own host and port, never the authorize URL:
			// chromium follows it to the consent page and back.
			link := <-urls
			if !strings.HasPrefix(link, strings.TrimSuffix(redirect, "/callback")+"/start/") || strings.Contains(link, "state=") {
				t.Errorf("the browser was opened on %s, want the start link on %s", link, redirect)
			}
			err := chromedp.Do(browser, chromedp.Navigate(link))
			if err == nil {
				_, err = poll(browser, `document.getElementById("`+tt.button+`") ? "yes" : ""`)
			}
			if err == nil {
				err = click(browser, tt.button)
			}
			if err == nil {
				ok.Value, err = poll(browser, `document.getElementById("result") ? document.getElementById("result").dataset.ok : ""`)
			}
			if err == nil {
				html, err = chromedp.Run(browser, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
			}
			code := <-done
			failed := err != nil || code != tt.wantCode || ok.Value != tt.wantOK || !strings.Contains(html, tt.wantText)
			if failed {
				shot, _ = chromedp.Run(browser, chromedp.FullScreenshot(90))
				png := filepath.Join(t.ArtifactDir(), "page.png")
				_ = os.WriteFile(png, shot, 0o600)
				t.Errorf("chromedp: %v; exit %d (want %d); data-ok %q (want %q); screenshot %s\nstderr:\n%s\npage:\n%s",
					err, code, tt.wantCode, ok.Value, tt.wantOK, png, stderr, html)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			_, err = (&tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}).Load(t.Context(), emulatorProfile)
			if stored := err == nil; stored != (tt.wantCode == ExitOK) {
				t.Errorf("token stored = %v after %s", stored, tt.button)
			}
			for _, secret := range []string{"emu_at_", "emu_rt_", "emu_code_"} {
				if strings.Contains(html, secret) {
					t.Errorf("the page shows a %s… value", secret)
				}
			}
		})
	}
}

// A start link someone else opened first shows the person's chromium the
// error page, and the login ends with exit 1.
func TestLogin_RealBrowserOnAStartLinkUsedBefore(t *testing.T) {
	if testing.Short() {
		t.Skip("starts chromium")
	}
	browser := headless(t)
	d, stdout, stderr := storeDeps(t.TempDir(), nil, "")
	urls := make(chan string, 1)
	d.OpenBrowser = func(_ context.Context, _, url string) error {
		urls <- url
		return nil
	}
	redirect := "http://localhost:" + mustFreePort(t) + "/callback"
	done := make(chan int, 1)
	go func() {
		done <- Main(t.Context(), []string{"login", "--emulator", "--redirect-uri", redirect, "--timeout", "60s"}, d)
	}()
	link := <-urls
	if _, err := authorizeURLBehind(link); err != nil { // the other user
		t.Fatal(err)
	}
	err := chromedp.Do(browser, chromedp.Navigate(link))
	var html string
	if err == nil {
		html, err = chromedp.Run(browser, chromedp.Evaluate[string]("document.documentElement.outerHTML"))
	}
	if code := <-done; code != ExitFailure || err != nil || !strings.Contains(html, "This link was already used") || strings.Contains(html, "state=") {
		t.Errorf("chromedp: %v; exit %d (want %d)\nstderr:\n%s\npage:\n%s", err, code, ExitFailure, stderr, html)
	}
	if !strings.Contains(stderr.String(), "one-time link was opened a second time") || stdout.Len() != 0 {
		t.Errorf("stdout %q; stderr:\n%s", stdout, stderr)
	}
}

// click presses the element with this id the way a person would: a mouse
// click at its centre.
func click(ctx context.Context, id string) error {
	type rect struct {
		X float64 `json:"x"`
		Y float64 `json:"y"`
		W float64 `json:"w"`
		H float64 `json:"h"`
	}
	r, err := chromedp.Run(ctx, chromedp.Evaluate[rect](`(() => { const r = document.getElementById("`+id+`").getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; })()`))
	if err != nil {
		return err
	}
	return chromedp.Do(ctx, chromedp.MouseClickXY(r.X+r.W/2, r.Y+r.H/2))
}

// poll evaluates expr until it yields a non-empty string, riding out the
// navigations in between (a form post, redirects).
func poll(ctx context.Context, expr string) (string, error) {
	for {
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err == nil && v != "" {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func mustFreePort(t *testing.T) string {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
