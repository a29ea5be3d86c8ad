package cmd

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Build facts a release sets with -ldflags "-X": version is the tag exactly
// as pushed (v1.2.3), commit the full revision, date the commit's time in
// RFC 3339. A build without them ("go install …@v1.2.3", "go build" in a
// clone) takes them from the build information Go records in the binary.
var (
	version = ""
	commit  = ""
	date    = ""
)

// buildFacts is what "kakao-auth version" says of this binary.
type buildFacts struct {
	Version string // v1.2.3, a Go pseudo-version, or "dev"
	Commit  string // the revision, or "" when unknown
	Date    string // the commit's time, or "" when unknown
	Dirty   bool   // built from a work tree with uncommitted changes
}

// currentBuild describes the running binary.
func currentBuild() buildFacts {
	bi, _ := debug.ReadBuildInfo()
	return describeBuild(bi, version, commit, date)
}

// describeBuild merges the -ldflags values with Go's build information:
// a value set by the release wins; Go's fills the rest. Go stamps a
// module's version when it is built as a dependency ("go install
// module@v1.2.3") and, since Go 1.24, a pseudo-version with "+dirty" for a
// build in a git work tree; vcs.revision, vcs.time and vcs.modified come
// from the work tree.
func describeBuild(bi *debug.BuildInfo, ldVersion, ldCommit, ldDate string) buildFacts {
	f := buildFacts{Version: ldVersion, Commit: ldCommit, Date: ldDate}
	if bi == nil {
		if f.Version == "" {
			f.Version = "dev"
		}
		return f
	}
	if f.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		f.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			if f.Commit == "" {
				f.Commit = s.Value
			}
		case "vcs.time":
			if f.Date == "" {
				f.Date = s.Value
			}
		case "vcs.modified":
			f.Dirty = s.Value == "true"
		}
	}
	if strings.HasSuffix(f.Version, "+dirty") {
		f.Dirty = true
	}
	if f.Version == "" {
		f.Version = "dev"
	}
	return f
}

// String is the one line of "kakao-auth --version":
// "v1.2.3 (commit 4f62147abc12, 2026-12-07T15:54:14Z)", with ", modified
// work tree" when the build had uncommitted changes.
func (f buildFacts) String() string {
	var extra []string
	if f.Commit != "" {
		c := f.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		extra = append(extra, "commit "+c)
	}
	if f.Date != "" {
		extra = append(extra, f.Date)
	}
	if f.Dirty {
		extra = append(extra, "modified work tree")
	}
	if len(extra) == 0 {
		return f.Version
	}
	return f.Version + " (" + strings.Join(extra, ", ") + ")"
}

// versionString is the root's --version text after "kakao-auth ".
func versionString() string { return currentBuild().String() }

// NewVersionCmd is "kakao-auth version": the same line as --version.
func NewVersionCmd(d *Deps) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and commit date of this kakao-auth",
		Example: `  # Which build is this? Quote it in bug reports.
  kakao-auth version

  # The same line, as scripts expect of --version
  kakao-auth --version`,
		Args:        noArgs,
		Annotations: map[string]string{interruptsAnnotation: interruptsOnDemand},
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(d.Stdout, "kakao-auth %s\n", versionString())
			return err
		},
	}
}
