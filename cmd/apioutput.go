package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/itchyny/gojq"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// compileJQ compiles a --jq expression ("" is none), as gh api takes it.
// A query cannot read the environment (gojq's default): the client secret
// and refresh token may be there.
func compileJQ(expr string) (*gojq.Code, error) {
	if expr == "" {
		return nil, nil
	}
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, usagef("see https://jqlang.org/manual/ for jq's language", "--jq %q: %v", expr, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, usagef("see https://jqlang.org/manual/ for jq's language", "--jq %q: %v", expr, err)
	}
	return code, nil
}

// writeAPIAnswer prints an answer as "api" shows it: with -i the status
// line and headers, then the body, or what --jq makes of a 2xx JSON body
// (an error answer is shown whole, as gh does). Off a terminal the body is
// written exactly as it came. On a terminal, where text from outside could
// move the cursor or retitle the window, JSON is indented and every
// control character is shown as an escape (termtext).
func writeAPIAnswer(ctx context.Context, d *Deps, o *APIOptions, resp *kakao.Response, jq *gojq.Code) error {
	if o.Silent {
		return nil
	}
	var out bytes.Buffer
	if o.Include {
		fmt.Fprintf(&out, "%s %s\n", resp.Proto, termtext.Line(resp.Status))
		names := make([]string, 0, len(resp.Header))
		for name := range resp.Header {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			for _, v := range resp.Header[name] {
				fmt.Fprintf(&out, "%s: %s\n", termtext.Line(name), termtext.Line(v))
			}
		}
		out.WriteString("\n")
	}
	if jq != nil && resp.OK() && len(resp.Body) > 0 {
		if _, err := d.Stdout.Write(out.Bytes()); err != nil {
			return err
		}
		return runJQ(ctx, d, jq, resp.Body)
	}
	if d.StdoutIsTerminal {
		body := resp.Body
		var pretty bytes.Buffer
		if json.Indent(&pretty, body, "", "  ") == nil {
			pretty.WriteString("\n")
			body = pretty.Bytes()
		}
		out.WriteString(termtext.Lines(string(body)))
	} else {
		out.Write(resp.Body)
	}
	_, err := d.Stdout.Write(out.Bytes())
	return err
}

// runJQ writes what jq makes of a JSON body to stdout as it comes, one
// result a line: strings as plain text, other values as JSON (indented on
// a terminal). Numbers keep their digits: Kakao's user IDs are 64-bit.
func runJQ(ctx context.Context, d *Deps, code *gojq.Code, body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var input any
	if err := dec.Decode(&input); err != nil {
		return fmt.Errorf("--jq: the answer is not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("--jq: the answer is not one JSON value")
	}
	iter := code.RunWithContext(ctx, input)
	for {
		v, ok := iter.Next()
		if !ok {
			return nil
		}
		if err, ok := v.(error); ok {
			var halt *gojq.HaltError
			if errors.As(err, &halt) && halt.Value() == nil {
				return nil
			}
			return fmt.Errorf("--jq: %v", err)
		}
		var text []byte
		if s, ok := v.(string); ok {
			text = []byte(s)
		} else {
			var err error
			if text, err = gojq.Marshal(v); err != nil {
				return fmt.Errorf("--jq: %v", err)
			}
			text = termtext.JSON(text) // like every JSON document kakao-auth writes
			if d.StdoutIsTerminal {
				var pretty bytes.Buffer
				if json.Indent(&pretty, text, "", "  ") == nil {
					text = pretty.Bytes()
				}
			}
		}
		if d.StdoutIsTerminal {
			text = []byte(termtext.Lines(string(text)))
		}
		if _, err := d.Stdout.Write(append(text, '\n')); err != nil {
			return err
		}
	}
}
