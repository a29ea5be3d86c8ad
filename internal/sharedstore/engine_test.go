package sharedstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/enginetest"
)

// engines are the real servers every engine test runs against.
var engines = []struct {
	name  string
	start func(testing.TB, ...enginetest.Option) *enginetest.Server
}{
	{"etcd", enginetest.Etcd},
	{"redis", enginetest.Redis},
}

// forEngine runs test as a parallel-safe subtest per engine, each with a
// server of its own.
func forEngine(t *testing.T, test func(t *testing.T, srv *enginetest.Server, e Engine)) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			test(t, srv, openEngine(t, srv.URL(), nil))
		})
	}
}

func openEngine(t testing.TB, url string, env map[string]string) Engine {
	t.Helper()
	c, err := Parse(url, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	e, err := Open(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	return e
}

func TestEngine_CompareAndSwapRefusesAStaleVersion(t *testing.T) {
	forEngine(t, func(t *testing.T, _ *enginetest.Server, e Engine) {
		ctx := t.Context()
		const key = "kakao-auth/profiles/p"
		mustCAS := func(v Version, value string, want bool) {
			t.Helper()
			ok, err := e.CompareAndSwap(ctx, key, v, []byte(value))
			if err != nil || ok != want {
				t.Fatalf("CompareAndSwap(%q, %q) = %v, %v; want %v", v, value, ok, err, want)
			}
		}
		get := func() (string, Version) {
			t.Helper()
			b, v, err := e.Get(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			return string(b), v
		}
		if got, v := get(); got != "" || v != "" {
			t.Fatalf("Get of a new key = %q, %q; want nothing", got, v)
		}
		mustCAS("", "one", true)
		mustCAS("", "again", false) // create only if absent
		val1, v1 := get()
		if val1 != "one" || v1 == "" {
			t.Fatalf("Get = %q, %q", val1, v1)
		}
		mustCAS(v1, "two", true)
		_, v2 := get()
		mustCAS(v1, "lost update", false) // read before "two" was written
		if got, _ := get(); got != "two" {
			t.Fatalf("after a stale write the value is %q, want two", got)
		}
		if ok, err := e.DeleteIf(ctx, key, v1); ok || err != nil {
			t.Fatalf("DeleteIf(stale) = %v, %v; want false", ok, err)
		}
		if ok, err := e.DeleteIf(ctx, key, v2); !ok || err != nil {
			t.Fatalf("DeleteIf(current) = %v, %v; want true", ok, err)
		}
		if got, v := get(); got != "" || v != "" {
			t.Fatalf("after DeleteIf: %q, %q", got, v)
		}
	})
}

func TestEngine_ConcurrentWritersLoseNoUpdate(t *testing.T) {
	// Each writer is its own client (its own connection), as separate
	// runners are; each increments the counter 10 times with read →
	// compare-and-set, retrying on a conflict.
	forEngine(t, func(t *testing.T, srv *enginetest.Server, _ Engine) {
		const writers, rounds = 8, 10
		const key = "kakao-auth/profiles/counter"
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for range writers {
			e := openEngine(t, srv.URL(), nil)
			wg.Go(func() {
				for range rounds {
					for {
						b, v, err := e.Get(t.Context(), key)
						if err != nil {
							errs <- err
							return
						}
						n := 0
						fmt.Sscan(string(b), &n)
						ok, err := e.CompareAndSwap(t.Context(), key, v, fmt.Appendf(nil, "%d", n+1))
						if err != nil {
							errs <- err
							return
						}
						if ok {
							break
						}
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		b, _, err := openEngine(t, srv.URL(), nil).Get(t.Context(), key)
		if err != nil || string(b) != fmt.Sprint(writers*rounds) {
			t.Fatalf("counter = %q, %v; want %d", b, err, writers*rounds)
		}
	})
}

func TestEngine_ListReturnsOnlyKeysUnderThePrefix(t *testing.T) {
	forEngine(t, func(t *testing.T, _ *enginetest.Server, e Engine) {
		for _, k := range []string{"a*/profiles/x", "a*/profiles/y", "ab/profiles/z", "a*/locks/x", "a*/profilesX"} {
			if ok, err := e.CompareAndSwap(t.Context(), k, "", []byte("v")); !ok || err != nil {
				t.Fatal(k, ok, err)
			}
		}
		got, err := e.List(t.Context(), "a*/profiles/")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff([]string{"a*/profiles/x", "a*/profiles/y"}, got); diff != "" {
			t.Errorf("List mismatch (-want +got):\n%s", diff)
		}
	})
}

func TestEngine_LeaseIsReleasedOnlyByItsOwner(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, a Engine) {
		b := openEngine(t, srv.URL(), nil)
		ctx := t.Context()
		const key = "kakao-auth/locks/p"
		// a takes a short lease and lets it expire; b takes it then.
		releaseA, err := a.Acquire(ctx, key, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Acquire(ctx, key, time.Minute); !errors.Is(err, ErrHeld) {
			t.Fatalf("second Acquire = %v, want ErrHeld", err)
		}
		releaseB, err := Acquire(ctx, b, key, time.Minute, 10*time.Second)
		if err != nil {
			t.Fatalf("Acquire after the first lease's TTL: %v", err)
		}
		// a's late release must not free b's lease.
		if err := releaseA(ctx); err != nil {
			t.Fatalf("late release: %v", err)
		}
		if _, err := a.Acquire(ctx, key, time.Minute); !errors.Is(err, ErrHeld) {
			t.Fatalf("Acquire after a stale owner's release = %v, want ErrHeld (b still holds it)", err)
		}
		if err := releaseB(ctx); err != nil {
			t.Fatal(err)
		}
		release, err := a.Acquire(ctx, key, time.Minute)
		if err != nil {
			t.Fatalf("Acquire after the owner's release: %v", err)
		}
		release(ctx)
	})
}

func TestEngine_LeaseOfAKilledHolderExpiresWithinItsTTL(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, e Engine) {
		const key, ttl = "kakao-auth/locks/p", 3 * time.Second
		holder := exec.Command(os.Args[0], "-test.run=^$")
		holder.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %v", envHold, srv.URL(), key, ttl))
		out, err := holder.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		holder.Stderr = os.Stderr
		if err := holder.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "held\n" {
			holder.Process.Kill()
			holder.Wait()
			t.Fatalf("holder said %q, want held", line)
		}
		holder.Process.Kill() // SIGKILL: no release, no clean close
		holder.Wait()
		killed := time.Now()

		if _, err := e.Acquire(t.Context(), key, ttl); !errors.Is(err, ErrHeld) {
			t.Fatalf("Acquire right after the kill = %v, want ErrHeld", err)
		}
		release, err := Acquire(t.Context(), e, key, ttl, 3*ttl)
		if err != nil {
			t.Fatalf("Acquire after the holder died: %v", err)
		}
		defer release(context.Background())
		// etcd counts a lease's TTL from its grant, on whole seconds.
		if waited := time.Since(killed); waited > ttl+time.Second {
			t.Errorf("the lease of a killed holder lasted %v, over its TTL %v", waited, ttl)
		}
	})
}

func TestEngine_UnreachableServerFailsFastNamingIt(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() { // accepts, then never answers
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	dead := "127.0.0.1:" + enginetest.FreePort(t)
	for _, tc := range []struct{ url, addr string }{
		{"etcd://" + dead, dead},
		{"redis://" + dead, dead},
		{"etcd://" + silent.Addr().String(), silent.Addr().String()},
		{"redis://" + silent.Addr().String(), silent.Addr().String()},
	} {
		t.Run(tc.url, func(t *testing.T) {
			e := openEngine(t, tc.url, nil)
			start := time.Now()
			_, _, err := e.Get(t.Context(), "k")
			took := time.Since(start)
			var ee *EngineError
			if !errors.As(err, &ee) || ee.Kind != KindUnreachable {
				t.Fatalf("Get = %v, want an unreachable *EngineError", err)
			}
			if took > callTimeout+time.Second {
				t.Errorf("took %v to fail", took)
			}
			msg := err.Error()
			if !strings.Contains(msg, e.Name()+" at "+tc.addr) || !strings.Contains(ee.Hint(), "never falls back") {
				t.Errorf("message %q / hint %q should name the engine and address and say there is no fallback", msg, ee.Hint())
			}
		})
	}
}

func TestEngine_WrongPasswordIsAnAuthErrorWithoutThePassword(t *testing.T) {
	const right, wrong = "right-pw-1234", "wrong-pw-5678"
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			var srv *enginetest.Server
			user := ""
			if eng.name == "etcd" {
				srv = eng.start(t)
				srv.EnableEtcdAuth(right)
				user = "root"
			} else {
				srv = eng.start(t, enginetest.WithPassword(right))
			}
			pre := "KAKAO_AUTH_" + strings.ToUpper(eng.name) + "_"
			for _, tc := range []struct {
				name string
				env  map[string]string
			}{
				{"wrong", map[string]string{pre + "USER": user, pre + "PASSWORD": wrong}},
				{"none", map[string]string{}},
			} {
				e := openEngine(t, srv.URL(), tc.env)
				_, _, err := e.Get(t.Context(), "k")
				var ee *EngineError
				if !errors.As(err, &ee) || ee.Kind != KindAuth {
					t.Fatalf("%s password: Get = %v, want an auth *EngineError", tc.name, err)
				}
				if strings.Contains(err.Error(), wrong) || strings.Contains(ee.Hint(), wrong) {
					t.Errorf("the error shows the password: %v", err)
				}
				if !strings.Contains(ee.Hint(), pre+"PASSWORD") {
					t.Errorf("hint %q should name %sPASSWORD", ee.Hint(), pre)
				}
			}
			e := openEngine(t, srv.URL(), map[string]string{pre + "USER": user, pre + "PASSWORD": right})
			if ok, err := e.CompareAndSwap(t.Context(), "k", "", []byte("v")); !ok || err != nil {
				t.Fatalf("with the right password: %v, %v", ok, err)
			}
		})
	}
}

func TestEngine_AClientKeepsWorkingAcrossAServerRestart(t *testing.T) {
	forEngine(t, func(t *testing.T, srv *enginetest.Server, e Engine) {
		if ok, err := e.CompareAndSwap(t.Context(), "k", "", []byte("v")); !ok || err != nil {
			t.Fatal(ok, err)
		}
		srv.Kill()
		srv.Start()
		b, _, err := e.Get(t.Context(), "k")
		if err != nil || string(b) != "v" {
			t.Fatalf("Get after a restart = %q, %v; want the value written before it", b, err)
		}
	})
}

func TestEngine_TLSWithTheServersCAAndWithoutIt(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t, enginetest.WithTLS())
			pre := "KAKAO_AUTH_" + strings.ToUpper(eng.name) + "_"
			e := openEngine(t, srv.URL(), map[string]string{pre + "CACERT": srv.CACert})
			if ok, err := e.CompareAndSwap(t.Context(), "k", "", []byte("v")); !ok || err != nil {
				t.Fatalf("over TLS with the server's CA: %v, %v", ok, err)
			}
			// The system's CAs do not know the test's.
			untrusting := openEngine(t, srv.URL(), map[string]string{"KAKAO_AUTH_ETCD_TLS": "1"})
			_, _, err := untrusting.Get(t.Context(), "k")
			var ee *EngineError
			if !errors.As(err, &ee) || ee.Kind != KindTLS || !strings.Contains(ee.Hint(), pre+"CACERT") {
				t.Fatalf("without the CA: %v, want a TLS *EngineError whose hint names %sCACERT", err, pre)
			}
		})
	}
}

func TestEngine_ClientCertificateFromTheEnvironment(t *testing.T) {
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t, enginetest.WithClientCerts())
			pre := "KAKAO_AUTH_" + strings.ToUpper(eng.name) + "_"
			withCert := openEngine(t, srv.URL(), map[string]string{pre + "CACERT": srv.CACert, pre + "CERT": srv.ClientCert, pre + "KEY": srv.ClientKey})
			if ok, err := withCert.CompareAndSwap(t.Context(), "k", "", []byte("v")); !ok || err != nil {
				t.Fatalf("with the client certificate: %v, %v", ok, err)
			}
			without := openEngine(t, srv.URL(), map[string]string{pre + "CACERT": srv.CACert})
			_, _, err := without.Get(t.Context(), "k")
			var ee *EngineError
			if !errors.As(err, &ee) {
				t.Fatalf("without a client certificate: %v, want an *EngineError", err)
			}
			// Under TLS 1.3 the server's refusal comes after the client's
			// handshake is done: Redis's alert can lose the race with its
			// closed connection (a reset), so only etcd's is sure to be read.
			if (eng.name == "etcd" || ee.Kind == KindTLS) && (ee.Kind != KindTLS || !strings.Contains(ee.Hint(), pre+"CERT and "+pre+"KEY")) {
				t.Fatalf("without a client certificate: %v (hint %q), want a TLS error whose hint names %sCERT and %sKEY", err, ee.Hint(), pre, pre)
			}
		})
	}
}
