package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// benchMetric is one benchmark's one unit, e.g. ns/op.
type benchMetric struct {
	bench, unit string
}

// benchRuns are the parsed lines of repeated go test -bench runs.
type benchRuns struct {
	order []benchMetric             // as first seen
	vals  map[benchMetric][]float64 // one value per line
	lines []map[string]float64      // unit → value, per line
}

func cmdBenchsum(args []string) error {
	fs := flag.NewFlagSet("benchsum", flag.ExitOnError)
	title := fs.String("title", "", "heading printed above the table")
	var ratios listFlag
	fs.Var(&ratios, "ratio", "UNIT_A:UNIT_B: also print the median over runs of A/B; repeatable")
	var mustBeZero listFlag
	fs.Var(&mustBeZero, "zero", "UNIT: print a FAIL line (exit status 3) when any run reports a non-zero UNIT; repeatable")
	verdictFile := fs.String("verdicts", "", "append FAIL and ok lines to this file")
	fs.Parse(args)

	runs, err := parseBenchLines(os.Stdin)
	if err != nil {
		return err
	}
	if *title != "" {
		fmt.Println(*title)
	}
	table(os.Stdout, runs.rows())
	for _, r := range ratios {
		a, b, ok := strings.Cut(r, ":")
		if !ok {
			return fmt.Errorf("-ratio %q: want UNIT_A:UNIT_B", r)
		}
		runs.printRatio(a, b)
	}
	fmt.Println()
	return runs.printZeroChecks(mustBeZero, *verdictFile)
}

// parseBenchLines reads the result lines of go test -bench ("BenchmarkX-2
// N value unit value unit ...") and skips everything else.
func parseBenchLines(r io.Reader) (*benchRuns, error) {
	runs := &benchRuns{vals: map[benchMetric][]float64{}}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		l := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			m := benchMetric{f[0], f[i+1]}
			if _, ok := runs.vals[m]; !ok {
				runs.order = append(runs.order, m)
			}
			runs.vals[m] = append(runs.vals[m], v)
			l[f[i+1]] = v
		}
		runs.lines = append(runs.lines, l)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(runs.order) == 0 {
		return nil, errors.New("no benchmark lines on stdin")
	}
	return runs, nil
}

// rows is the table of benchsum: per metric, the median, min and max over
// the runs; units in nanoseconds print as durations.
func (runs *benchRuns) rows() [][]string {
	rows := [][]string{{"benchmark", "metric", "runs", "p50", "min", "max"}}
	for _, m := range runs.order {
		v := runs.vals[m]
		f := func(x float64) string { return fmtDur(x) }
		if !strings.HasPrefix(m.unit, "ns/") && !strings.Contains(m.unit, "-ns") {
			f = func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
		}
		rows = append(rows, []string{m.bench, m.unit, strconv.Itoa(len(v)), f(median(v)), f(slices.Min(v)), f(slices.Max(v))})
	}
	return rows
}

// printRatio prints the median over runs of unit a ÷ unit b, taken line by
// line so that each ratio compares figures of the same run.
func (runs *benchRuns) printRatio(a, b string) {
	var rs []float64
	for _, l := range runs.lines {
		x, okx := l[a]
		y, oky := l[b]
		if okx && oky && y != 0 {
			rs = append(rs, x/y)
		}
	}
	if len(rs) > 0 {
		fmt.Printf("  %s ÷ %s: %s (median over %d runs, min %s, max %s)\n", a, b, fmtRatio(median(rs)), len(rs), fmtRatio(slices.Min(rs)), fmtRatio(slices.Max(rs)))
	}
}

// printZeroChecks prints an ok or FAIL line per benchmark reporting each
// unit, and returns errFailed when any run reported a non-zero value.
func (runs *benchRuns) printZeroChecks(units []string, verdictFile string) error {
	v := &verdicts{path: verdictFile}
	failed := false
	for _, unit := range units {
		for _, m := range runs.order {
			if m.unit != unit {
				continue
			}
			if hi := slices.Max(runs.vals[m]); hi != 0 {
				failed = true
				v.add(fmt.Sprintf("FAIL    %s: %s up to %g (want 0 in every run)", m.bench, unit, hi))
			} else {
				v.add(fmt.Sprintf("ok      %s: %s = 0 in every run", m.bench, unit))
			}
		}
	}
	if len(v.lines) > 0 {
		if err := v.flush(os.Stdout); err != nil {
			return err
		}
		fmt.Println()
	}
	if failed {
		return errFailed
	}
	return nil
}
