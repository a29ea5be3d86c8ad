// Package enginetest starts real etcd and Redis servers for tests: each on
// free loopback ports with a private data directory, stopped when the test
// ends, as keyringtest starts a real keyring. There is no mock of either
// engine: a test of a shared store runs against the real server or skips.
//
// A test calls Etcd(t) or Redis(t); without the server's binary it skips
// with the reason, except under CI (keyringtest.InCI), where that is a
// failure. Stop, Kill and Start let fault tests take a server away and
// bring it back with its data.
package enginetest

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
)

// startTimeout bounds how long a server may take to become ready.
const startTimeout = 20 * time.Second

// Server is one running (or stopped) etcd or Redis.
type Server struct {
	Engine string // "etcd" or "redis"
	Host   string // 127.0.0.1:PORT of the client port
	Dir    string // its private data directory, kept across Stop/Start
	CACert string // WithTLS: the PEM file of the CA of its certificate
	// WithClientCerts: a client certificate the server accepts, and its key
	ClientCert, ClientKey string

	t        testing.TB
	bin      string
	args     []string
	password string
	tls      bool
	mtls     bool
	noAOF    bool
	cmd      *exec.Cmd
	exited   chan struct{}
	log      *os.File
}

// Option changes how a server is started.
type Option func(*Server)

// WithoutAppendOnly starts Redis with appendonly no, as its default is.
func WithoutAppendOnly() Option { return func(s *Server) { s.noAOF = true } }

// WithPassword makes Redis require password (requirepass) from the start.
func WithPassword(password string) Option { return func(s *Server) { s.password = password } }

// require returns the path of binary or skips (fails under CI) t.
func require(t testing.TB, binary, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(binary)
	if err == nil {
		return path
	}
	if keyringtest.InCI() {
		t.Fatalf("CI is set but %s is not installed (apt-get install %s)", binary, pkg)
	}
	t.Skipf("%s is not installed (apt-get install %s to run this test)", binary, pkg)
	return ""
}

// Etcd starts a one-member etcd cluster on free loopback ports.
func Etcd(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin := require(t, "etcd", "etcd-server")
	s := newServer(t, "etcd", bin, opts)
	peer := "127.0.0.1:" + FreePort(t)
	scheme := "http://"
	var tlsArgs []string
	if s.tls {
		var cert, key string
		s.CACert, cert, key = s.makeCerts(t, s.Dir)
		scheme = "https://"
		tlsArgs = []string{"--cert-file", cert, "--key-file", key}
		if s.mtls {
			tlsArgs = append(tlsArgs, "--client-cert-auth", "--trusted-ca-file", s.CACert)
		}
	}
	s.args = []string{
		"--name", "test",
		"--data-dir", filepath.Join(s.Dir, "data"),
		"--listen-client-urls", scheme + s.Host,
		"--advertise-client-urls", scheme + s.Host,
		"--listen-peer-urls", "http://" + peer,
		"--initial-advertise-peer-urls", "http://" + peer,
		"--initial-cluster", "test=http://" + peer,
		"--initial-cluster-state", "new",
		"--log-level", "warn",
	}
	s.args = append(s.args, tlsArgs...)
	s.Start()
	return s
}

// Redis starts a redis-server on a free loopback port, with appendonly on
// (so a restart keeps what was written) and no RDB snapshots.
func Redis(t testing.TB, opts ...Option) *Server {
	t.Helper()
	bin := require(t, "redis-server", "redis-server")
	s := newServer(t, "redis", bin, opts)
	_, port, _ := net.SplitHostPort(s.Host)
	s.args = []string{"--port", port}
	if s.tls {
		ca, cert, key := s.makeCerts(t, s.Dir)
		s.CACert = ca
		auth := "no"
		if s.mtls {
			auth = "yes"
		}
		s.args = []string{"--port", "0", "--tls-port", port, "--tls-cert-file", cert, "--tls-key-file", key,
			"--tls-ca-cert-file", ca, "--tls-auth-clients", auth}
	}
	s.args = append(s.args,
		"--bind", "127.0.0.1", "--dir", s.Dir,
		"--appendonly", "yes", "--appendfsync", "always", "--save", "",
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning")
	if s.noAOF {
		s.args = append(s.args, "--appendonly", "no")
	}
	if s.password != "" {
		// On the command line, but only of a throwaway test server.
		s.args = append(s.args, "--requirepass", s.password)
	}
	s.Start()
	return s
}

func newServer(t testing.TB, engine, bin string, opts []Option) *Server {
	s := &Server{Engine: engine, Host: "127.0.0.1:" + FreePort(t), Dir: t.TempDir(), t: t, bin: bin}
	for _, o := range opts {
		o(s)
	}
	t.Cleanup(s.Kill)
	return s
}

// URL is the server's --store URL, with no credentials (rediss:// for a
// Redis WithTLS; etcd's TLS is turned on by KAKAO_AUTH_ETCD_CACERT).
func (s *Server) URL() string {
	if s.tls && s.Engine == "redis" {
		return "rediss://" + s.Host
	}
	return s.Engine + "://" + s.Host
}

// Start starts the server (again, with the same data and port) and waits
// until it answers.
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatalf("%s at %s is already running", s.Engine, s.Host)
	}
	log, err := os.OpenFile(filepath.Join(s.Dir, s.Engine+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		s.t.Fatal(err)
	}
	cmd := exec.Command(s.bin, s.args...)
	cmd.Dir = s.Dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = dieWithParent()
	if err := cmd.Start(); err != nil {
		log.Close()
		s.t.Fatalf("start %s: %v", s.Engine, err)
	}
	s.cmd, s.log, s.exited = cmd, log, make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	if err := s.waitReady(); err != nil {
		s.Kill()
		s.t.Fatalf("%s at %s did not start: %v\n%s", s.Engine, s.Host, err, s.Log())
	}
}

// Log returns what the server has printed, for a failure message.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, s.Engine+".log"))
	return string(b)
}

// Stop ends the server as an operator would (SIGTERM) and waits for it.
func (s *Server) Stop() { s.end(syscall.SIGTERM) }

// Kill ends the server at once (SIGKILL); the tests' cleanup does this.
func (s *Server) Kill() { s.end(syscall.SIGKILL) }

func (s *Server) end(sig syscall.Signal) {
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(sig)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		s.cmd.Process.Kill()
		<-s.exited
	}
	s.log.Close()
	s.cmd, s.log = nil, nil
}

func (s *Server) waitReady() error {
	deadline := time.Now().Add(startTimeout)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return errors.New("it exited")
		default:
		}
		if last = s.ping(); last == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("no answer within %v: %v", startTimeout, last)
}

// ping asks the server once whether it serves clients.
func (s *Server) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if s.Engine == "etcd" {
		// /health answers once the member has a leader.
		scheme, hc := "http://", http.DefaultClient
		if s.tls {
			scheme, hc = "https://", &http.Client{Transport: &http.Transport{TLSClientConfig: s.clientTLS()}}
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, scheme+s.Host+"/health", nil)
		resp, err := hc.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("health: HTTP %d", resp.StatusCode)
		}
		return nil
	}
	var conn net.Conn
	var err error
	if s.tls {
		conn, err = (&tls.Dialer{Config: s.clientTLS()}).DialContext(ctx, "tcp", s.Host)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.Host)
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	fmt.Fprintf(conn, "PING\r\n")
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	// -NOAUTH from a server with a password: it is up all the same.
	if strings.HasPrefix(line, "+PONG") || strings.HasPrefix(line, "-NOAUTH") {
		return nil
	}
	return fmt.Errorf("PING: %q", strings.TrimSpace(line))
}

// EnableEtcdAuth adds the root user with password and turns etcd's
// authentication on, through its v3 JSON gateway.
func (s *Server) EnableEtcdAuth(password string) {
	s.t.Helper()
	steps := []struct{ path, body string }{
		{"/v3/auth/user/add", `{"name":"root","password":` + strconv.Quote(password) + `}`},
		{"/v3/auth/role/add", `{"name":"root"}`},
		{"/v3/auth/user/grant", `{"user":"root","role":"root"}`},
		{"/v3/auth/enable", `{}`},
	}
	for _, st := range steps {
		resp, err := http.Post("http://"+s.Host+st.path, "application/json", strings.NewReader(st.body))
		if err != nil {
			s.t.Fatalf("etcd %s: %v", st.path, err)
		}
		resp.Body.Close()
		// role/add of the built-in root role may be refused as existing.
		if resp.StatusCode != http.StatusOK && st.path != "/v3/auth/role/add" {
			s.t.Fatalf("etcd %s: HTTP %d", st.path, resp.StatusCode)
		}
	}
}

// FreePort is a loopback TCP port free right now, from below the ephemeral
// range (Linux's starts at 32768), where the system never hands out ports
// of its own, so no ":0" listener can take it before the server binds it.
func FreePort(t testing.TB) string {
	t.Helper()
	const lo, hi = 20000, 32000
	for range 200 {
		port := strconv.Itoa(lo + rand.IntN(hi-lo))
		ln, err := net.Listen("tcp", "127.0.0.1:"+port)
		if err != nil {
			continue
		}
		ln.Close()
		return port
	}
	t.Fatal("no free loopback port between 20000 and 32000")
	return ""
}
