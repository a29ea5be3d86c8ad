package sharedstore

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
)

// Kinds of EngineError, each with its own hint.
const (
	KindUnreachable = "unreachable" // no connection, or no answer in time
	KindAuth        = "auth"        // the engine refused the credentials
	KindRefused     = "refused"     // the engine answered with an error
	KindTLS         = "tls"         // its certificate is not one this client trusts
)

// ErrHeld is returned by a single Acquire when another owner holds the
// lease.
var ErrHeld = errors.New("the lease is held by another kakao-auth")

// EngineError is any failure to use an engine. Its message names the
// engine and its address, never the password; Hint says what to check.
type EngineError struct {
	Engine string // EngineEtcd or EngineRedis
	Addr   string // host:port
	Op     string // what was tried: "connect", "read", "write", "lock", …
	Kind   string // KindUnreachable, KindAuth or KindRefused
	Err    error  // the cause; never holds a secret
}

// Error reads "redis at 127.0.0.1:6379: read: cannot connect: …".
func (e *EngineError) Error() string {
	what := ""
	switch e.Kind {
	case KindUnreachable:
		what = "cannot reach the server: "
	case KindAuth:
		what = "the server refused the credentials: "
	case KindTLS:
		what = "TLS failed: "
	}
	return fmt.Sprintf("%s at %s: %s: %s%v", e.Engine, e.Addr, e.Op, what, e.Err)
}

// Unwrap returns the cause.
func (e *EngineError) Unwrap() error { return e.Err }

// Hint says what to check.
func (e *EngineError) Hint() string {
	env := "KAKAO_AUTH_ETCD_"
	if e.Engine == EngineRedis {
		env = "KAKAO_AUTH_REDIS_"
	}
	switch e.Kind {
	case KindUnreachable:
		return fmt.Sprintf("check that %s is running at %s and that --store (or KAKAO_AUTH_STORE) names it; kakao-auth never falls back to a local store", e.Engine, e.Addr)
	case KindAuth:
		return fmt.Sprintf("check %sUSER and %sPASSWORD (or %sPASSWORD_FILE); see kakao-auth help environment", env, env, env)
	case KindTLS:
		if isTLSAlert(e.Err) {
			// The server ended the handshake: it wants a client
			// certificate, or refused this one.
			return fmt.Sprintf("set %sCERT and %sKEY to a client certificate %s accepts", env, env, e.Engine)
		}
		return fmt.Sprintf("set %sCACERT to the PEM file of the CA that signed %s's certificate for %s", env, e.Engine, e.Addr)
	}
	return fmt.Sprintf("check the %s server's log; see kakao-auth help environment for its settings", e.Engine)
}

// kindOf tells a network failure from an engine's answer.
func kindOf(err error) string {
	var ne net.Error
	var op *net.OpError
	var cv *tls.CertificateVerificationError
	var ua x509.UnknownAuthorityError
	var he x509.HostnameError
	switch {
	case errors.As(err, &cv), errors.As(err, &ua), errors.As(err, &he), isTLSAlert(err):
		return KindTLS
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// No answer, or the connection ended under it.
		return KindUnreachable
	case errors.As(err, &op), errors.As(err, &ne):
		return KindUnreachable
	}
	return KindRefused
}

// isTLSAlert reports a TLS alert from the server (it wants a client
// certificate, or refused this one). crypto/tls has no exported type for
// one over TCP (tls.AlertError is QUIC's), so its text decides.
func isTLSAlert(err error) bool {
	return err != nil && strings.Contains(err.Error(), "remote error: tls: ")
}
