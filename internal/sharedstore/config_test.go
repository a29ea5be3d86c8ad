package sharedstore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParse_ReadsURLAndEnvironment(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		url  string
		env  map[string]string
		want Config
	}{
		{"etcd://127.0.0.1:2379", nil, Config{Engine: EngineEtcd, Host: "127.0.0.1:2379", Prefix: DefaultPrefix}},
		{"etcd://etcd.internal:2379/team/ka", nil, Config{Engine: EngineEtcd, Host: "etcd.internal:2379", Prefix: "team/ka/"}},
		{"etcd://[::1]:2379/p/", map[string]string{"KAKAO_AUTH_ETCD_USER": "ka", "KAKAO_AUTH_ETCD_PASSWORD_FILE": pwFile},
			Config{Engine: EngineEtcd, Host: "[::1]:2379", Prefix: "p/", User: "ka", Password: "from-file"}},
		{"etcd://h:1", map[string]string{"KAKAO_AUTH_ETCD_CACERT": "/ca.pem"}, Config{Engine: EngineEtcd, Host: "h:1", Prefix: DefaultPrefix, TLS: true, CACert: "/ca.pem"}},
		{"redis://h:6379", nil, Config{Engine: EngineRedis, Host: "h:6379", Prefix: DefaultPrefix}},
		{"redis://ka@h:6379/3", map[string]string{"KAKAO_AUTH_REDIS_PASSWORD": "pw"}, Config{Engine: EngineRedis, Host: "h:6379", Prefix: DefaultPrefix, DB: 3, User: "ka", Password: "pw"}},
		{"rediss://ka:inurl@h:6380/0", nil, Config{Engine: EngineRedis, Host: "h:6380", Prefix: DefaultPrefix, TLS: true, User: "ka", Password: "inurl"}},
		{"redis://ka:inurl@h:6379", map[string]string{"KAKAO_AUTH_REDIS_PASSWORD": "env"}, Config{Engine: EngineRedis, Host: "h:6379", Prefix: DefaultPrefix, User: "ka", Password: "env"}},
	} {
		got, err := Parse(tc.url, func(k string) string { return tc.env[k] })
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.url, err)
			continue
		}
		if diff := cmp.Diff(&tc.want, got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tc.url, diff)
		}
	}
}

func TestParse_RefusesBadValuesWithoutShowingThePassword(t *testing.T) {
	for _, tc := range []struct{ url, want string }{
		{"etcd://127.0.0.1", "HOST:PORT"},
		{"etcd://u:s3cret@127.0.0.1:99999", "port"},
		{"redis://u:s3cret@h:6379/x", "database number"},
		{"redis://u:s3cret@h:6379?password=s3cret", "no ?query"},
		{"memcached://h:1", "scheme"},
		{"redis://u:s3cret@:6379", "host"},
	} {
		_, err := Parse(tc.url, func(string) string { return "" })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error about %s", tc.url, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Parse(%q) error shows the password: %v", tc.url, err)
		}
	}
	env := map[string]string{"KAKAO_AUTH_REDIS_PASSWORD": "a", "KAKAO_AUTH_REDIS_PASSWORD_FILE": "/x"}
	if _, err := Parse("redis://h:1", func(k string) string { return env[k] }); err == nil {
		t.Error("both PASSWORD and PASSWORD_FILE set: want an error")
	}
	if _, err := Parse("redis://h:1", func(k string) string { return map[string]string{"KAKAO_AUTH_REDIS_CACERT": "/ca"}[k] }); err == nil {
		t.Error("a CA for redis:// (not rediss://): want an error")
	}
}

func TestConfigString_NeverShowsThePassword(t *testing.T) {
	c, err := Parse("rediss://ka:s3cret@h:6380/2", func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.String(), "rediss://ka@h:6380/2"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := Redact("etcd://ka:s3cret@h:1/p"); strings.Contains(got, "s3cret") {
		t.Errorf("Redact shows the password: %s", got)
	}
}
