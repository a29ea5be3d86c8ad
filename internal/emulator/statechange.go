package emulator

// entryKind names one of the maps a state file keeps, entry by entry.
type entryKind uint8

const (
	kindClient entryKind = iota
	kindRedirectURI
	kindLogoutURI
	kindConsent // s.links; the key is consentKey's
	kindConsentPage
	kindCode
	kindAccess
	kindRefresh
)

// entryRef is one entry of one map: what changedLocked records, and what
// the next commit writes (or deletes, when the map no longer holds it).
type entryRef struct {
	kind entryKind
	key  string
	user int64 // kindConsent only: with key, the client id
}

// changedLocked records that the entry key of kind was added, replaced or
// removed, so that the state file gets it before the answer goes out
// (serveSaving). It costs a map insert; without a state file, nothing.
// s.mu must be held.
func (s *Server) changedLocked(kind entryKind, key string) {
	if s.dirty == nil {
		return
	}
	s.dirty[entryRef{kind: kind, key: key}] = struct{}{}
	s.changes++
}

// linkChangedLocked is changedLocked for a user's consent to a client.
// s.mu must be held.
func (s *Server) linkChangedLocked(k linkKey) {
	if s.dirty == nil {
		return
	}
	s.dirty[entryRef{kind: kindConsent, key: k.clientID, user: k.userID}] = struct{}{}
	s.changes++
}

// forgetLocked deletes key from m, recording the change when there was
// something to delete. s.mu must be held.
func forgetLocked[V any](s *Server, kind entryKind, m map[string]V, key string) {
	if _, ok := m[key]; ok {
		delete(m, key)
		s.changedLocked(kind, key)
	}
}
