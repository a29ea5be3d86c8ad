package tokenstore

import (
	"os"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/keyringtest"
)

// TestMain gives the keyring tests a private gnome-keyring when the system
// has one to start.
func TestMain(m *testing.M) { os.Exit(keyringtest.Wrap(m).Run()) }
