package authflow

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/session"
)

// BenchmarkLoginOverhead runs whole logins against an in-process emulator
// and measures what kakao-auth itself adds once the browser comes back:
// from the moment the browser sends its request to the redirect URI (the
// loopback listener) until Login returns, minus the time the token
// endpoint's handler took. That window holds the callback handling, reading
// the session file back, the token call's client side and round trip, the
// page to the browser and the listener's shutdown.
//
// Metrics, each the median over the iterations of one run:
//
//	overhead-ns/login        the window above, minus the token endpoint
//	token-endpoint-ns/login  the emulator's /oauth/token handler time
//	after-page-ns/login      the part of the overhead after the browser got
//	                         the success page's response headers: finishing
//	                         the page, the listener's shutdown, removing the
//	                         session file
//	loopback-get-ns          one plain GET to an empty loopback handler on a
//	                         fresh connection, measured between logins: the
//	                         in-run floor to read the overhead against
//	lost-pages/login         the share of logins where Login succeeded but
//	                         the browser got no page (an error, not a timing)
//
// Every login dials fresh connections (idle ones are closed between
// iterations), as a new kakao-auth process and a browser coming back would.
// Nothing is asserted: bench/run.sh reports the figures.
func BenchmarkLoginOverhead(b *testing.B) {
	port := benchFreePort(b)
	redirect := "http://127.0.0.1:" + port + "/callback"
	emu := emulator.New(emulator.Config{AutoApprove: true, RedirectURIs: []string{redirect}})

	epoch := time.Now()
	since := func() int64 { return int64(time.Since(epoch)) } // monotonic

	var tokenNS atomic.Int64
	kauth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/token" {
			emu.ServeHTTP(w, r)
			return
		}
		t0 := time.Now()
		emu.ServeHTTP(w, r)
		tokenNS.Add(int64(time.Since(t0)))
	}))
	defer kauth.Close()
	empty := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer empty.Close()

	browserTransport := benchTransport()
	stamp := &benchSendStamp{base: browserTransport, host: "127.0.0.1:" + port, now: since}
	jar, _ := cookiejar.New(nil) // never fails without options
	ua := &emulator.UserAgent{Client: &http.Client{Jar: jar, Timeout: 10 * time.Second, Transport: stamp}}
	tokenTransport := benchTransport()
	emptyTransport := benchTransport()
	emptyClient := &http.Client{Timeout: 10 * time.Second, Transport: emptyTransport}

	visited := make(chan error, 1)
	opts := Options{
		ClientID:     emulator.DefaultClientID,
		AuthURL:      kauth.URL,
		APIURL:       kauth.URL,
		RedirectURIs: []string{redirect},
		Profile:      "default",
		Sessions:     session.Dir{Path: filepath.Join(b.TempDir(), "sessions")},
		Timeout:      10 * time.Second,
		Stderr:       io.Discard,
		HTTPClient:   &http.Client{Timeout: 30 * time.Second, Transport: tokenTransport},
		Open: func(ctx context.Context, url string) error {
			_, err := ua.Visit(ctx, url)
			visited <- err
			return err
		},
	}
	ctx := b.Context()
	overhead := make([]float64, 0, b.N)
	endpoint := make([]float64, 0, b.N)
	floor := make([]float64, 0, b.N)
	tail := make([]float64, 0, b.N)
	lost := 0

	b.ResetTimer()
	for range b.N {
		stamp.sent.Store(0)
		stamp.got.Store(0)
		tokenNS.Store(0)
		res, err := Login(ctx, opts)
		end := since()
		b.StopTimer()
		if err != nil {
			b.Fatalf("Login() = %v", err)
		}
		if err := <-visited; err != nil {
			// Login succeeded, but the browser got no page: a bug, counted
			// (and logged once) rather than fatal, so the timings survive.
			if lost == 0 {
				b.Logf("Login returned, but the browser did not get its page: %v", err)
			}
			lost++
		}
		if res.Token == nil || res.Token.AccessToken == "" {
			b.Fatal("login returned no access token")
		}
		sent, got, tok := stamp.sent.Load(), stamp.got.Load(), tokenNS.Load()
		if sent == 0 || got == 0 || tok == 0 {
			b.Fatalf("callback request seen: %v, finished: %v, token endpoint called: %v", sent != 0, got != 0, tok != 0)
		}
		overhead = append(overhead, float64(end-sent-tok))
		tail = append(tail, float64(end-got))
		endpoint = append(endpoint, float64(tok))
		browserTransport.CloseIdleConnections()
		tokenTransport.CloseIdleConnections()
		floor = append(floor, benchGet(b, emptyClient, empty.URL))
		emptyTransport.CloseIdleConnections()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(benchMedian(overhead), "overhead-ns/login")
	b.ReportMetric(benchMedian(endpoint), "token-endpoint-ns/login")
	b.ReportMetric(benchMedian(floor), "loopback-get-ns")
	b.ReportMetric(float64(lost)/float64(b.N), "lost-pages/login")
	b.ReportMetric(benchMedian(tail), "after-page-ns/login")
}

// benchSendStamp records when the browser sends a request to host (the
// loopback listener) and when the response headers are back (or the
// request failed), on the benchmark's monotonic clock.
type benchSendStamp struct {
	base http.RoundTripper
	host string
	now  func() int64
	sent atomic.Int64
	got  atomic.Int64
}

func (s *benchSendStamp) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Host == s.host {
		s.sent.Store(s.now())
	}
	resp, err := s.base.RoundTrip(r)
	if r.URL.Host == s.host {
		s.got.Store(s.now())
	}
	return resp, err
}

// benchTransport is a private copy of the default transport, so that
// closing its idle connections touches nothing else.
func benchTransport() *http.Transport {
	return http.DefaultTransport.(*http.Transport).Clone()
}

// benchGet times one GET of url, body read, in nanoseconds.
func benchGet(b *testing.B, c *http.Client, url string) float64 {
	b.Helper()
	t0 := time.Now()
	resp, err := c.Get(url)
	if err != nil {
		b.Fatal(err)
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(t0)
	if err != nil {
		b.Fatal(err)
	}
	return float64(d)
}

func benchFreePort(b *testing.B) string {
	b.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
}

func benchMedian(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}
