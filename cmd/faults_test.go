package cmd

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/kakao-auth/kakao-auth/internal/emulator"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

func TestLogin_FailedExchangeKeepsTheStoredRecord(t *testing.T) {
	for _, fault := range []emulator.Fault{emulator.FaultHang, emulator.FaultReset, emulator.FaultHTML, emulator.Fault500, emulator.FaultNoAccessToken} {
		t.Run(string(fault), func(t *testing.T) {
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, emuURL, root, "default")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			before, _ := os.ReadFile(file)

			emu.SetFault(fault)
			redirect := freeRedirect(t)
			emu.RegisterRedirectURI(redirect)
			d, stdout, stderr := hangingServerDeps(root, nil, "")
			d.OpenBrowser = agreeingBrowser
			code := Main(t.Context(), []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL,
				"--api-url", emuURL, "--redirect-uri", redirect, "--store", "file", "--timeout", "20s"}, d)
			if code != ExitFailure {
				t.Errorf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout.Len() != 0 || !strings.Contains(stderr.String(), "kakao-auth: hint: ") {
				t.Errorf("stdout %q; stderr without a hint:\n%s", stdout, stderr)
			}
			if after, _ := os.ReadFile(file); !bytes.Equal(before, after) {
				t.Error("the stored record changed after a failed login")
			}
		})
	}
}

func TestStore_DamagedOrPlantedFilesAreRefused(t *testing.T) {
	tests := []struct {
		name     string
		tamper   func(t *testing.T, file string)
		want     string
		unixOnly bool
	}{
		{
			name: "truncated",
			tamper: func(t *testing.T, file string) {
				data, _ := os.ReadFile(file)
				os.WriteFile(file, data[:len(data)/2], 0o600)
			},
			want: "kakao-auth: hint: ",
		},
		{
			name:     "readable by others",
			tamper:   func(t *testing.T, file string) { os.Chmod(file, 0o644) },
			want:     "mode 0644, want 0600",
			unixOnly: true,
		},
		{
			name: "symlink",
			tamper: func(t *testing.T, file string) {
				target := file + ".elsewhere"
				os.Rename(file, target)
				if err := os.Symlink(target, file); err != nil {
					t.Skip("no symlinks:", err)
				}
			},
			want: "not a regular file",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.unixOnly && runtime.GOOS == "windows" {
				t.Skip("unix permissions")
			}
			emu, emuURL := newTestEmulator(t, emulator.Config{AutoApprove: true})
			root := t.TempDir()
			loggedInProfile(t, emuURL, root, "default")
			file := filepath.Join(tokenstore.Paths{Root: root}.TokensDir(), "default.json")
			tt.tamper(t, file)
			snapshot := snapshotDir(t, filepath.Dir(file))

			for _, args := range [][]string{{"token"}, {"status"}, {"refresh"}} {
				d, stdout, stderr := storeDeps(root, nil, "")
				if code := Main(t.Context(), args, d); code != ExitFailure {
					t.Errorf("%v: exit code = %d, want 1; stderr:\n%s", args, code, stderr)
				}
				if stdout.Len() != 0 || !strings.Contains(stderr.String(), tt.want) {
					t.Errorf("%v: stdout %q, stderr %q; want %q", args, stdout, stderr, tt.want)
				}
			}
			// A new login to the profile must not write through the
			// planted file either (corrupt content may be replaced).
			if tt.name != "truncated" {
				redirect := freeRedirect(t)
				emu.RegisterRedirectURI(redirect)
				d, _, stderr := storeDeps(root, nil, "")
				d.OpenBrowser = agreeingBrowser
				code := Main(t.Context(), []string{"login", "--client-id", emulator.DefaultClientID, "--auth-url", emuURL,
					"--api-url", emuURL, "--redirect-uri", redirect, "--store", "file"}, d)
				if code != ExitFailure {
					t.Errorf("login over a %s record: exit %d, want 1; stderr:\n%s", tt.name, code, stderr)
				}
			}
			if got := snapshotDir(t, filepath.Dir(file)); got != snapshot {
				t.Errorf("files changed:\nbefore %s\nafter  %s", snapshot, got)
			}
		})
	}
}

// snapshotDir describes every file in dir: name, mode, link target, content.
func snapshotDir(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		fi, _ := os.Lstat(p)
		target, _ := os.Readlink(p)
		data, _ := os.ReadFile(p)
		b.WriteString(e.Name() + " " + fi.Mode().String() + " " + target + " " + string(data) + "\n")
	}
	return b.String()
}
