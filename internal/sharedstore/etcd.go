package sharedstore

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxEtcdResponse bounds what one gateway answer may be: a record is a few
// KiB, a list of profiles well under this.
const maxEtcdResponse = 4 << 20

// etcd speaks to etcd's v3 JSON gateway (/v3/kv/range, /v3/kv/txn,
// /v3/lease/grant, …), documented at
// https://etcd.io/docs/v3.4/dev-guide/api_grpc_gateway/ and served by etcd
// 3.4 and later on its client URL. Keys and values are base64 in JSON.
type etcd struct {
	cfg  *Config
	base string
	hc   *http.Client

	mu    sync.Mutex
	token string // from /v3/auth/authenticate, when a user is set
}

func newEtcd(c *Config) (*etcd, error) {
	tr := &http.Transport{
		Proxy:                 nil, // loopback or a LAN engine: never through an HTTP proxy
		DialContext:           (&net.Dialer{Timeout: dialTimeout}).DialContext,
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: callTimeout,
		MaxIdleConnsPerHost:   2,
	}
	scheme := "http"
	if c.TLS {
		tc, err := c.tlsConfig()
		if err != nil {
			return nil, err
		}
		tr.TLSClientConfig = tc
		scheme = "https"
	}
	return &etcd{cfg: c, base: scheme + "://" + c.Host, hc: &http.Client{Transport: tr}}, nil
}

func (e *etcd) Name() string { return EngineEtcd }
func (e *etcd) Addr() string { return e.cfg.Host }

func (e *etcd) Close() error {
	e.hc.CloseIdleConnections()
	return nil
}

func (e *etcd) fail(op string, err error) error {
	var ee *EngineError
	if errors.As(err, &ee) {
		ee.Op = op
		return ee
	}
	return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Op: op, Kind: kindOf(err), Err: err}
}

// gatewayError is etcd's JSON error answer.
type gatewayError struct {
	Error   string `json:"error"`
	Message string `json:"message"`
	Code    int    `json:"code"`
}

// call POSTs req to path and decodes the answer into resp, authenticating
// first when a user is set (and once more when the token has expired).
func (e *etcd) call(ctx context.Context, path string, req, resp any) error {
	ctx, cancel := bounded(ctx)
	defer cancel()
	for try := 0; ; try++ {
		token, err := e.authToken(ctx)
		if err != nil {
			return err
		}
		err = e.post(ctx, path, token, req, resp)
		var ee *EngineError
		if try == 0 && token != "" && errors.As(err, &ee) && ee.Kind == KindAuth &&
			strings.Contains(ee.Err.Error(), "invalid auth token") {
			e.mu.Lock()
			e.token = ""
			e.mu.Unlock()
			continue
		}
		return err
	}
}

// authToken returns the gateway token of the configured user, getting one
// the first time.
func (e *etcd) authToken(ctx context.Context) (string, error) {
	if e.cfg.User == "" {
		return "", nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.token != "" {
		return e.token, nil
	}
	var resp struct {
		Token string `json:"token"`
	}
	req := map[string]string{"name": e.cfg.User, "password": e.cfg.Password}
	if err := e.post(ctx, "/v3/auth/authenticate", "", req, &resp); err != nil {
		return "", err
	}
	if resp.Token == "" {
		// etcd answers an authenticate without a token when auth is off.
		return "", nil
	}
	e.token = resp.Token
	return e.token, nil
}

func (e *etcd) post(ctx context.Context, path, token string, req, resp any) error {
	body, err := json.Marshal(req)
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, e.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", "application/json")
	if token != "" {
		hreq.Header.Set("Authorization", token)
	}
	hresp, err := e.hc.Do(hreq)
	if err != nil {
		// *url.Error quotes the URL: base, which holds no password.
		return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Kind: transportKind(err), Err: unwrapURLError(err)}
	}
	defer hresp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(hresp.Body, maxEtcdResponse))
	if err != nil {
		return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Kind: KindUnreachable, Err: err}
	}
	if hresp.StatusCode != http.StatusOK {
		var ge gatewayError
		if json.Unmarshal(data, &ge) != nil || ge.Error == "" {
			return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Kind: KindRefused,
				Err: fmt.Errorf("HTTP %d from %s (is this etcd 3.4 or later?)", hresp.StatusCode, path)}
		}
		kind := KindRefused
		// gRPC codes 16 Unauthenticated and 7 PermissionDenied; etcd 3.4
		// reports a bad password and a missing user as 3 InvalidArgument.
		if ge.Code == 16 || ge.Code == 7 || strings.Contains(ge.Error, "authentication failed") ||
			strings.Contains(ge.Error, "user name is empty") {
			kind = KindAuth
		}
		return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Kind: kind, Err: errors.New(ge.Error)}
	}
	if err := json.Unmarshal(data, resp); err != nil {
		return &EngineError{Engine: EngineEtcd, Addr: e.cfg.Host, Kind: KindRefused, Err: fmt.Errorf("unreadable answer from %s", path)}
	}
	return nil
}

// unwrapURLError drops *url.Error's "Post \"URL\":" wrapper, whose URL adds
// nothing to the address the message names already.
func unwrapURLError(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// etcdKV is one key-value of a range answer.
type etcdKV struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	ModRevision string `json:"mod_revision"`
}

type etcdRangeResponse struct {
	KVs []etcdKV `json:"kvs"`
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func (e *etcd) Get(ctx context.Context, key string) ([]byte, Version, error) {
	var resp etcdRangeResponse
	if err := e.call(ctx, "/v3/kv/range", map[string]any{"key": b64(key)}, &resp); err != nil {
		return nil, "", e.fail("read", err)
	}
	if len(resp.KVs) == 0 {
		return nil, "", nil
	}
	value, err := base64.StdEncoding.DecodeString(resp.KVs[0].Value)
	if err != nil || resp.KVs[0].ModRevision == "" {
		return nil, "", e.fail("read", errors.New("unreadable value in the answer"))
	}
	return value, Version(resp.KVs[0].ModRevision), nil
}

// versionCompare is the txn compare "key is still at version": its
// mod_revision for a key that exists, create_revision 0 for one that must
// not.
func versionCompare(key string, version Version) (map[string]any, error) {
	if version == "" {
		return map[string]any{"target": "CREATE", "key": b64(key), "create_revision": "0"}, nil
	}
	if _, err := strconv.ParseInt(string(version), 10, 64); err != nil {
		return nil, fmt.Errorf("not an etcd version: %q", version)
	}
	return map[string]any{"target": "MOD", "key": b64(key), "mod_revision": string(version)}, nil
}

type etcdTxnResponse struct {
	Succeeded bool `json:"succeeded"`
}

func (e *etcd) txn(ctx context.Context, op string, cmp map[string]any, success map[string]any) (bool, error) {
	req := map[string]any{"compare": []any{cmp}, "success": []any{success}}
	var resp etcdTxnResponse
	if err := e.call(ctx, "/v3/kv/txn", req, &resp); err != nil {
		return false, e.fail(op, err)
	}
	return resp.Succeeded, nil
}

func (e *etcd) CompareAndSwap(ctx context.Context, key string, version Version, value []byte) (bool, error) {
	cmp, err := versionCompare(key, version)
	if err != nil {
		return false, e.fail("write", err)
	}
	put := map[string]any{"request_put": map[string]any{"key": b64(key), "value": base64.StdEncoding.EncodeToString(value)}}
	return e.txn(ctx, "write", cmp, put)
}

func (e *etcd) DeleteIf(ctx context.Context, key string, version Version) (bool, error) {
	cmp, err := versionCompare(key, version)
	if err != nil {
		return false, e.fail("delete", err)
	}
	del := map[string]any{"request_delete_range": map[string]any{"key": b64(key)}}
	return e.txn(ctx, "delete", cmp, del)
}

// prefixEnd is the first key after every key that starts with prefix.
func prefixEnd(prefix string) string {
	b := []byte(prefix)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] < 0xff {
			b[i]++
			return string(b[:i+1])
		}
	}
	return "\x00" // every key: etcd's range_end for "to the end"
}

func (e *etcd) List(ctx context.Context, prefix string) ([]string, error) {
	req := map[string]any{"key": b64(prefix), "range_end": b64(prefixEnd(prefix)), "keys_only": true}
	var resp etcdRangeResponse
	if err := e.call(ctx, "/v3/kv/range", req, &resp); err != nil {
		return nil, e.fail("list", err)
	}
	keys := make([]string, 0, len(resp.KVs))
	for _, kv := range resp.KVs {
		k, err := base64.StdEncoding.DecodeString(kv.Key)
		if err != nil {
			return nil, e.fail("list", errors.New("unreadable key in the answer"))
		}
		keys = append(keys, string(k))
	}
	sort.Strings(keys)
	return keys, nil
}

// Acquire grants a lease of ttl (whole seconds, rounded up) and creates key
// with it only if key is absent. The lease id is the proof of ownership:
// release revokes it, which deletes key only while it is still the one
// this lease created; after the TTL, etcd revokes it by itself.
func (e *etcd) Acquire(ctx context.Context, key string, ttl time.Duration) (func(context.Context) error, error) {
	// A read first: a lease granted in vain costs two writes (grant and
	// revoke), each through etcd's log, and waiters ask again and again.
	if _, v, err := e.Get(ctx, key); err != nil {
		return nil, e.fail("lock", err)
	} else if v != "" {
		return nil, ErrHeld
	}
	secs := int64((ttl + time.Second - 1) / time.Second)
	var grant struct {
		ID string `json:"ID"`
	}
	if err := e.call(ctx, "/v3/lease/grant", map[string]any{"TTL": strconv.FormatInt(secs, 10)}, &grant); err != nil {
		return nil, e.fail("lock", err)
	}
	if grant.ID == "" {
		return nil, e.fail("lock", errors.New("no lease id in the answer"))
	}
	revoke := func(ctx context.Context) error {
		var resp struct{}
		err := e.call(ctx, "/v3/lease/revoke", map[string]any{"ID": grant.ID}, &resp)
		var ee *EngineError
		if errors.As(err, &ee) && strings.Contains(ee.Err.Error(), "lease not found") {
			return nil // expired already: nothing of ours is left to free
		}
		if err != nil {
			return e.fail("unlock", err)
		}
		return nil
	}
	cmp, _ := versionCompare(key, "")
	put := map[string]any{"request_put": map[string]any{"key": b64(key), "value": b64(ownerID()), "lease": grant.ID}}
	ok, err := e.txn(ctx, "lock", cmp, put)
	if err != nil || !ok {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		revoke(rctx)
		cancel()
		if err != nil {
			return nil, err
		}
		return nil, ErrHeld
	}
	return revoke, nil
}

// transportKind is the kind of an error of the HTTP transport: a
// certificate this client does not trust, or no connection.
func transportKind(err error) string {
	if k := kindOf(err); k == KindTLS {
		return k
	}
	return KindUnreachable
}
