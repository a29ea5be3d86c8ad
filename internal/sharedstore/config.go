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
	if v := getenv(EnvLease); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < minLeaseTTL || d > maxLeaseTTL {
			return nil, fmt.Errorf(EnvLease+" must be a duration from %v to %v, like 60s, not %q", minLeaseTTL, maxLeaseTTL, v)
		}
		c.LeaseTTL = d
	}
	return c, nil
}

// The environment variables Parse reads. Each is named in full, here and
// where it is read, so that "kakao-auth help environment" can be checked
// against the code.
const (
	EnvLease            = "KAKAO_AUTH_STORE_LEASE"
	EnvEtcdUser         = "KAKAO_AUTH_ETCD_USER"
	EnvEtcdPassword     = "KAKAO_AUTH_ETCD_PASSWORD"
	EnvEtcdPasswordFile = "KAKAO_AUTH_ETCD_PASSWORD_FILE"
	EnvEtcdCACert       = "KAKAO_AUTH_ETCD_CACERT"
	EnvEtcdCert         = "KAKAO_AUTH_ETCD_CERT"
	EnvEtcdKey          = "KAKAO_AUTH_ETCD_KEY"
	EnvEtcdTLS          = "KAKAO_AUTH_ETCD_TLS"

	EnvRedisUser         = "KAKAO_AUTH_REDIS_USER"
	EnvRedisPassword     = "KAKAO_AUTH_REDIS_PASSWORD"
	EnvRedisPasswordFile = "KAKAO_AUTH_REDIS_PASSWORD_FILE"
	EnvRedisCACert       = "KAKAO_AUTH_REDIS_CACERT"
	EnvRedisCert         = "KAKAO_AUTH_REDIS_CERT"
	EnvRedisKey          = "KAKAO_AUTH_REDIS_KEY"
)

// Variables describes every variable Parse reads, for help.
var Variables = [][2]string{
	{EnvLease, "how long a refresh lease outlives a kakao-auth killed while it refreshed\n(default 60s; keep it over 30s, the refresh's own time limit)"},
	{EnvEtcdUser, "etcd user (or USER@ in the etcd:// URL)"},
	{EnvEtcdPassword, "etcd password (a password in the URL works too, and is never printed)"},
	{EnvEtcdPasswordFile, "a file holding the etcd password (its first line)"},
	{EnvEtcdCACert, "PEM file of the CA of etcd's server certificate; turns on TLS"},
	{EnvEtcdCert, "PEM file of a client certificate for etcd (with " + EnvEtcdKey + "); turns on TLS"},
	{EnvEtcdKey, "PEM file of that certificate's key"},
	{EnvEtcdTLS, "1 or true: TLS to etcd with the system's CAs"},
	{EnvRedisUser, "Redis ACL user (or USER@ in the redis:// URL)"},
	{EnvRedisPassword, "Redis password (a password in the URL works too, and is never printed)"},
	{EnvRedisPasswordFile, "a file holding the Redis password (its first line)"},
	{EnvRedisCACert, "PEM file of the CA of Redis's server certificate (rediss://)"},
	{EnvRedisCert, "PEM file of a client certificate for Redis (with " + EnvRedisKey + "; rediss://)"},
	{EnvRedisKey, "PEM file of that certificate's key"},
}

// engineEnv is what one engine's variables hold.
type engineEnv struct {
	user, password, passwordFile, caCert, cert, key, tls string
	// names of the password, password file, cert, key and user variables,
	// for messages
	nPassword, nPasswordFile, nCACert, nCert, nKey, nUser string
}

// readEngineEnv reads the variables of c's engine.
func (c *Config) readEngineEnv(getenv func(string) string) engineEnv {
	if c.Engine == EngineEtcd {
		return engineEnv{
			user: getenv(EnvEtcdUser), password: getenv(EnvEtcdPassword), passwordFile: getenv(EnvEtcdPasswordFile),
			caCert: getenv(EnvEtcdCACert), cert: getenv(EnvEtcdCert), key: getenv(EnvEtcdKey), tls: getenv(EnvEtcdTLS),
			nPassword: EnvEtcdPassword, nPasswordFile: EnvEtcdPasswordFile, nCACert: EnvEtcdCACert, nCert: EnvEtcdCert, nKey: EnvEtcdKey, nUser: EnvEtcdUser,
		}
	}
	return engineEnv{
		user: getenv(EnvRedisUser), password: getenv(EnvRedisPassword), passwordFile: getenv(EnvRedisPasswordFile),
		caCert: getenv(EnvRedisCACert), cert: getenv(EnvRedisCert), key: getenv(EnvRedisKey),
		nPassword: EnvRedisPassword, nPasswordFile: EnvRedisPasswordFile, nCACert: EnvRedisCACert, nCert: EnvRedisCert, nKey: EnvRedisKey, nUser: EnvRedisUser,
	}
}

// readEnv fills in the credentials from the engine's variables.
func (c *Config) readEnv(getenv func(string) string) error {
	e := c.readEngineEnv(getenv)
	if e.user != "" {
		c.User = e.user
	}
	switch {
	case e.password != "" && e.passwordFile != "":
		return fmt.Errorf("both %s and %s are set; set one", e.nPassword, e.nPasswordFile)
	case e.password != "":
		c.Password = e.password
	case e.passwordFile != "":
		b, err := readSecretFile(e.passwordFile)
		if err != nil {
			return fmt.Errorf("%s: %w", e.nPasswordFile, err)
		}
		c.Password = b
	}
	c.CACert, c.Cert, c.Key = e.caCert, e.cert, e.key
	if (c.Cert == "") != (c.Key == "") {
		return fmt.Errorf("%s and %s go together; set both or neither", e.nCert, e.nKey)
	}
	if c.Engine == EngineEtcd {
		c.TLS = c.CACert != "" || c.Cert != "" || e.tls == "1" || e.tls == "true"
	} else if !c.TLS && (c.CACert != "" || c.Cert != "") {
		return fmt.Errorf("%s or %s is set but the URL is redis://; use rediss:// for TLS", e.nCACert, e.nCert)
	}
	if c.Password != "" && c.Engine == EngineEtcd && c.User == "" {
		return fmt.Errorf("an etcd password is set but no user; set %s", e.nUser)
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
