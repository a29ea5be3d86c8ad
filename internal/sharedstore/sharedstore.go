// Package sharedstore keeps kakao-auth profiles in a store a whole fleet
// shares: etcd (through its documented v3 JSON gateway over net/http) or
// Redis (through a small RESP2 client over net.Conn). Neither engine's Go
// client is linked in: measured, etcd's (gRPC) adds 6.4 MB to a 12.75 MB
// binary that must stay under 15 MB and doubles every command's start-up,
// and go-redis adds 8.1 MB (README, "Teams").
//
// Each profile is one key under the prefix, holding the same versioned
// record as the file store. Writes are compare-and-set on the version that
// was read (etcd: a txn on mod_revision; Redis: a Lua script comparing the
// value's SHA-1), so a record that changed meanwhile is never overwritten.
// The refresh lock is a lease: an etcd lease with a key created only if
// absent, or a Redis SET NX PX, each owned by a random id and released only
// by its owner, and gone by itself after its TTL when the owner dies.
package sharedstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Version of a key as an engine tells it; "" means the key is absent. It is
// opaque and safe to print (etcd: the mod_revision; Redis: the SHA-1 of the
// value).
type Version string

// Engine is the little a shared store needs from etcd or Redis. Every call
// is bounded: by ctx's deadline, or by callTimeout when ctx has none.
type Engine interface {
	// Name is EngineEtcd or EngineRedis.
	Name() string
	// Addr is host:port, for messages.
	Addr() string
	// Get returns the value of key and its version; "" and no error when
	// the key is absent.
	Get(ctx context.Context, key string) ([]byte, Version, error)
	// CompareAndSwap writes value only if key is still at version (absent
	// for ""); false when it is not.
	CompareAndSwap(ctx context.Context, key string, version Version, value []byte) (bool, error)
	// DeleteIf removes key only if it is still at version; false when not.
	DeleteIf(ctx context.Context, key string, version Version) (bool, error)
	// List returns the keys under prefix, sorted.
	List(ctx context.Context, prefix string) ([]string, error)
	// Acquire takes the lease key for ttl in one try: ErrHeld when
	// another owner has it. release frees it only if it is still ours.
	Acquire(ctx context.Context, key string, ttl time.Duration) (release func(context.Context) error, err error)
	// Close frees the connections.
	Close() error
}

// callTimeout bounds one call to an engine when ctx has no deadline.
const callTimeout = 5 * time.Second

// dialTimeout bounds connecting to an engine: "within a few seconds".
const dialTimeout = 3 * time.Second

// bounded returns ctx with callTimeout unless it has a deadline already.
func bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, callTimeout)
}

// ownerID is a random id for a lease owner: 128 bits, never reused.
func ownerID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Open connects lazily to the engine c names: nothing is dialled before the
// first call.
func Open(c *Config) (Engine, error) {
	if c.Engine == EngineEtcd {
		return newEtcd(c)
	}
	return newRedis(c)
}
