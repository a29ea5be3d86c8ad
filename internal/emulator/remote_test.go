package emulator

import (
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// StartRemote binds any address, for a web app in a container network; the
// test reaches it over loopback only.
func TestStartRemote_ServesAllInterfacesAndReportsALoopbackBaseURL(t *testing.T) {
	run, err := StartRemote(t.Context(), "0.0.0.0:0", New(Config{}))
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if !strings.HasPrefix(run.BaseURL, "http://127.0.0.1:") {
		t.Errorf("BaseURL = %q, want http://127.0.0.1:PORT (reachable from here)", run.BaseURL)
	}
	if r := get(t, run.BaseURL+"/.well-known/openid-configuration"); r.status != http.StatusOK {
		t.Errorf("discovery over loopback: %d", r.status)
	}
}

func TestIsLoopback(t *testing.T) {
	tests := []struct {
		addr    string
		want    bool
		wantErr bool
	}{
		{"127.0.0.1:9339", true, false},
		{"127.1.2.3:0", true, false},
		{"[::1]:9339", true, false},
		{"localhost:9339", true, false},
		{"0.0.0.0:9339", false, false},
		{":9339", false, false},
		{"[::]:9339", false, false},
		{"192.0.2.1:9339", false, false},
		{"example.com:9339", false, false},
		{"9339", false, true},
	}
	for _, tt := range tests {
		got, err := IsLoopback(tt.addr)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("IsLoopback(%q) = %v, %v; want %v, error %v", tt.addr, got, err, tt.want, tt.wantErr)
		}
	}
}

// Config.PublicURL is the base URL clients use (a container's name, say):
// discovery's endpoints and the issuer (ID tokens' iss) use it, whatever
// Host the request came with.
func TestPublicURL_SetsDiscoveryAndIssuer(t *testing.T) {
	const pub = "http://kakao-emulator:9339"
	e := newEnv(t, Config{PublicURL: pub + "/"})
	d := get(t, e.url+"/.well-known/openid-configuration").json(t)
	got := map[string]any{}
	for _, k := range []string{"issuer", "authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri"} {
		got[k] = d[k]
	}
	want := map[string]any{
		"issuer":                 pub,
		"authorization_endpoint": pub + "/oauth/authorize",
		"token_endpoint":         pub + "/oauth/token",
		"userinfo_endpoint":      pub + "/v1/oidc/userinfo",
		"jwks_uri":               pub + "/.well-known/jwks.json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("discovery mismatch (-want +got):\n%s", diff)
	}
	if _, j := e.idToken(t, "scope", "openid"); j.claims["iss"] != pub {
		t.Errorf("ID token iss = %v, want %s", j.claims["iss"], pub)
	}
}

// Config.Issuer still wins for iss when both are set.
func TestPublicURL_IssuerOverridesIt(t *testing.T) {
	e := newEnv(t, Config{PublicURL: "http://kakao-emulator:9339", Issuer: "https://kauth.kakao.com"})
	d := get(t, e.url+"/.well-known/openid-configuration").json(t)
	if d["issuer"] != "https://kauth.kakao.com" || d["token_endpoint"] != "http://kakao-emulator:9339/oauth/token" {
		t.Errorf("discovery = %v, want Issuer's issuer and PublicURL's endpoints", d)
	}
}
