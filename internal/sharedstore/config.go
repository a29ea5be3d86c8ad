package sharedstore

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Engine names, as they appear in a --store URL's scheme.
const (
	EngineEtcd  = "etcd"
	EngineRedis = "redis"
)

// DefaultPrefix is where the records live when the URL names none: one key
// per profile under DefaultPrefix+"profiles/", its lease under "locks/".
const DefaultPrefix = "kakao-auth/"

// maxSecretFile bounds what a *_FILE variable's file may hold.
const maxSecretFile = 64 << 10

// Config is a parsed --store URL plus the engine credentials read from the
// environment. Password is never printed: String and Addr leave it out.
type Config struct {
	Engine string // EngineEtcd or EngineRedis
	Host   string // host:port
	Prefix string // key prefix, always ending in "/"
	DB     int    // Redis database number
	TLS    bool   // rediss://, or etcd with a TLS variable set

	User     string
	Password string
	CACert   string // PEM file of the CA that signed the server's certificate
	Cert     string // PEM file of the client certificate
	Key      string // PEM file of the client certificate's key

	// LeaseTTL is how long a refresh lease outlives a holder that died
	// (KAKAO_AUTH_STORE_LEASE); 0: DefaultLeaseTTL.
	LeaseTTL time.Duration
}

// Lease bounds: a lease must outlast one refresh (Kakao's token call is
// bounded at 30 s), and a dead holder's must not stall a fleet for long.
const (
	minLeaseTTL = time.Second
	maxLeaseTTL = 10 * time.Minute
)

// IsURL reports whether a --store value names a shared engine, not one of
// the local backends.
func IsURL(s string) bool {
	scheme, _, ok := strings.Cut(s, "://")
	if !ok {
		return false
	}
	switch scheme {
	case "etcd", "redis", "rediss":
		return true
	}
	return false
}

// Parse reads a --store URL (etcd://HOST:PORT[/PREFIX],
// redis://[USER@]HOST:PORT[/DB], rediss://… for TLS) and the engine's
// credentials from getenv (os.Getenv when nil): see Variables. A password
// in the URL is accepted; a variable overrides it.
func Parse(raw string, getenv func(string) string) (*Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url's error quotes the whole URL, password included.
		return nil, fmt.Errorf("invalid store URL %s: not a URL", Redact(raw))
	}
	c := &Config{}
	switch u.Scheme {
	case "etcd":
		c.Engine = EngineEtcd
	case "redis", "rediss":
		c.Engine = EngineRedis
		c.TLS = u.Scheme == "rediss"
	default:
		return nil, fmt.Errorf("invalid store URL %s: the scheme must be etcd://, redis:// or rediss://", Redact(raw))
	}
	bad := func(why string) error {
		return fmt.Errorf("invalid store URL %s: %s", Redact(raw), why)
	}
	if u.Opaque != "" || u.Host == "" {
		return nil, bad("no HOST:PORT after " + u.Scheme + "://")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, bad("it must have no ?query or #fragment (credentials come from the environment)")
	}
	host, port, err := net.SplitHostPort(u.Host)
	if err != nil {
		return nil, bad("it needs HOST:PORT")
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return nil, bad("the port must be a number from 1 to 65535")
	}
	if host == "" {
		return nil, bad("the host is empty")
	}
	c.Host = net.JoinHostPort(host, port)
	if u.User != nil {
		c.User = u.User.Username()
		c.Password, _ = u.User.Password()
	}

	path := strings.TrimPrefix(u.Path, "/")
	switch c.Engine {
	case EngineEtcd:
		c.Prefix = DefaultPrefix
		if path != "" {
			c.Prefix = strings.TrimSuffix(path, "/") + "/"
		}
	case EngineRedis:
		c.Prefix = DefaultPrefix
		if path != "" {
			n, err := strconv.Atoi(path)
			if err != nil || n < 0 {
				return nil, bad("the path must be a database number (redis://HOST:PORT/DB)")
			}
			c.DB = n
		}
	}
	if err := c.readEnv(getenv); err != nil {
		return nil, err
	}
	if v := getenv("KAKAO_AUTH_STORE_LEASE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minLeaseTTL || d > maxLeaseTTL {
			return nil, fmt.Errorf("KAKAO_AUTH_STORE_LEASE must be a duration from %v to %v, like 60s, not %q", minLeaseTTL, maxLeaseTTL, v)
		}
		c.LeaseTTL = d
	}
	return c, nil
}

// Variables lists the environment variables Parse reads, for help.
var Variables = [][2]string{
	{"KAKAO_AUTH_STORE_LEASE", "how long a refresh lease outlives a kakao-auth killed while it refreshed\n(default 60s; keep it over 30s, the refresh's own time limit)"},
	{"KAKAO_AUTH_ETCD_USER", "etcd user name (or USER@ in the etcd:// URL)"},
	{"KAKAO_AUTH_ETCD_PASSWORD", "etcd password; KAKAO_AUTH_ETCD_PASSWORD_FILE names a file holding it"},
	{"KAKAO_AUTH_ETCD_CACERT", "PEM file of the CA of etcd's server certificate; setting it (or _CERT, or KAKAO_AUTH_ETCD_TLS=1) turns on TLS"},
	{"KAKAO_AUTH_ETCD_CERT, KAKAO_AUTH_ETCD_KEY", "PEM files of a client certificate and its key for etcd"},
	{"KAKAO_AUTH_REDIS_USER", "Redis ACL user (or USER@ in the redis:// URL)"},
	{"KAKAO_AUTH_REDIS_PASSWORD", "Redis password; KAKAO_AUTH_REDIS_PASSWORD_FILE names a file holding it"},
	{"KAKAO_AUTH_REDIS_CACERT", "PEM file of the CA of Redis's server certificate (rediss://)"},
	{"KAKAO_AUTH_REDIS_CERT, KAKAO_AUTH_REDIS_KEY", "PEM files of a client certificate and its key for Redis (rediss://)"},
}

// readEnv fills in the credentials from KAKAO_AUTH_ETCD_* or
// KAKAO_AUTH_REDIS_*.
func (c *Config) readEnv(getenv func(string) string) error {
	pre := "KAKAO_AUTH_ETCD_"
	if c.Engine == EngineRedis {
		pre = "KAKAO_AUTH_REDIS_"
	}
	if v := getenv(pre + "USER"); v != "" {
		c.User = v
	}
	pw, pwFile := getenv(pre+"PASSWORD"), getenv(pre+"PASSWORD_FILE")
	switch {
	case pw != "" && pwFile != "":
		return fmt.Errorf("both %sPASSWORD and %sPASSWORD_FILE are set; set one", pre, pre)
	case pw != "":
		c.Password = pw
	case pwFile != "":
		b, err := readSecretFile(pwFile)
		if err != nil {
			return fmt.Errorf("%sPASSWORD_FILE: %w", pre, err)
		}
		c.Password = b
	}
	c.CACert, c.Cert, c.Key = getenv(pre+"CACERT"), getenv(pre+"CERT"), getenv(pre+"KEY")
	if (c.Cert == "") != (c.Key == "") {
		return fmt.Errorf("%sCERT and %sKEY go together; set both or neither", pre, pre)
	}
	if c.Engine == EngineEtcd {
		tlsVar := getenv(pre + "TLS")
		c.TLS = c.CACert != "" || c.Cert != "" || tlsVar == "1" || tlsVar == "true"
	} else if !c.TLS && (c.CACert != "" || c.Cert != "") {
		return fmt.Errorf("%sCACERT or %sCERT is set but the URL is redis://; use rediss:// for TLS", pre, pre)
	}
	if c.Password != "" && c.Engine == EngineEtcd && c.User == "" {
		return fmt.Errorf("an etcd password is set but no user; set %sUSER", pre)
	}
	return nil
}

// readSecretFile returns the first line of a small file: the usual shape of
// a mounted secret, whose trailing newline is no part of the password.
func readSecretFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read %s: %w", path, errors.Unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSecretFile+1))
	switch {
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %w", path, err)
	case len(b) > maxSecretFile:
		return "", fmt.Errorf("%s is larger than %d bytes", path, maxSecretFile)
	}
	s, _, _ := strings.Cut(string(b), "\n")
	s = strings.TrimRight(s, "\r")
	if s == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return s, nil
}

// String is the store URL as it may be printed: no password, ever.
func (c *Config) String() string {
	scheme := c.Engine
	if c.Engine == EngineRedis && c.TLS {
		scheme = "rediss"
	}
	user := ""
	if c.User != "" {
		user = url.User(c.User).String() + "@"
	}
	switch c.Engine {
	case EngineRedis:
		return fmt.Sprintf("%s://%s%s/%d", scheme, user, c.Host, c.DB)
	default:
		return fmt.Sprintf("%s://%s%s/%s", scheme, user, c.Host, c.Prefix)
	}
}

// Redact returns raw, quoted, with any password in it replaced by "xxxxx"
// and any query or fragment (where a password might hide too) by "…", for
// a message about a URL that may not even parse.
func Redact(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return strconv.Quote(raw)
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		rest = rest[:i+1] + "…"
	}
	hostEnd := strings.IndexAny(rest, "/?#")
	if hostEnd < 0 {
		hostEnd = len(rest)
	}
	auth := rest[:hostEnd]
	if at := strings.LastIndex(auth, "@"); at >= 0 {
		userinfo := auth[:at]
		if user, _, hasPw := strings.Cut(userinfo, ":"); hasPw {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	return strconv.Quote(scheme + "://" + rest)
}
