package sharedstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// The README's least-privilege users, tried for real: a user who may
// touch only the keys under kakao-auth/ can do everything a store does.
func TestStore_WorksAsTheREADMEsLeastPrivilegeUser(t *testing.T) {
	const pw = "kakao-auth-pw-73"
	for _, eng := range engines {
		t.Run(eng.name, func(t *testing.T) {
			srv := eng.start(t)
			admin := openEngine(t, srv.URL(), nil)
			var env map[string]string
			switch a := admin.(type) {
			case *etcd:
				// etcdctl role add kakao-auth
				// etcdctl role grant-permission kakao-auth --prefix=true readwrite kakao-auth/
				// etcdctl user add kakao-auth && etcdctl user grant-role kakao-auth kakao-auth
				steps := []struct {
					path string
					body any
				}{
					{"/v3/auth/role/add", map[string]any{"name": "kakao-auth"}},
					{"/v3/auth/role/grant", map[string]any{"name": "kakao-auth", "perm": map[string]any{
						"permType": "READWRITE", "key": b64(DefaultPrefix), "range_end": b64(prefixEnd(DefaultPrefix))}}},
					{"/v3/auth/user/add", map[string]any{"name": "kakao-auth", "password": pw}},
					{"/v3/auth/user/grant", map[string]any{"user": "kakao-auth", "role": "kakao-auth"}},
				}
				for _, st := range steps {
					var resp struct{}
					if err := a.call(t.Context(), st.path, st.body, &resp); err != nil {
						t.Fatalf("%s: %v", st.path, err)
					}
				}
				srv.EnableEtcdAuth("root-pw")
				env = map[string]string{EnvEtcdUser: "kakao-auth", EnvEtcdPassword: pw}
			case *redis:
				// ACL SETUSER kakao-auth on >PASSWORD ~kakao-auth/* +get +set +del +eval +scan
				if _, err := a.do(t.Context(), "acl", "ACL", "SETUSER", "kakao-auth", "on", ">"+pw, "~kakao-auth/*",
					"+get", "+set", "+del", "+eval", "+scan"); err != nil {
					t.Fatal(err)
				}
				env = map[string]string{EnvRedisUser: "kakao-auth", EnvRedisPassword: pw}
			}
			s, err := OpenStore(srv.URL(), func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			ctx := t.Context()
			unlock, err := s.Lock(ctx, "bot", time.Second)
			if err != nil {
				t.Fatalf("Lock: %v", err)
			}
			if err := s.Save(ctx, "bot", testRecord("rt"), nil); err != nil {
				t.Fatalf("Save: %v", err)
			}
			_, v, err := s.Load(ctx, "bot")
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if err := s.Save(ctx, "bot", testRecord("rt2"), v); err != nil {
				t.Fatalf("Save over a version: %v", err)
			}
			if names, err := s.Profiles(ctx); err != nil || len(names) != 1 {
				t.Fatalf("Profiles = %v, %v", names, err)
			}
			if err := unlock(); err != nil {
				t.Fatalf("unlock: %v", err)
			}
			if err := s.Delete(ctx, "bot"); err != nil {
				t.Fatalf("Delete: %v", err)
			}
			// Outside its prefix it may do nothing.
			outside := &Store{Engine: s.Engine, Prefix: "other/"}
			_, _, err = outside.Load(context.Background(), "bot")
			var ee *EngineError
			if !errors.As(err, &ee) || ee.Kind != KindAuth {
				t.Errorf("a read outside the prefix = %v, want an auth *EngineError", err)
			}
			if errors.Is(err, tokenstore.ErrNotFound) {
				t.Errorf("a read outside the prefix was allowed")
			}
		})
	}
}
