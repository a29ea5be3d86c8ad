package cmd

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// complete runs cobra's hidden completion command, as a shell does, and
// returns the candidates and the directive line.
func complete(t *testing.T, root string, env map[string]string, args ...string) ([]string, string) {
	t.Helper()
	d, stdout, _ := storeDeps(root, env, "")
	if code := Main(t.Context(), append([]string{cobra.ShellCompRequestCmd}, args...), d); code != ExitOK {
		t.Fatalf("%v: exit %d", args, code)
	}
	var got []string
	directive := ""
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		if strings.HasPrefix(line, ":") {
			directive = line
			continue
		}
		got = append(got, strings.SplitN(line, "\t", 2)[0])
	}
	return got, directive
}

// Completion offers consent-item ids for "login --scope" and "scopes
// revoke" (for revoke, the items the profile's login holds), and the
// stored profile's redirect URIs for --redirect-uri: never file names.
func TestCompletion_ScopesAndRedirectURIs(t *testing.T) {
	root := t.TempDir()
	notes := tokenstore.Profiles{Dir: tokenstore.Paths{Root: root}.ProfilesDir()}
	if err := notes.SetLogin("bot", tokenstore.BackendFile, tokenstore.App{ClientID: "key", RedirectURI: "http://localhost:9000/cb", Scopes: []string{"talk_message", "profile_nickname", "openid"}}); err != nil {
		t.Fatal(err)
	}
	noFiles := ":" + strconv.Itoa(int(cobra.ShellCompDirectiveNoFileComp))

	got, dir := complete(t, root, nil, "login", "--scope", "")
	for _, want := range []string{"talk_message", "account_email", "profile_nickname", "openid"} {
		if !slices.Contains(got, want) {
			t.Errorf("login --scope offers %v, want %s among them", got, want)
		}
	}
	if dir != noFiles {
		t.Errorf("login --scope directive %s, want %s (no file names)", dir, noFiles)
	}
	// After a comma, the next item of the list, without those given.
	got, _ = complete(t, root, nil, "login", "--scope", "talk_message,acc")
	if !slices.Equal(got, []string{"talk_message,account_email"}) {
		t.Errorf("login --scope talk_message,acc offers %v", got)
	}

	got, dir = complete(t, root, nil, "scopes", "revoke", "--profile", "bot", "")
	if !slices.Equal(got, []string{"openid", "profile_nickname", "talk_message"}) || dir != noFiles {
		t.Errorf("scopes revoke --profile bot offers %v %s, want the login's items and no files", got, dir)
	}
	got, _ = complete(t, root, map[string]string{envProfile: "bot"}, "scopes", "revoke", "talk_message", "")
	if !slices.Equal(got, []string{"openid", "profile_nickname"}) {
		t.Errorf("scopes revoke talk_message (KAKAO_AUTH_PROFILE=bot) offers %v", got)
	}

	got, dir = complete(t, root, nil, "login", "--profile", "bot", "--redirect-uri", "")
	if !slices.Equal(got, []string{"http://localhost:9000/cb", DefaultRedirectURI}) || dir != noFiles {
		t.Errorf("login --profile bot --redirect-uri offers %v %s", got, dir)
	}
	got, _ = complete(t, root, nil, "login", "--redirect-uri", "")
	if !slices.Equal(got, []string{DefaultRedirectURI, "http://localhost:9000/cb"}) {
		t.Errorf("login --redirect-uri offers %v, want the default first, then the other profiles'", got)
	}
}
