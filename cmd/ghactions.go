package cmd

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// GitHub Actions support: masking secrets in the log and handing values to
// later steps. See "Workflow commands for GitHub Actions".

// inGitHubActions reports whether kakao-auth runs in a GitHub Actions job.
func inGitHubActions(d *Deps) bool { return d.Getenv("GITHUB_ACTIONS") == "true" }

// errUnmaskable refuses a secret that one mask command cannot cover.
var errUnmaskable = errors.New("a secret to be printed has a line break, so GitHub Actions could not mask it in the log (it masks line by line); nothing was printed")

// maskSecrets asks the runner to hide each value in the log from now on.
// Every secret written to stdout, GITHUB_ENV or GITHUB_OUTPUT goes through
// it first. The runner reads workflow commands from stderr as well as
// stdout, so stdout keeps only the data asked for. Checked values have no
// line breaks, so one command covers each; a value with one is refused
// (and the caller writes nothing), since the runner masks line by line.
func maskSecrets(d *Deps, values ...string) error {
	if !inGitHubActions(d) {
		return nil
	}
	for _, v := range values {
		if strings.ContainsAny(v, "\r\n") {
			return errUnmaskable
		}
	}
	for _, v := range values {
		if v == "" || d.masked[v] {
			continue
		}
		fmt.Fprintf(d.Stderr, "::add-mask::%s\n", escapeCommandData(v))
		if d.masked == nil {
			d.masked = map[string]bool{}
		}
		d.masked[v] = true
	}
	return nil
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

// notef tells people what kakao-auth is doing, on one line with any
// outside text in it shown safely. It is not a warning, so in GitHub
// Actions too it is a plain line of the log.
func notef(d *Deps, format string, args ...any) {
	fmt.Fprintf(d.Stderr, "kakao-auth: %s\n", termtext.Line(fmt.Sprintf(format, args...)))
}

// escapeCommandData escapes the data of a workflow command as the runner
// unescapes it ("%25" is "%", "%0A" a line break): unescaped, a secret
// holding "%25" would mask another string than the one printed.
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
	// Every value here is a secret, and later steps may print these files.
	for _, p := range pairs {
		if err := maskSecrets(d, p[1]); err != nil {
			return fmt.Errorf("%s: %w", p[0], err)
		}
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
