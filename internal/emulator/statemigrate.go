package emulator

import (
	"crypto/x509"
	"encoding/base64"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Files beside the state file: a database being created (renamed over the
// state file once whole; one left by a killed run is removed at the next
// Open), and the JSON a migration carried over.
const (
	newSuffix    = ".new"
	backupSuffix = ".v1.bak"
)

// migrateJSON turns the JSON state file at path (version 1) into a
// database at path, keeping the JSON as path + backupSuffix. It checks the
// JSON the way Open always did before writing anything; then the backup is
// written, and the database, built whole under another name, replaces the
// JSON in one rename. A run killed at any point leaves either the JSON at
// path (and the next Open migrates again) or the database.
func migrateJSON(path string, cfg Config) error {
	data, err := readStateFile(path)
	if err != nil {
		return err
	}
	doc, err := decodeStateJSON(data)
	if err != nil {
		return err
	}
	s := New(cfg)
	dropExpired(&doc, s.now())
	if err := s.restore(doc); err != nil {
		return err
	}
	if err := writeFileAtomic(path+backupSuffix, data); err != nil {
		return err
	}
	return createStore(path, s)
}

// dropExpired leaves out of doc what had expired by now.
func dropExpired(doc *stateDoc, now time.Time) {
	for _, m := range []map[string]stateGrant{doc.ConsentPages, doc.Codes} {
		for k, g := range m {
			if expired(g.Expires, now) {
				delete(m, k)
			}
		}
	}
	for _, m := range []map[string]stateToken{doc.AccessTokens, doc.RefreshTokens} {
		for k, t := range m {
			if expired(t.Expires, now) {
				delete(m, k)
			}
		}
	}
}

// createStore writes s's whole state as a new database at path: built
// under path + newSuffix, synced, then renamed into place, so that path
// is never a database half made.
func createStore(path string, s *Server) (err error) {
	tmp := path + newSuffix
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	db, err := bolt.Open(tmp, 0o600, storeOptions())
	if err != nil {
		return err
	}
	s.mu.Lock()
	writes, err := s.encodeLocked(s.allEntriesLocked())
	s.mu.Unlock()
	if err != nil {
		db.Close()
		return err
	}
	keys := []stateKey{}
	s.keys.mu.Lock()
	for _, k := range s.keys.keys {
		keys = append(keys, keyDoc(k))
	}
	s.keys.mu.Unlock()
	err = db.Update(func(tx *bolt.Tx) error {
		if err := initStore(tx); err != nil {
			return err
		}
		return writeEntries(tx, writes, keys)
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	syncDir(filepath.Dir(path))
	return nil
}

// allEntriesLocked names every entry of s. s.mu must be held.
func (s *Server) allEntriesLocked() map[entryRef]struct{} {
	refs := map[entryRef]struct{}{}
	add := func(kind entryKind, key string) { refs[entryRef{kind: kind, key: key}] = struct{}{} }
	for k := range s.clients {
		add(kindClient, k)
	}
	for k := range s.redirectURIs {
		add(kindRedirectURI, k)
	}
	for k := range s.logoutURIs {
		add(kindLogoutURI, k)
	}
	for k := range s.links {
		refs[entryRef{kind: kindConsent, key: k.clientID, user: k.userID}] = struct{}{}
	}
	for k := range s.pending {
		add(kindConsentPage, k)
	}
	for k := range s.codes {
		add(kindCode, k)
	}
	for k := range s.access {
		add(kindAccess, k)
	}
	for k := range s.refresh {
		add(kindRefresh, k)
	}
	return refs
}

// keyDoc is a signing key as the file keeps it.
func keyDoc(k *signingKey) stateKey {
	der, _ := x509.MarshalPKCS8PrivateKey(k.priv) // never fails for an RSA key
	return stateKey{Kid: k.kid, Created: k.created, PrivateKey: base64.StdEncoding.EncodeToString(der)}
}
