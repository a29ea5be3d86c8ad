package cmd

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// agreedAtKakao is what the emulator says the stored login's user agreed to.
func agreedAtKakao(t *testing.T, w *kapiWorld) map[string]bool {
	t.Helper()
	rec, err := w.file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	items, err := (&kakao.API{BaseURL: w.url, Tokens: kakao.StaticToken(rec.AccessToken)}).Scopes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]bool{}
	for _, it := range items.Scopes {
		m[it.ID] = it.Agreed
	}
	return m
}

func TestScopes_ListsTheConsentItems(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "talk_message")
	stdout, stderr, code := w.run(t, "", nil, "scopes")
	if code != ExitOK || stderr != "" {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	// Names are Korean, two columns a character: the columns still line up.
	want := "" +
		"ID                NAME                  TYPE     AGREED  REVOCABLE\n" +
		"profile_nickname  닉네임                PRIVACY  yes     no\n" +
		"profile_image     프로필 사진           PRIVACY  no      -\n" +
		"account_email     카카오계정(이메일)    PRIVACY  no      -\n" +
		"talk_message      카카오톡 메시지 전송  SERVICE  yes     yes\n"
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("scopes mismatch (-want +got):\n%s", diff)
	}

	stdout, _, code = w.run(t, "", nil, "scopes", "-o", "json")
	var got, kakaos any
	rec, _ := w.file.Load(t.Context(), "default")
	items, err := (&kakao.API{BaseURL: w.url, Tokens: kakao.StaticToken(rec.AccessToken)}).Scopes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if code != ExitOK || json.Unmarshal([]byte(stdout), &got) != nil || json.Unmarshal(items.Raw, &kakaos) != nil {
		t.Fatalf("-o json: exit %d, stdout %q", code, stdout)
	}
	if diff := cmp.Diff(kakaos, got); diff != "" {
		t.Errorf("-o json is not Kakao's answer (-kakao +got):\n%s", diff)
	}
}

func TestScopesRevoke_WithdrawsAndTheStoredScopesFollow(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "account_email", "talk_message")
	w.freshen(t, "default")

	// No terminal to ask on: --yes is needed, and nothing changes.
	before := w.storedBytes(t, "default")
	stdout, stderr, code := w.run(t, "", nil, "scopes", "revoke", "talk_message")
	if code != ExitUsage || stdout != "" || !strings.Contains(stderr, "hint: pass --yes") {
		t.Errorf("without --yes: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if !agreedAtKakao(t, w)["talk_message"] || !bytes.Equal(before, w.storedBytes(t, "default")) {
		t.Fatal("consent or the stored record changed without confirmation")
	}

	stdout, stderr, code = w.run(t, "", nil, "scopes", "revoke", "--yes", "talk_message", "account_email")
	if code != ExitOK || !strings.Contains(stderr, "Withdrew consent to account_email, talk_message.") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "\ntalk_message      카카오톡 메시지 전송  SERVICE  no      -\n") {
		t.Errorf("stdout does not show what remains:\n%s", stdout)
	}
	want := map[string]bool{"profile_nickname": true, "profile_image": false, "account_email": false, "talk_message": false}
	if diff := cmp.Diff(want, agreedAtKakao(t, w)); diff != "" {
		t.Errorf("consent at Kakao (-want +got):\n%s", diff)
	}
	rec, err := w.file.Load(t.Context(), "default")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"profile_nickname"}, rec.Scopes); diff != "" {
		t.Errorf("stored scopes (-want +got):\n%s", diff)
	}
	// The login still works for what remains, and says what is missing.
	if _, stderr, code := w.run(t, "", nil, "api", "-X", "POST", "/v2/api/talk/memo/default/send", "-F", "template_object="+memoJSON); code != ExitFailure || !strings.Contains(stderr, `run "kakao-auth login --scope talk_message"`) {
		t.Errorf("memo after the revocation: exit %d\n%s", code, stderr)
	}
}

func TestScopesRevoke_KakaosRefusalsHaveHints(t *testing.T) {
	w := newKapiWorld(t, emulator.Config{}, "default", "profile_nickname", "talk_message")
	w.freshen(t, "default")
	before := w.storedBytes(t, "default")
	for _, tt := range []struct {
		id, err, hint string
	}{
		{"profile_nickname", "kakao API error -3: [profile_nickname] is not revocable", `cannot be withdrawn .*run "kakao-auth logout --unlink"`},
		{"account_email", "kakao API error -2: There is no scopes to revoke", `run "kakao-auth scopes"`},
	} {
		t.Run(tt.id, func(t *testing.T) {
			stdout, stderr, code := w.run(t, "", nil, "scopes", "revoke", "--yes", tt.id, "talk_message")
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != ExitFailure || stdout != "" || len(lines) != 2 || !strings.Contains(lines[0], tt.err) || !regexp.MustCompile(tt.hint).MatchString(lines[1]) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant %q and a hint matching %q", code, stdout, stderr, tt.err, tt.hint)
			}
		})
	}
	// All or none: talk_message, named with each, is still agreed to.
	if !agreedAtKakao(t, w)["talk_message"] || !bytes.Equal(before, w.storedBytes(t, "default")) {
		t.Error("a refused revocation changed consent or the stored record")
	}
}

// On a terminal, revoke asks; anything but yes changes nothing (exit 3).
func TestScopesRevoke_AsksOnATerminal(t *testing.T) {
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInWith(t, base, root, "default", "", "profile_nickname", "talk_message")
	file := &tokenstore.File{Dir: tokenstore.Paths{Root: root}.TokensDir()}
	for _, tt := range []struct {
		answer  string
		code    int
		revoked bool
	}{
		{"n\n", ExitCancelled, false},
		{"\n", ExitCancelled, false},
		{"yes\n", ExitOK, true},
	} {
		d, _, stderr := storeDeps(root, nil, tt.answer)
		d.StdinIsTerminal = true
		if code := Main(t.Context(), []string{"scopes", "revoke", "talk_message"}, d); code != tt.code {
			t.Errorf("answer %q: exit %d, want %d\n%s", tt.answer, code, tt.code, stderr)
		}
		if !strings.Contains(stderr.String(), `Withdraw profile "default"'s user's consent to talk_message? `) {
			t.Errorf("answer %q: no question asked:\n%s", tt.answer, stderr)
		}
		rec, err := file.Load(t.Context(), "default")
		if err != nil {
			t.Fatal(err)
		}
		if revoked := !strings.Contains(strings.Join(rec.Scopes, " "), "talk_message"); revoked != tt.revoked {
			t.Errorf("answer %q: stored scopes %v", tt.answer, rec.Scopes)
		}
	}
}

// The question reads right for one item and for several.
func TestScopesRevoke_QuestionFitsOneOrSeveralItems(t *testing.T) {
	_, base := newTestEmulator(t, emulator.Config{AutoApprove: true})
	root := t.TempDir()
	loggedInWith(t, base, root, "default", "", "profile_nickname", "account_email", "talk_message")
	for _, tt := range []struct {
		ids  []string
		want string
	}{
		{[]string{"talk_message"}, `Withdraw profile "default"'s user's consent to talk_message? The app can no longer use it until a login asks again. [y/N] `},
		{[]string{"talk_message", "account_email"}, `Withdraw profile "default"'s user's consent to account_email, talk_message? The app can no longer use them until a login asks again. [y/N] `},
	} {
		d, _, stderr := storeDeps(root, nil, "n\n")
		d.StdinIsTerminal = true
		if code := Main(t.Context(), append([]string{"scopes", "revoke"}, tt.ids...), d); code != ExitCancelled {
			t.Errorf("%v: exit %d, want %d", tt.ids, code, ExitCancelled)
		}
		if got, _, _ := strings.Cut(stderr.String(), "kakao-auth: error: "); got != tt.want {
			t.Errorf("%v: question\n%q\nwant\n%q", tt.ids, got, tt.want)
		}
	}
}
