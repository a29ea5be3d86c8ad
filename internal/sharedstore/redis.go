package sharedstore

import (
	"bufio"
	"context"
	"crypto/sha1"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Lua scripts, each atomic on the server. A version is the SHA-1 of the
// value (redis.sha1hex), "" for an absent key: the value itself is the
// state, so "unchanged since the read" is "the same bytes".
const (
	casScript = `local cur = redis.call('GET', KEYS[1])
if ARGV[1] == '' then
  if cur then return 0 end
elseif (not cur) or redis.sha1hex(cur) ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[2])
return 1`
	delScript = `local cur = redis.call('GET', KEYS[1])
if (not cur) or redis.sha1hex(cur) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`
	releaseScript = `if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0`
)

// redis is one connection to a Redis server, made on first use and made
// again after any failure. Calls take turns on it.
type redis struct {
	cfg *Config
	tls *tls.Config

	mu   sync.Mutex
	conn net.Conn
	rw   *bufio.ReadWriter
}

func newRedis(c *Config) (*redis, error) {
	r := &redis{cfg: c}
	if c.TLS {
		tc, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		r.tls = tc
	}
	return r, nil
}

func (r *redis) Name() string { return EngineRedis }
func (r *redis) Addr() string { return r.cfg.Host }

func (r *redis) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.drop()
	return nil
}

func (r *redis) drop() {
	if r.conn != nil {
		r.conn.Close()
		r.conn, r.rw = nil, nil
	}
}

func (r *redis) fail(op, kind string, err error) error {
	return &EngineError{Engine: EngineRedis, Addr: r.cfg.Host, Op: op, Kind: kind, Err: err}
}

// do sends one command and reads its reply, connecting first if needed.
// A server's error reply is returned as a respError wrapped in an
// *EngineError; the connection stays usable. Any other failure drops it.
func (r *redis) do(ctx context.Context, op string, args ...string) (any, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	r.mu.Lock()
	defer r.mu.Unlock()
	reused := r.conn != nil
	reply, err := r.roundTrip(ctx, op, args)
	if reused && isStale(err) {
		// The server closed a connection kept from an earlier call (it
		// restarted, or timed the idle client out) before this command
		// reached it: once more on a new connection.
		reply, err = r.roundTrip(ctx, op, args)
	}
	return reply, err
}

// isStale reports whether err is a connection the server had closed.
func isStale(err error) bool {
	var ee *EngineError
	return errors.As(err, &ee) && ee.Kind == KindUnreachable &&
		(errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE))
}

// roundTrip is do's one try, on r's connection or a new one.
func (r *redis) roundTrip(ctx context.Context, op string, args []string) (any, error) {
	if r.conn == nil {
		if err := r.connect(ctx); err != nil {
			return nil, err
		}
	}
	conn := r.conn
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// A cancelled ctx ends a blocked read at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := writeCommand(r.rw.Writer, args...); err != nil {
		r.drop()
		return nil, r.fail(op, KindUnreachable, err)
	}
	reply, err := readReply(r.rw.Reader)
	var re respError
	if errors.As(err, &re) {
		return nil, r.fail(op, replyKind(re), re)
	}
	if err != nil {
		r.drop()
		return nil, r.fail(op, kindOf(err), err)
	}
	return reply, nil
}

// replyKind tells a refused login from other error replies.
func replyKind(re respError) string {
	code, _, _ := strings.Cut(string(re), " ")
	switch code {
	case "WRONGPASS", "NOAUTH", "NOPERM":
		return KindAuth
	}
	if strings.Contains(string(re), "invalid password") || strings.Contains(string(re), "without any password configured") {
		return KindAuth
	}
	return KindRefused
}

// connect dials, then logs in (AUTH) and picks the database (SELECT).
func (r *redis) connect(ctx context.Context) error {
	dctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	var conn net.Conn
	var err error
	if r.tls != nil {
		conn, err = (&tls.Dialer{Config: r.tls, NetDialer: &net.Dialer{}}).DialContext(dctx, "tcp", r.cfg.Host)
	} else {
		conn, err = (&net.Dialer{}).DialContext(dctx, "tcp", r.cfg.Host)
	}
	if err != nil {
		kind := kindOf(err)
		if kind != KindTLS {
			kind = KindUnreachable
		}
		return r.fail("connect", kind, err)
	}
	r.conn = conn
	r.rw = bufio.NewReadWriter(bufio.NewReader(conn), bufio.NewWriter(conn))
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	var steps [][]string
	switch {
	case r.cfg.Password != "" && r.cfg.User != "":
		steps = append(steps, []string{"AUTH", r.cfg.User, r.cfg.Password})
	case r.cfg.Password != "":
		steps = append(steps, []string{"AUTH", r.cfg.Password})
	}
	if r.cfg.DB != 0 {
		steps = append(steps, []string{"SELECT", strconv.Itoa(r.cfg.DB)})
	}
	for _, args := range steps {
		if err := writeCommand(r.rw.Writer, args...); err != nil {
			r.drop()
			return r.fail("connect", kindOf(err), err)
		}
		_, err := readReply(r.rw.Reader)
		if err != nil {
			r.drop()
			var re respError
			if errors.As(err, &re) {
				return r.fail("connect", replyKind(re), re)
			}
			return r.fail("connect", kindOf(err), err)
		}
	}
	return nil
}

func sha1hex(b []byte) Version {
	sum := sha1.Sum(b)
	return Version(hex.EncodeToString(sum[:]))
}

func (r *redis) Get(ctx context.Context, key string) ([]byte, Version, error) {
	reply, err := r.do(ctx, "read", "GET", key)
	if err != nil {
		return nil, "", err
	}
	switch v := reply.(type) {
	case nilReply:
		return nil, "", nil
	case string:
		return []byte(v), sha1hex([]byte(v)), nil
	}
	return nil, "", r.fail("read", KindRefused, errors.New("unexpected reply to GET"))
}

func (r *redis) eval(ctx context.Context, op, script string, key string, args ...string) (int64, error) {
	cmd := append([]string{"EVAL", script, "1", key}, args...)
	reply, err := r.do(ctx, op, cmd...)
	if err != nil {
		return 0, err
	}
	n, ok := reply.(int64)
	if !ok {
		return 0, r.fail(op, KindRefused, fmt.Errorf("unexpected reply to a script"))
	}
	return n, nil
}

func (r *redis) CompareAndSwap(ctx context.Context, key string, version Version, value []byte) (bool, error) {
	n, err := r.eval(ctx, "write", casScript, key, string(version), string(value))
	return n == 1, err
}

func (r *redis) DeleteIf(ctx context.Context, key string, version Version) (bool, error) {
	if version == "" {
		_, v, err := r.Get(ctx, key)
		return v == "", err
	}
	n, err := r.eval(ctx, "delete", delScript, key, string(version))
	return n == 1, err
}

// globEscape quotes the characters SCAN's MATCH pattern treats specially.
func globEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// maxScanRounds bounds List: each SCAN round returns up to 1000 keys.
const maxScanRounds = 10000

func (r *redis) List(ctx context.Context, prefix string) ([]string, error) {
	ctx, cancel := bounded(ctx)
	defer cancel()
	var keys []string
	cursor := "0"
	for range maxScanRounds {
		reply, err := r.do(ctx, "list", "SCAN", cursor, "MATCH", globEscape(prefix)+"*", "COUNT", "1000")
		if err != nil {
			return nil, err
		}
		page, ok := reply.([]any)
		if !ok || len(page) != 2 {
			return nil, r.fail("list", KindRefused, errors.New("unexpected reply to SCAN"))
		}
		next, ok1 := page[0].(string)
		items, ok2 := page[1].([]any)
		if !ok1 || !ok2 {
			return nil, r.fail("list", KindRefused, errors.New("unexpected reply to SCAN"))
		}
		for _, it := range items {
			if k, ok := it.(string); ok && strings.HasPrefix(k, prefix) {
				keys = append(keys, k)
			}
		}
		if cursor = next; cursor == "0" {
			break
		}
	}
	sort.Strings(keys)
	// SCAN may return a key more than once.
	return dedup(keys), nil
}

func dedup(sorted []string) []string {
	out := sorted[:0]
	for i, k := range sorted {
		if i == 0 || k != sorted[i-1] {
			out = append(out, k)
		}
	}
	return out
}

// Acquire sets key to a random owner id if it is absent, expiring after
// ttl; release deletes it only while it still holds that id.
func (r *redis) Acquire(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, error) {
	owner := ownerID()
	ms := strconv.FormatInt(max(ttl.Milliseconds(), 1), 10)
	reply, err := r.do(ctx, "lock", "SET", key, owner, "NX", "PX", ms)
	if err != nil {
		return nil, err
	}
	if _, ok := reply.(nilReply); ok {
		return nil, ErrHeld
	}
	return func(ctx context.Context) error {
		_, err := r.eval(ctx, "unlock", releaseScript, key, owner)
		return err
	}, nil
}

// durability reports what a restart of this Redis could lose: "" when it
// keeps an append-only file, a warning when it does not, and "" when it
// will not say (INFO refused, as to a least-privilege user).
func (r *redis) durability(ctx context.Context) string {
	reply, err := r.do(ctx, "info", "INFO", "persistence")
	text, ok := reply.(string)
	if err != nil || !ok {
		return ""
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "aof_enabled:0" {
			return "this Redis keeps no append-only file (appendonly no): a restart or a failover can lose a refresh token Kakao has rotated, and then only a new login helps; set appendonly yes and appendfsync always"
		}
	}
	return ""
}
