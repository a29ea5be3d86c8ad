package cmd

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// apiRequest is one "kakao-auth api" request, built from the command line
// before anything is sent.
type apiRequest struct {
	method string
	path   string // path and query, on the API base
	header http.Header
	body   []byte // nil: none
}

// apiUsageHint is the hint of every malformed api command line.
var apiUsageHint = "run " + termtext.Quoted("kakao-auth", "api", "--help") + " for usage"

// buildAPIRequest turns o into the request to send to the API server at
// base. Files and stdin are read here, so a mistake in them stops the
// command before any token is used.
func buildAPIRequest(ctx context.Context, d *Deps, o *APIOptions, base string) (*apiRequest, error) {
	path, err := apiPath(o.Path, base)
	if err != nil {
		return nil, err
	}
	fields, err := apiFields(ctx, d, o)
	if err != nil {
		return nil, err
	}
	header, err := apiHeader(o.Headers)
	if err != nil {
		return nil, err
	}
	r := &apiRequest{method: strings.ToUpper(o.Method), path: path, header: header}
	if r.method == "" {
		r.method = http.MethodGet
		if len(fields) > 0 || o.Input != "" {
			r.method = http.MethodPost
		}
	}
	if !validToken(r.method) {
		return nil, usagef(apiUsageHint, "-X %q is not an HTTP method", o.Method)
	}
	if o.Input != "" {
		if r.body, err = readInput(ctx, d, o.Input); err != nil {
			return nil, err
		}
	}
	// Fields go in the query of a GET (or of any request with --input),
	// and in a form body otherwise, which is what kapi reads.
	if len(fields) > 0 && (o.Input != "" || r.method == http.MethodGet || r.method == http.MethodHead) {
		sep := "?"
		if strings.Contains(r.path, "?") {
			sep = "&"
		}
		r.path += sep + fields.Encode()
	} else if len(fields) > 0 {
		r.body = []byte(fields.Encode())
	}
	if r.body != nil && r.header.Get("Content-Type") == "" {
		r.header.Set("Content-Type", kakao.FormContentType)
	}
	return r, nil
}

// apiPath checks PATH and returns what to send on base: PATH itself when
// it starts with "/", PATH with a "/" in front when it is a relative path
// ("v2/user/me", as gh api takes "repos/…"), or the path and query of an
// absolute URL on base (same scheme and host, under base's path). The
// access token goes to the API base only, so any other URL is refused
// before anything is sent.
// Dot segments ("/v2/../x", also percent-encoded) are refused too: they
// would be resolved by the server, possibly outside base's path.
func apiPath(raw, base string) (string, error) {
	if raw == "" {
		return "", usagef(apiUsageHint, "PATH is empty")
	}
	if strings.HasPrefix(raw, "//") {
		return "", usagef("give the path on the API server alone, such as /v2/user/me", "PATH %q looks like a URL without its scheme", raw)
	}
	b, err := url.Parse(base)
	if err != nil {
		return "", fmt.Errorf("the API server URL %q: %w", base, err)
	}
	path := raw
	if u, err := url.Parse(raw); err == nil && !strings.HasPrefix(raw, "/") && u.Scheme == "" && u.Host == "" {
		path = "/" + raw
	} else if !strings.HasPrefix(raw, "/") {
		if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
			return "", usagef(fmt.Sprintf("give a path on the API server, such as /v2/user/me, or a URL on %s", base), "PATH %q is not a path on the API server", raw)
		}
		if u.User != nil || !strings.EqualFold(u.Scheme, b.Scheme) || hostPort(u) != hostPort(b) {
			return "", usagef(fmt.Sprintf("give the path alone, such as /v2/user/me; the access token only ever goes to the login's API server %s (set at login with --api-url)", base),
				"refusing to send the access token to %s://%s: it is not the login's API server", u.Scheme, u.Host)
		}
		rel, ok := strings.CutPrefix(u.EscapedPath(), strings.TrimRight(b.EscapedPath(), "/"))
		if !ok || (rel != "" && !strings.HasPrefix(rel, "/")) {
			return "", usagef(fmt.Sprintf("the API server is %s: give a URL under it, or the path alone", base), "URL %q is not under the API server's path", raw)
		}
		path = rel
		if u.RawQuery != "" {
			path += "?" + u.RawQuery
		}
		if path == "" || strings.HasPrefix(path, "?") {
			path = "/" + path
		}
	}
	p, _, _ := strings.Cut(path, "?")
	for _, seg := range strings.Split(p, "/") {
		if s, err := url.PathUnescape(seg); err == nil && (s == "." || s == "..") || seg == "." || seg == ".." {
			return "", usagef("give the path without . or .. segments", "PATH %q has a %q segment", raw, seg)
		}
	}
	if _, err := url.Parse(path); err != nil || strings.ContainsAny(path, " \t\r\n#") {
		return "", usagef("percent-encode spaces and special characters in PATH, or pass values with -f", "PATH %q is not a valid URL path", raw)
	}
	return path, nil
}

// hostPort is u's host and port, the scheme's default port written out,
// in lowercase.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[strings.ToLower(u.Scheme)]
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// apiFields reads -f (strings, as written) and -F (typed) fields. In a
// form or a query every value is text, so typing means: @file reads the
// value from a file (@- from stdin), null is an empty value, and true,
// false and numbers are sent as written.
func apiFields(ctx context.Context, d *Deps, o *APIOptions) (url.Values, error) {
	fields := url.Values{}
	for _, f := range o.StringFields {
		k, v, err := splitField("-f", f)
		if err != nil {
			return nil, err
		}
		fields.Add(k, v)
	}
	for _, f := range o.TypedFields {
		k, v, err := splitField("-F", f)
		if err != nil {
			return nil, err
		}
		switch {
		case v == "null":
			v = ""
		case strings.HasPrefix(v, "@"):
			data, err := readInput(ctx, d, v[1:])
			if err != nil {
				return nil, err
			}
			v = string(data)
		}
		fields.Add(k, v)
	}
	return fields, nil
}

func splitField(flag, f string) (key, value string, err error) {
	key, value, ok := strings.Cut(f, "=")
	if !ok || key == "" {
		return "", "", usagef(apiUsageHint, "%s %q is not key=value", flag, f)
	}
	return key, value, nil
}

// apiHeader reads -H "Name: value" headers. The access token is the
// command's to send: Authorization is refused, and Host, which would send
// the request to another site behind the same server.
func apiHeader(lines []string) (http.Header, error) {
	h := http.Header{}
	for _, line := range lines {
		name, value, ok := strings.Cut(line, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !validToken(name) || strings.ContainsAny(value, "\r\n\x00") {
			return nil, usagef(`write a header as -H "Name: value"`, "-H %q is not a header", line)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Authorization", "Host":
			return nil, usagef("kakao-auth api sends the login's access token to its API server itself; for other credentials use curl", "-H %s is not allowed", name)
		}
		h.Add(name, value)
	}
	return h, nil
}

// readInput reads a file named on the command line, "-" for stdin.
func readInput(ctx context.Context, d *Deps, name string) ([]byte, error) {
	data, err := readFlagFile(ctx, d, name, maxRequestBody)
	var big *tooLargeError
	switch {
	case errors.As(err, &big):
		return nil, usagef("Kakao's API takes small bodies", "%s", big)
	case err != nil && ctx.Err() != nil:
		return nil, err
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, fs.ErrPermission):
		return nil, usagef("check the file name", "read %s: %v", name, err)
	case err != nil:
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return data, nil
}

// stdinReaders counts the inputs of o that read stdin; one at most can.
func (o *APIOptions) stdinReaders(secretFile string) int {
	n := 0
	if o.Input == "-" {
		n++
	}
	if secretFile == "-" {
		n++
	}
	for _, f := range o.TypedFields {
		if _, v, _ := strings.Cut(f, "="); v == "@-" {
			n++
		}
	}
	return n
}

// validToken reports whether s is an HTTP token (RFC 9110 §5.6.2), as
// header names and methods are.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}
