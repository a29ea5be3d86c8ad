package tokenstore

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zalando/go-keyring"
)

func TestCallKeyring_TimesOutAsUnavailable(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) }) // lets the abandoned call end

	const bound = 100 * time.Millisecond
	start := time.Now()
	_, err := callKeyring(t.Context(), bound, "load", func() (string, error) {
		<-block
		return "too late", nil
	})
	took := time.Since(start)

	var ue *UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("callKeyring() of a blocked call = %v, want an *UnavailableError", err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", err)
	}
	if ue.Backend != BackendKeyring || ue.Op != "load" {
		t.Errorf("UnavailableError = %+v, want backend keyring, op load", ue)
	}
	if took < bound || took > bound+5*time.Second {
		t.Errorf("callKeyring() returned after %v, want about %v", took, bound)
	}
	if !strings.Contains(ue.Hint(), "--store file") || !strings.Contains(ue.Hint(), "--store none") {
		t.Errorf("Hint() = %q, want it to offer --store file and --store none", ue.Hint())
	}
}

func TestCallKeyring_Results(t *testing.T) {
	dbusErr := errors.New("org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.secrets was not provided by any .service files")
	tests := []struct {
		name            string
		call            func() (string, error)
		want            string
		wantNotFound    bool
		wantUnavailable bool
	}{
		{"value", func() (string, error) { return "v", nil }, "v", false, false},
		{"not found passes through", func() (string, error) { return "", keyring.ErrNotFound }, "", true, false},
		{"any other error is unavailable", func() (string, error) { return "", dbusErr }, "", false, true},
		{"too big is unavailable too", func() (string, error) { return "", keyring.ErrSetDataTooBig }, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := callKeyring(t.Context(), time.Second, "probe", tt.call)
			if got != tt.want {
				t.Errorf("callKeyring() = %q, want %q", got, tt.want)
			}
			if errors.Is(err, keyring.ErrNotFound) != tt.wantNotFound {
				t.Errorf("callKeyring() error = %v, want not found: %v", err, tt.wantNotFound)
			}
			var ue *UnavailableError
			if errors.As(err, &ue) != tt.wantUnavailable {
				t.Errorf("callKeyring() error = %v, want unavailable: %v", err, tt.wantUnavailable)
			}
		})
	}
}

func TestCallKeyring_CancelledContextIsNotUnavailable(t *testing.T) {
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err := callKeyring(ctx, time.Minute, "save", func() (struct{}, error) {
		<-block
		return struct{}{}, nil
	})
	var ue *UnavailableError
	if !errors.Is(err, context.Canceled) || errors.As(err, &ue) {
		t.Errorf("callKeyring() with a cancelled context = %v, want context.Canceled and not unavailable", err)
	}
}
