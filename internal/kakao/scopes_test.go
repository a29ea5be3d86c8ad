package kakao

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
)

func TestScopes_ListAndRevoke(t *testing.T) {
	_, base := newEmulator(t, emulator.Config{})
	c := &Client{ClientID: emulator.DefaultClientID, RedirectURI: testRedirect, AuthURL: base}
	tok := login(t, base, c, []string{"profile_nickname", "talk_message"})
	api := apiAs(&API{BaseURL: base}, tok.AccessToken)
	ctx := t.Context()

	agreed := func(items *ConsentItems) map[string]bool {
		m := map[string]bool{}
		for _, it := range items.Scopes {
			m[it.ID] = it.Agreed
		}
		return m
	}
	items, err := api.Scopes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"profile_nickname": true, "profile_image": false, "account_email": false, "talk_message": true}
	if diff := cmp.Diff(want, agreed(items)); diff != "" || items.UserID == 0 {
		t.Errorf("Scopes() mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(string(items.Raw), `"display_name"`) || !strings.Contains(string(items.Raw), `"using"`) {
		t.Errorf("Raw = %s, want Kakao's JSON with every field", items.Raw)
	}
	for _, it := range items.Scopes {
		if (it.Revocable != nil) != it.Agreed {
			t.Errorf("%s: revocable %v with agreed %v; Kakao says it of agreed items only", it.ID, it.Revocable, it.Agreed)
		}
	}

	items, err = api.RevokeScopes(ctx, []string{"talk_message"})
	if err != nil {
		t.Fatal(err)
	}
	want["talk_message"] = false
	if diff := cmp.Diff(want, agreed(items)); diff != "" {
		t.Errorf("RevokeScopes() mismatch (-want +got):\n%s", diff)
	}

	for _, tt := range []struct {
		ids  []string
		code int
	}{
		{[]string{"profile_nickname"}, -3},
		{[]string{"talk_message"}, -2},
		{[]string{"no_such_item"}, -2},
	} {
		_, err := api.RevokeScopes(ctx, tt.ids)
		var ae *APIError
		if !errors.As(err, &ae) || ae.Code != tt.code {
			t.Errorf("RevokeScopes(%v) = %v, want Kakao's %d", tt.ids, err, tt.code)
		}
	}
}
