package cmd

import (
	"runtime/debug"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestDescribeBuild_ReleaseFlagsWinAndGoFillsTheRest(t *testing.T) {
	vcs := func(rev, tm, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.time", Value: tm}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name                        string
		bi                          *debug.BuildInfo
		ldVersion, ldCommit, ldDate string
		want                        buildFacts
		wantLine                    string
	}{
		{
			name:      "a tagged release build prints the tag exactly",
			bi:        &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("4f6214736a97659de29479580c1cf1e4470b0684", "2026-11-29T08:59:32Z", "false")},
			ldVersion: "v1.2.3", ldCommit: "4f6214736a97659de29479580c1cf1e4470b0684", ldDate: "2026-11-29T08:59:32Z",
			want:     buildFacts{Version: "v1.2.3", Commit: "4f6214736a97659de29479580c1cf1e4470b0684", Date: "2026-11-29T08:59:32Z"},
			wantLine: "v1.2.3 (commit 4f6214736a97, 2026-11-29T08:59:32Z)",
		},
		{
			name:     "go install module@v1.2.3 has the module version and no vcs",
			bi:       &debug.BuildInfo{Main: debug.Module{Path: "github.com/kakao-auth/kakao-auth", Version: "v1.2.3"}},
			want:     buildFacts{Version: "v1.2.3"},
			wantLine: "v1.2.3",
		},
		{
			name:     "a build in a clean clone",
			bi:       &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129085932-4f6214736a97"}, Settings: vcs("4f6214736a97659de29479580c1cf1e4470b0684", "2026-11-29T08:59:32Z", "false")},
			want:     buildFacts{Version: "v0.0.0-20261129085932-4f6214736a97", Commit: "4f6214736a97659de29479580c1cf1e4470b0684", Date: "2026-11-29T08:59:32Z"},
			wantLine: "v0.0.0-20261129085932-4f6214736a97 (commit 4f6214736a97, 2026-11-29T08:59:32Z)",
		},
		{
			name:     "a build from a dirty tree says so",
			bi:       &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261129085932-4f6214736a97+dirty"}, Settings: vcs("4f6214736a97659de29479580c1cf1e4470b0684", "2026-11-29T08:59:32Z", "true")},
			want:     buildFacts{Version: "v0.0.0-20261129085932-4f6214736a97+dirty", Commit: "4f6214736a97659de29479580c1cf1e4470b0684", Date: "2026-11-29T08:59:32Z", Dirty: true},
			wantLine: "v0.0.0-20261129085932-4f6214736a97+dirty (commit 4f6214736a97, 2026-11-29T08:59:32Z, modified work tree)",
		},
		{
			name:      "a release version with a dirty tree still says so",
			bi:        &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("abc", "2026-11-29T08:59:32Z", "true")},
			ldVersion: "v1.2.3",
			want:      buildFacts{Version: "v1.2.3", Commit: "abc", Date: "2026-11-29T08:59:32Z", Dirty: true},
			wantLine:  "v1.2.3 (commit abc, 2026-11-29T08:59:32Z, modified work tree)",
		},
		{
			name:     "go run and builds without vcs stamping",
			bi:       &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want:     buildFacts{Version: "dev"},
			wantLine: "dev",
		},
		{
			name:     "no build information at all",
			want:     buildFacts{Version: "dev"},
			wantLine: "dev",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeBuild(tt.bi, tt.ldVersion, tt.ldCommit, tt.ldDate)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("describeBuild() mismatch (-want +got):\n%s", diff)
			}
			if line := got.String(); line != tt.wantLine {
				t.Errorf("String() = %q, want %q", line, tt.wantLine)
			}
		})
	}
}

func TestVersion_CommandAndFlagPrintTheSameLine(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		d, stdout, stderr := testDeps(nil, "")
		if code := Main(t.Context(), args, d); code != 0 {
			t.Fatalf("%v: exit %d; stderr:\n%s", args, code, stderr)
		}
		if want := "kakao-auth " + versionString() + "\n"; stdout.String() != want {
			t.Errorf("%v: stdout %q, want %q", args, stdout.String(), want)
		}
		if stderr.Len() != 0 {
			t.Errorf("%v: stderr not empty: %q", args, stderr.String())
		}
	}
}
