package tokenstore

import (
	"path/filepath"
	"reflect"
	"testing"
)

// Every field of App is part of what a note remembers, so a login that
// changes any one of them rewrites the note. A field added to App is
// covered here without a change to this test.
func TestSameApp_EveryFieldCounts(t *testing.T) {
	base := App{ClientID: "key"}
	typ := reflect.TypeFor[App]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		t.Run(f.Name, func(t *testing.T) {
			other := base
			v := reflect.ValueOf(&other).Elem().Field(i)
			switch v.Kind() {
			case reflect.String:
				v.SetString(v.String() + "-changed")
			case reflect.Bool:
				v.SetBool(!v.Bool())
			case reflect.Slice:
				v.Set(reflect.Append(v, reflect.New(v.Type().Elem()).Elem()))
			default:
				t.Fatalf("App.%s is a %s: teach this test (and sameApp) how to change it", f.Name, v.Kind())
			}
			if sameApp(&base, &other) {
				t.Errorf("sameApp() = true for apps that differ in %s", f.Name)
			}
			if !sameApp(&other, &other) {
				t.Errorf("sameApp() = false for the same app")
			}
		})
	}
	// A slice that is empty and one that is absent say the same: no
	// scopes asked for.
	if !sameApp(&App{ClientID: "key"}, &App{ClientID: "key", Scopes: []string{}}) {
		t.Errorf("sameApp() = false for nil and empty scopes")
	}
}

// A login that first used no client secret and then one notes the change:
// a later login without the record then asks for the secret first.
func TestProfiles_SetLoginNotesAChangeToTheClientSecretAlone(t *testing.T) {
	p := Profiles{Dir: filepath.Join(t.TempDir(), "profiles")}
	if err := p.SetLogin("default", BackendKeyring, App{ClientID: "key"}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetLogin("default", BackendKeyring, App{ClientID: "key", UsesClientSecret: true}); err != nil {
		t.Fatal(err)
	}
	got, err := p.App("default")
	if err != nil {
		t.Fatal(err)
	}
	if got == nil || !got.UsesClientSecret {
		t.Errorf("App() = %+v, want UsesClientSecret", got)
	}
}
