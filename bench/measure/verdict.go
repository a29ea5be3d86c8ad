package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// verdicts collects target and check lines, printed under the table and
// appended to a file that bench/run.sh repeats at the end.
type verdicts struct {
	path  string
	lines []string
}

func (v *verdicts) add(line string) {
	v.lines = append(v.lines, line)
}

func (v *verdicts) flush(w io.Writer) error {
	for _, l := range v.lines {
		fmt.Fprintln(w, "  "+l)
	}
	if v.path == "" || len(v.lines) == 0 {
		return nil
	}
	f, err := os.OpenFile(v.path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, strings.Join(v.lines, "\n"))
	return err
}

// evalCheck judges "NAME<DUR", "NAME<=DUR", "NAME/BASE<X" or "NAME/BASE<=X"
// against the median wall times; BASE need not be a -baseline column.
func evalCheck(expr string, wallMed func(string) float64) (string, error) {
	op := "<"
	i := strings.Index(expr, "<")
	if i < 0 {
		return "", fmt.Errorf("check %q: want NAME<LIMIT or NAME/BASE<=RATIO", expr)
	}
	lhs, rhs := expr[:i], expr[i+1:]
	if strings.HasPrefix(rhs, "=") {
		op, rhs = "≤", rhs[1:]
	}
	pass := func(v, lim float64) bool {
		if op == "<" {
			return v < lim
		}
		return v <= lim
	}
	verdict := func(ok bool) string {
		if ok {
			return "met   "
		}
		return "MISSED"
	}
	if name, base, ok := strings.Cut(lhs, "/"); ok {
		lim, err := strconv.ParseFloat(rhs, 64)
		if err != nil {
			return "", fmt.Errorf("check %q: %v", expr, err)
		}
		r := wallMed(name) / wallMed(base)
		if math.IsNaN(r) {
			return "", fmt.Errorf("check %q: unknown command", expr)
		}
		return fmt.Sprintf("%s  %s median wall ÷ %s: %s (target %s %g×)", verdict(pass(r, lim)), name, base, fmtRatio(r), op, lim), nil
	}
	lim, err := time.ParseDuration(rhs)
	if err != nil {
		return "", fmt.Errorf("check %q: %v", expr, err)
	}
	m := wallMed(lhs)
	if math.IsNaN(m) {
		return "", fmt.Errorf("check %q: unknown command", expr)
	}
	return fmt.Sprintf("%s  %s median wall: %s (target %s %s)", verdict(pass(m, float64(lim))), lhs, fmtDur(m), op, lim), nil
}
