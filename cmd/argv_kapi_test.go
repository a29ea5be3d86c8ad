package cmd

import (
	"testing"
	"time"
)

func TestNewAPICmd(t *testing.T) {
	checkArgv(t, NewAPICmd, []argvCase[APIOptions]{
		{name: "defaults", args: []string{"/v2/user/me"}, want: APIOptions{Profile: "default", MinTTL: DefaultMinTTL, Path: "/v2/user/me"}},
		{name: "every flag", args: []string{"-X", "post", "/v2/api/talk/memo/default/send", "-f", "a=1", "-f", "a=2", "-F", "b=@memo.json",
			"-H", "X-Trace: 1", "--input", "body.txt", "-i", "--silent", "--jq", ".result_code", "--min-ttl", "1h", "--profile", "bot"},
			want: APIOptions{Profile: "bot", MinTTL: time.Hour, Path: "/v2/api/talk/memo/default/send", Method: "post",
				StringFields: []string{"a=1", "a=2"}, TypedFields: []string{"b=@memo.json"}, Headers: []string{"X-Trace: 1"},
				Input: "body.txt", Include: true, Silent: true, JQ: ".result_code"}},
		{name: "env-only rotation file", args: []string{"/v2/user/me", "--rotated-refresh-token-file", "rt.txt"}, env: map[string]string{envRefreshToken: "rt", envClientID: "k"},
			want: APIOptions{Profile: "default", MinTTL: DefaultMinTTL, Path: "/v2/user/me", RotatedFile: "rt.txt"}},
		{name: "no PATH", wantUsage: true},
		{name: "two PATHs", args: []string{"/a", "/b"}, wantUsage: true},
		{name: "bad jq", args: []string{"/v2/user/me", "--jq", "{"}, wantUsage: true},
		{name: "stdin twice", args: []string{"/v2/user/me", "-F", "a=@-", "--client-secret-file", "-"}, wantUsage: true},
		{name: "negative min-ttl", args: []string{"/v2/user/me", "--min-ttl", "-1m"}, wantUsage: true},
		{name: "rotation file without env-only mode", args: []string{"/v2/user/me", "--rotated-refresh-token-file", "rt.txt"}, wantUsage: true},
	})
}

func TestNewScopesCmd(t *testing.T) {
	checkArgv(t, NewScopesCmd, []argvCase[ScopesOptions]{
		{name: "defaults", want: ScopesOptions{Profile: "default", Output: "text"}},
		{name: "json", args: []string{"-o", "json", "--profile", "bot"}, want: ScopesOptions{Profile: "bot", Output: "json"}},
		{name: "revoke, each item once", args: []string{"revoke", "talk_message", "account_email", "talk_message"},
			want: ScopesOptions{Profile: "default", Output: "text", Revoke: []string{"account_email", "talk_message"}}},
		{name: "revoke with flags", args: []string{"revoke", "--yes", "--profile", "bot", "-o", "json", "talk_message"},
			want: ScopesOptions{Profile: "bot", Output: "json", Revoke: []string{"talk_message"}, Yes: true}},
		{name: "revoke nothing", args: []string{"revoke"}, wantUsage: true},
		{name: "unexpected argument", args: []string{"talk_message"}, wantUsage: true},
		{name: "unknown output", args: []string{"-o", "yaml"}, wantUsage: true},
	})
}
