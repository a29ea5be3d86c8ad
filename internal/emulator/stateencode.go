package emulator

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// stateSnap is the state at one moment: the small parts as they go into
// the file, and the maps of codes and tokens as they are, whose entries
// are never changed once stored (only added and removed), so they can be
// encoded outside s.mu.
type stateSnap struct {
	head    stateDoc // Version, Clients, RedirectURIs, LogoutURIs, SigningKeys, Consents
	pending map[string]*authRequest
	codes   map[string]*authRequest
	access  map[string]*accessToken
	refresh map[string]*refreshToken
}

// snapshot copies the state. st.mu must be held (for keyDER).
func (s *Server) snapshot(st *stateStore) *stateSnap {
	sn := &stateSnap{head: stateDoc{Version: stateVersion}}
	s.keys.mu.Lock()
	for _, k := range s.keys.keys {
		der, ok := st.keyDER[k.kid]
		if !ok {
			b, _ := x509.MarshalPKCS8PrivateKey(k.priv) // never fails for an RSA key
			der = base64.StdEncoding.EncodeToString(b)
			st.keyDER[k.kid] = der
		}
		sn.head.SigningKeys = append(sn.head.SigningKeys, stateKey{Kid: k.kid, Created: k.created, PrivateKey: der})
	}
	s.keys.mu.Unlock()

	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		sn.head.Clients = append(sn.head.Clients, c)
	}
	slices.Sort(sn.head.Clients)
	for u := range s.redirectURIs {
		sn.head.RedirectURIs = append(sn.head.RedirectURIs, u)
	}
	slices.Sort(sn.head.RedirectURIs)
	for u := range s.logoutURIs {
		sn.head.LogoutURIs = append(sn.head.LogoutURIs, u)
	}
	slices.Sort(sn.head.LogoutURIs)
	for k, l := range s.links {
		sn.head.Consents = append(sn.head.Consents, stateConsent{UserID: k.userID, ClientID: k.clientID, Scopes: l.scopes, ConnectedAt: l.connectedAt})
	}
	slices.SortFunc(sn.head.Consents, func(a, b stateConsent) int {
		if a.UserID != b.UserID {
			return int(min(max(a.UserID-b.UserID, -1), 1))
		}
		return strings.Compare(a.ClientID, b.ClientID)
	})
	sn.pending = maps.Clone(s.pending)
	sn.codes = maps.Clone(s.codes)
	sn.access = maps.Clone(s.access)
	sn.refresh = maps.Clone(s.refresh)
	return sn
}

// entryLine is the cached encoding of one code, consent page or token,
// valid while the state still holds the same entry (src).
type entryLine struct {
	src  any
	line []byte
}

// encode renders sn as the state file: a stateDoc in JSON, with each code,
// consent page, token, consent and key on a line of its own. A long-running
// emulator holds thousands of refresh tokens (they live two months), and
// every save rewrites the file, so each entry's encoding is kept from the
// save that first wrote it; a save then costs a sort and a copy, not a
// re-encoding of the whole state. st.mu must be held.
func (st *stateStore) encode(sn *stateSnap) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("{\n")
	put := func(name string, v any, last bool) error {
		enc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b.WriteString(`  "` + name + `": `)
		b.Write(enc)
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		return nil
	}
	list := func(name string, n int, item func(i int) any) error {
		b.WriteString(`  "` + name + `": [`)
		for i := range n {
			enc, err := json.Marshal(item(i))
			if err != nil {
				return err
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			b.Write(enc)
		}
		if n > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("],\n")
		return nil
	}
	h := sn.head
	if err := put("version", h.Version, false); err != nil {
		return nil, err
	}
	if err := put("clients", nonNil(h.Clients), false); err != nil {
		return nil, err
	}
	if err := put("redirect_uris", nonNil(h.RedirectURIs), false); err != nil {
		return nil, err
	}
	if err := put("logout_redirect_uris", nonNil(h.LogoutURIs), false); err != nil {
		return nil, err
	}
	if err := list("signing_keys", len(h.SigningKeys), func(i int) any { return h.SigningKeys[i] }); err != nil {
		return nil, err
	}
	if err := list("consents", len(h.Consents), func(i int) any { return h.Consents[i] }); err != nil {
		return nil, err
	}

	seen := map[string]bool{}
	object := func(name string, keys []string, src func(k string) any, doc func(k string) any, last bool) error {
		slices.Sort(keys)
		b.WriteString(`  "` + name + `": {`)
		for i, k := range keys {
			seen[k] = true
			e, ok := st.lines[k]
			if !ok || e.src != src(k) {
				kb, err := json.Marshal(k)
				if err != nil {
					return err
				}
				vb, err := json.Marshal(doc(k))
				if err != nil {
					return err
				}
				e = entryLine{src: src(k), line: slices.Concat(kb, []byte(": "), vb)}
				st.lines[k] = e
			}
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString("\n    ")
			b.Write(e.line)
		}
		if len(keys) > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString("}")
		if !last {
			b.WriteByte(',')
		}
		b.WriteByte('\n')
		return nil
	}
	grants := func(m map[string]*authRequest) (func(string) any, func(string) any) {
		return func(k string) any { return m[k] }, func(k string) any { return grantDoc(m[k]) }
	}
	src, doc := grants(sn.pending)
	if err := object("consent_pages", slicesOfKeys(sn.pending), src, doc, false); err != nil {
		return nil, err
	}
	src, doc = grants(sn.codes)
	if err := object("codes", slicesOfKeys(sn.codes), src, doc, false); err != nil {
		return nil, err
	}
	if err := object("access_tokens", slicesOfKeys(sn.access),
		func(k string) any { return sn.access[k] },
		func(k string) any {
			t := sn.access[k]
			return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires, Grant: t.grant}
		}, false); err != nil {
		return nil, err
	}
	if err := object("refresh_tokens", slicesOfKeys(sn.refresh),
		func(k string) any { return sn.refresh[k] },
		func(k string) any {
			t := sn.refresh[k]
			return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires, IDToken: t.idToken, AuthTime: t.authTime, Grant: t.grant}
		}, true); err != nil {
		return nil, err
	}
	b.WriteString("}\n")

	for k := range st.lines {
		if !seen[k] {
			delete(st.lines, k)
		}
	}
	return b.Bytes(), nil
}

func slicesOfKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	return keys
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
