package emulator

import (
	"bytes"
	"encoding/json"
	"slices"
)

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
			return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires}
		}, false); err != nil {
		return nil, err
	}
	if err := object("refresh_tokens", slicesOfKeys(sn.refresh),
		func(k string) any { return sn.refresh[k] },
		func(k string) any {
			t := sn.refresh[k]
			return stateToken{ClientID: t.clientID, UserID: t.userID, Scopes: t.scopes, Expires: t.expires, IDToken: t.idToken, AuthTime: t.authTime}
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
