package cmd

import (
	"fmt"
	"os"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// GitHub Actions support: masking secrets in the log and handing values to
// later steps. See "Workflow commands for GitHub Actions".

// inGitHubActions reports whether kakao-auth runs in a GitHub Actions job.
func inGitHubActions(d *Deps) bool { return d.Getenv("GITHUB_ACTIONS") == "true" }

// maskSecrets asks the runner to hide each value in the log from now on.
// The runner reads workflow commands from stderr as well as stdout, so
// stdout keeps only the data asked for.
func maskSecrets(d *Deps, values ...string) {
	if !inGitHubActions(d) {
		return
	}
	for _, v := range values {
		if v != "" && !strings.ContainsAny(v, "\r\n") {
			fmt.Fprintf(d.Stderr, "::add-mask::%s\n", v)
		}
	}
}

// warnf prints a warning for people, on one line with any outside text in
// it shown safely; in GitHub Actions it is also an annotation on the job.
func warnf(d *Deps, format string, args ...any) {
	msg := termtext.Line(fmt.Sprintf(format, args...))
	if inGitHubActions(d) {
		fmt.Fprintf(d.Stderr, "::warning title=kakao-auth::%s\n", escapeCommandData(msg))
		return
	}
	fmt.Fprintf(d.Stderr, "kakao-auth: warning: %s\n", msg)
}

// escapeCommandData escapes the data of a workflow command as the runner
// unescapes it ("%25" is "%", "%0A" a line break).
func escapeCommandData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// appendGitHubFile appends name=value lines to the file named by env (such
// as GITHUB_ENV or GITHUB_OUTPUT).
func appendGitHubFile(d *Deps, env string, pairs [][2]string) error {
	path := d.Getenv(env)
	if path == "" {
		return usagef("this output works inside a GitHub Actions step, where the runner sets "+env, "%s is not set", env)
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("open %s: %w", env, err)
	}
	var b strings.Builder
	for _, p := range pairs {
		if strings.ContainsAny(p[1], "\r\n") {
			f.Close()
			return fmt.Errorf("value of %s has a line break", p[0])
		}
		fmt.Fprintf(&b, "%s=%s\n", p[0], p[1])
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", env, err)
	}
	return f.Close()
}
