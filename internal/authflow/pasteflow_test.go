package authflow

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// approve plays a person approving on another device: it follows the
// authorize URL up to the redirect and returns the address the browser
// would end on, without visiting it.
func approve(t *testing.T, authURL string) string {
	t.Helper()
	resp, err := stoppingAtRedirects(&http.Client{Timeout: 10 * time.Second}).Get(authURL)
	if err != nil {
		t.Error(err)
		return ""
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if loc == "" {
		t.Errorf("authorize answered %s without a redirect", resp.Status)
	}
	return loc
}

// authURLFrom fishes the authorize URL out of what Login printed.
func authURLFrom(stderr string) string {
	for _, f := range strings.Fields(stderr) {
		if strings.Contains(f, "/oauth/authorize?") {
			return f
		}
	}
	return ""
}

// pasteHarness starts Login in paste-back mode and returns a writer for
// the person's paste and a channel with the outcome.
func pasteHarness(t *testing.T, h *harness) (io.WriteCloser, <-chan error) {
	t.Helper()
	pr, pw := io.Pipe()
	t.Cleanup(func() { pw.Close() })
	h.opts.Paste = pr
	done := make(chan error, 1)
	go func() {
		_, err := Login(t.Context(), h.opts)
		done <- err
	}()
	return pw, done
}

func waitForURL(t *testing.T, h *harness) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if u := authURLFrom(h.stderr.String()); u != "" {
			return u
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("Login never printed the authorize URL")
	return ""
}

func TestLogin_PasteBackWithARemoteRedirectURI(t *testing.T) {
	remote := "https://app.example.com/kakao/callback"
	h := newHarness(t, emulator.Config{AutoApprove: true, RedirectURIs: []string{remote}})
	h.opts.RedirectURIs = []string{remote}
	pw, done := pasteHarness(t, h)

	addr := approve(t, waitForURL(t, h))
	io.WriteString(pw, addr+"\n")
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v\n%s", err, h.stderr)
	}
	if !strings.Contains(h.stderr.String(), "Paste the address here") {
		t.Errorf("no paste prompt:\n%s", h.stderr)
	}
}

func TestLogin_PasteBackRefusesABadPasteWithoutRetry(t *testing.T) {
	for _, paste := range []string{"just-a-code", "http://127.0.0.1:1/callback?code=x&state=forged"} {
		t.Run(paste, func(t *testing.T) {
			h := newHarness(t, emulator.Config{AutoApprove: true})
			h.opts.RedirectURIs = []string{"http://127.0.0.1:1/callback"}
			h.emu.RegisterRedirectURI("http://127.0.0.1:1/callback")
			pw, done := pasteHarness(t, h)
			waitForURL(t, h)
			io.WriteString(pw, paste+"\n")
			err := <-done
			var pe *PasteError
			if !errors.As(err, &pe) {
				t.Fatalf("Login() = %v, want PasteError", err)
			}
			if st := h.emu.Stats(); st.CodeExchanges+st.TokenErrors != 0 {
				t.Errorf("a bad paste reached the token endpoint: %+v", st)
			}
		})
	}
}

func TestLogin_PasteBackRetriesOnATerminal(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.PasteRetry = true
	pw, done := pasteHarness(t, h)
	addr := approve(t, waitForURL(t, h))
	io.WriteString(pw, "a-bare-code\n\n")
	io.WriteString(pw, addr+"\n")
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v\n%s", err, h.stderr)
	}
	if !strings.Contains(h.stderr.String(), "bare code") {
		t.Errorf("the bad paste was not explained:\n%s", h.stderr)
	}
}

func TestLogin_PasteBackOfAnErrorWithoutStateIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	h.opts.PasteRetry = true
	pw, done := pasteHarness(t, h)
	addr := approve(t, waitForURL(t, h))
	go func() {
		// A login that ended at the first line reads no second one.
		io.WriteString(pw, h.redirect+"?error=access_denied&error_description=User%20denied%20access\n")
		io.WriteString(pw, addr+"\n")
	}()
	if err := <-done; err != nil {
		t.Fatalf("Login() = %v, want success after the address without state\n%s", err, h.stderr)
	}
	if !strings.Contains(h.stderr.String(), "no state") {
		t.Errorf("the paste without state was not explained:\n%s", h.stderr)
	}
}

func TestLogin_PasteBackAndListenerWhicheverComesFirst(t *testing.T) {
	t.Run("listener", func(t *testing.T) {
		h := newHarness(t, emulator.Config{AutoApprove: true})
		_, done := pasteHarness(t, h) // nothing is ever pasted
		if _, err := (&emulator.UserAgent{}).Visit(t.Context(), waitForURL(t, h)); err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatalf("Login() = %v", err)
		}
		h.assertCleanedUp(t)
	})
	t.Run("paste", func(t *testing.T) {
		h := newHarness(t, emulator.Config{AutoApprove: true})
		pw, done := pasteHarness(t, h)
		io.WriteString(pw, approve(t, waitForURL(t, h))+"\n")
		if err := <-done; err != nil {
			t.Fatalf("Login() = %v", err)
		}
		h.assertCleanedUp(t)
	})
}

func TestLogin_PasteBackAfterTheSessionExpired(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	now := time.Now()
	clock := now
	h.opts.Sessions.Now = func() time.Time { return clock }
	pw, done := pasteHarness(t, h)
	addr := approve(t, waitForURL(t, h))
	clock = now.Add(session.Lifetime + time.Second)
	io.WriteString(pw, addr+"\n")
	if err := <-done; !errors.Is(err, session.ErrExpired) {
		t.Fatalf("Login() = %v, want ErrExpired", err)
	}
}

func TestStartResume_TwoStepLogin(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	first, err := Start(h.opts)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Start(h.opts) // two pending at once
	if err != nil {
		t.Fatal(err)
	}
	addr1, addr2 := approve(t, first.AuthorizeURL), approve(t, second.AuthorizeURL)
	ctx := t.Context()
	for _, addr := range []string{addr2, addr1} {
		res, err := Resume(ctx, h.opts, addr)
		if err != nil {
			t.Fatalf("Resume() = %v", err)
		}
		if res.Token.AccessToken == "" || res.Session.RedirectURI != h.redirect {
			t.Errorf("Resume() = %+v", res)
		}
	}
	// Resuming again is refused: the session is gone, as the code is used.
	var re *ResumeError
	if _, err := Resume(ctx, h.opts, addr1); !errors.As(err, &re) {
		t.Errorf("second Resume() = %v, want ResumeError", err)
	}
	h.assertCleanedUp(t)
}

func TestResume_RefusesBadAddresses(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	if _, err := Start(h.opts); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for pasted, want := range map[string]any{
		"a-bare-code":                                     new(*PasteError),
		h.redirect + "?code=x":                            new(*PasteError),
		h.redirect + "?code=x&state=unknown":              new(*ResumeError),
		h.redirect + "?error=access_denied":               new(*PasteError),
		h.redirect + "?error=access_denied&state=unknown": new(*ResumeError),
	} {
		if _, err := Resume(ctx, h.opts, pasted); !errors.As(err, want) {
			t.Errorf("Resume(%q) = %v, want %T", pasted, err, want)
		}
	}
}

func TestResume_ExpiredSessionIsRefused(t *testing.T) {
	h := newHarness(t, emulator.Config{AutoApprove: true})
	now := time.Now()
	clock := now
	h.opts.Sessions.Now = func() time.Time { return clock }
	p, err := Start(h.opts)
	if err != nil {
		t.Fatal(err)
	}
	addr := approve(t, p.AuthorizeURL)
	clock = now.Add(session.Lifetime)
	var re *ResumeError
	if _, err := Resume(t.Context(), h.opts, addr); !errors.As(err, &re) || !strings.Contains(re.Reason, "expired") {
		t.Errorf("Resume() = %v, want ResumeError about expiry", err)
	}
	if st := h.emu.Stats(); st.CodeExchanges+st.TokenErrors != 0 {
		t.Errorf("an expired session reached the token endpoint: %+v", st)
	}
}
