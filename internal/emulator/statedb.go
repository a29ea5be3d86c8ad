package emulator

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// storeFormat, under metaFormat in bucketMeta, marks a bbolt file as a
// kakao-auth emulator state file, and its layout: one bucket per map, one
// key per entry. A new layout gets a new value, read by a migration.
var (
	bucketMeta  = []byte("meta")
	metaFormat  = []byte("format")
	storeFormat = []byte("kakao-auth emulator state, bbolt, 2")
)

// buckets name the store's bucket of each kind of entry.
var buckets = map[entryKind][]byte{
	kindClient:      []byte("clients"),
	kindRedirectURI: []byte("redirect_uris"),
	kindLogoutURI:   []byte("logout_redirect_uris"),
	kindConsent:     []byte("consents"),
	kindConsentPage: []byte("consent_pages"),
	kindCode:        []byte("codes"),
	kindAccess:      []byte("access_tokens"),
	kindRefresh:     []byte("refresh_tokens"),
}

// bucketKeys holds the signing keys, all under keyListKey as one JSON
// list, oldest first (the last one signs): they change together, and
// their order is not their creation times' when two are born in one tick.
var (
	bucketKeys = []byte("signing_keys")
	keyListKey = []byte("keys")
)

// bulkWrites is the size from which a commit counts as a bulk load.
const bulkWrites = 1024

// entryWrite is one entry as a commit writes it: val nil deletes it.
type entryWrite struct {
	kind entryKind
	key  []byte
	val  []byte
}

// consentKeyOf is a consent's key in its bucket: the user id (8 bytes,
// big endian) then the client id.
func consentKeyOf(userID int64, clientID string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(userID)), clientID...)
}

// encodeLocked turns the changed entries into writes: the entry as the map
// holds it now, or a delete when it holds none. s.mu must be held.
func (s *Server) encodeLocked(refs map[entryRef]struct{}) ([]entryWrite, error) {
	out := make([]entryWrite, 0, len(refs))
	for ref := range refs {
		w := entryWrite{kind: ref.kind, key: []byte(ref.key)}
		var v any
		switch ref.kind {
		case kindClient:
			if s.clients[ref.key] {
				v = true
			}
		case kindRedirectURI:
			if s.redirectURIs[ref.key] {
				v = true
			}
		case kindLogoutURI:
			if s.logoutURIs[ref.key] {
				v = true
			}
		case kindConsent:
			w.key = consentKeyOf(ref.user, ref.key)
			if l := s.links[linkKey{ref.user, ref.key}]; l != nil {
				v = stateConsent{UserID: ref.user, ClientID: ref.key, Scopes: l.scopes, ConnectedAt: l.connectedAt}
			}
		case kindConsentPage:
			if g := s.pending[ref.key]; g != nil {
				v = grantDoc(g)
			}
		case kindCode:
			if g := s.codes[ref.key]; g != nil {
				v = grantDoc(g)
			}
		case kindAccess:
			if t := s.access[ref.key]; t != nil {
				v = accessDoc(t)
			}
		case kindRefresh:
			if t := s.refresh[ref.key]; t != nil {
				v = refreshDoc(t)
			}
		}
		if v != nil {
			b, err := json.Marshal(v)
			if err != nil {
				return nil, err
			}
			w.val = b
		}
		out = append(out, w)
	}
	return out, nil
}

func accessDoc(t *accessToken) stateToken {
	return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires, Grant: t.grant}
}

func refreshDoc(t *refreshToken) stateToken {
	return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires, IDToken: t.idToken, AuthTime: t.authTime, Grant: t.grant}
}

// writeEntries applies writes, and keys when not nil (the signing keys,
// which replace those stored), in tx. It sorts writes first: bbolt splits
// a page only at commit, so keys put out of order into one page shift its
// entries at every put, which makes a large transaction (a migration)
// quadratic; in order, each put appends.
func writeEntries(tx *bolt.Tx, writes []entryWrite, keys []stateKey) error {
	slices.SortFunc(writes, func(a, b entryWrite) int {
		return cmp.Or(cmp.Compare(a.kind, b.kind), bytes.Compare(a.key, b.key))
	})
	for _, w := range writes {
		b := tx.Bucket(buckets[w.kind])
		if b == nil {
			return errors.New("a bucket is missing")
		}
		if len(writes) >= bulkWrites {
			// A bulk load appends in key order: fill the pages (bbolt's
			// default, half full, suits inserts in random order).
			b.FillPercent = 0.9
		}
		var err error
		if w.val == nil {
			err = b.Delete(w.key)
		} else {
			err = b.Put(w.key, w.val)
		}
		if err != nil {
			return err
		}
	}
	if keys == nil {
		return nil
	}
	b := tx.Bucket(bucketKeys)
	if b == nil {
		return errors.New("a bucket is missing")
	}
	v, err := json.Marshal(keys)
	if err != nil {
		return err
	}
	return b.Put(keyListKey, v)
}

// initStore makes tx's buckets and marks it as a state file.
func initStore(tx *bolt.Tx) error {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return err
	}
	if err := meta.Put(metaFormat, storeFormat); err != nil {
		return err
	}
	for _, name := range append(slices.Collect(maps.Values(buckets)), bucketKeys) {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return err
		}
	}
	return nil
}

// readStore reads the whole store into a stateDoc, leaving out what had
// expired by now, whose refs it returns for the caller to delete. Errors
// never quote a key: they may be tokens.
func readStore(tx *bolt.Tx, now time.Time) (stateDoc, []entryWrite, error) {
	doc := stateDoc{Version: stateVersion, ConsentPages: map[string]stateGrant{}, Codes: map[string]stateGrant{},
		AccessTokens: map[string]stateToken{}, RefreshTokens: map[string]stateToken{}}
	meta := tx.Bucket(bucketMeta)
	if meta == nil {
		return doc, nil, errors.New("not a kakao-auth emulator state file: a bbolt database of something else")
	}
	if f := meta.Get(metaFormat); string(f) != string(storeFormat) {
		return doc, nil, fmt.Errorf("not a state file this emulator reads: format %q, want %q", f, storeFormat)
	}
	bucket := func(kind entryKind) (*bolt.Bucket, error) {
		b := tx.Bucket(buckets[kind])
		if b == nil {
			return nil, fmt.Errorf("damaged: no bucket %s", buckets[kind])
		}
		return b, nil
	}
	var purge []entryWrite
	names := func(kind entryKind, into *[]string) error {
		b, err := bucket(kind)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, _ []byte) error {
			*into = append(*into, string(k))
			return nil
		})
	}
	if err := errors.Join(names(kindClient, &doc.Clients), names(kindRedirectURI, &doc.RedirectURIs), names(kindLogoutURI, &doc.LogoutURIs)); err != nil {
		return doc, nil, err
	}
	b, err := bucket(kindConsent)
	if err != nil {
		return doc, nil, err
	}
	if err := b.ForEach(func(k, v []byte) error {
		var c stateConsent
		if err := unmarshalStrict(v, &c); err != nil {
			return fmt.Errorf("damaged consent entry: %w", err)
		}
		if string(k) != string(consentKeyOf(c.UserID, c.ClientID)) {
			return errors.New("damaged consent entry: its key does not match it")
		}
		doc.Consents = append(doc.Consents, c)
		return nil
	}); err != nil {
		return doc, nil, err
	}
	grants := func(kind entryKind, into map[string]stateGrant, what string) error {
		b, err := bucket(kind)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var g stateGrant
			if err := unmarshalStrict(v, &g); err != nil {
				return fmt.Errorf("damaged %s entry: %w", what, err)
			}
			if expired(g.Expires, now) {
				purge = append(purge, entryWrite{kind: kind, key: slices.Clone(k)})
				return nil
			}
			into[string(k)] = g
			return nil
		})
	}
	tokens := func(kind entryKind, into map[string]stateToken, what string) error {
		b, err := bucket(kind)
		if err != nil {
			return err
		}
		return b.ForEach(func(k, v []byte) error {
			var t stateToken
			if err := unmarshalStrict(v, &t); err != nil {
				return fmt.Errorf("damaged %s entry: %w", what, err)
			}
			if expired(t.Expires, now) {
				purge = append(purge, entryWrite{kind: kind, key: slices.Clone(k)})
				return nil
			}
			into[string(k)] = t
			return nil
		})
	}
	if err := errors.Join(
		grants(kindConsentPage, doc.ConsentPages, "consent page"),
		grants(kindCode, doc.Codes, "code"),
		tokens(kindAccess, doc.AccessTokens, "access token"),
		tokens(kindRefresh, doc.RefreshTokens, "refresh token"),
	); err != nil {
		return doc, nil, err
	}
	kb := tx.Bucket(bucketKeys)
	if kb == nil {
		return doc, nil, errors.New("damaged: no bucket signing_keys")
	}
	if v := kb.Get(keyListKey); v != nil {
		if err := unmarshalStrict(v, &doc.SigningKeys); err != nil {
			return doc, nil, fmt.Errorf("damaged signing keys: %w", err)
		}
	}
	return doc, purge, nil
}

func unmarshalStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
