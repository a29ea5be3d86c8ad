package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

// initStat is one package's "init" line of GODEBUG=inittrace=1:
// "init PKG @T ms, CLOCK ms clock, BYTES bytes, ALLOCS allocs".
type initStat struct {
	pkg           string
	clockMs       float64
	bytes, allocs float64
}

// cmdInittrace runs a command repeatedly under GODEBUG=inittrace=1 and
// prints, per package, the median clock time and allocations of its
// initialisation, the costliest first, with the per-run total.
func cmdInittrace(args []string) error {
	fs := flag.NewFlagSet("inittrace", flag.ExitOnError)
	n := fs.Int("n", 51, "runs")
	top := fs.Int("top", 15, "packages to list")
	title := fs.String("title", "", "heading printed above the table")
	fs.Parse(args)
	if fs.NArg() == 0 {
		return fmt.Errorf("want PROGRAM [ARGS...]")
	}
	var runs [][]initStat
	for range *n {
		c := exec.Command(fs.Arg(0), fs.Args()[1:]...)
		c.Env = append(os.Environ(), "GODEBUG="+strings.TrimPrefix(os.Getenv("GODEBUG")+",inittrace=1", ","))
		var stderr bytes.Buffer
		c.Stderr = &stderr
		if err := c.Run(); err != nil {
			return fmt.Errorf("%s: %v\n%s", strings.Join(fs.Args(), " "), err, stderr.String())
		}
		stats, err := parseInittrace(&stderr)
		if err != nil {
			return err
		}
		runs = append(runs, stats)
	}
	if *title != "" {
		fmt.Println(*title)
	}
	printInittrace(os.Stdout, runs, *top)
	fmt.Println()
	return nil
}

// parseInittrace reads the init lines of one run and skips everything else.
func parseInittrace(r io.Reader) ([]initStat, error) {
	var stats []initStat
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		// init PKG @T ms, CLOCK ms clock, BYTES bytes, ALLOCS allocs
		if len(f) != 11 || f[0] != "init" || f[6] != "clock," || f[8] != "bytes," || f[10] != "allocs" {
			continue
		}
		clock, err1 := strconv.ParseFloat(f[4], 64)
		b, err2 := strconv.ParseFloat(f[7], 64)
		a, err3 := strconv.ParseFloat(f[9], 64)
		if err1 != nil || err2 != nil || err3 != nil {
			return nil, fmt.Errorf("inittrace line %q: bad number", sc.Text())
		}
		stats = append(stats, initStat{pkg: f[1], clockMs: clock, bytes: b, allocs: a})
	}
	return stats, sc.Err()
}

// printInittrace prints the median per-run total and the top packages by
// median clock time.
func printInittrace(w io.Writer, runs [][]initStat, top int) {
	var totClock, totBytes, totAllocs, count []float64
	perPkg := map[string][]initStat{}
	for _, run := range runs {
		var c, b, a float64
		for _, s := range run {
			c, b, a = c+s.clockMs, b+s.bytes, a+s.allocs
			perPkg[s.pkg] = append(perPkg[s.pkg], s)
		}
		totClock, totBytes, totAllocs = append(totClock, c), append(totBytes, b), append(totAllocs, a)
		count = append(count, float64(len(run)))
	}
	fmt.Fprintf(w, "  %d runs; per run (median): %.0f packages initialised in %s of clock time, %.0f KiB in %.0f allocations\n\n",
		len(runs), median(count), fmtDur(median(totClock)*1e6), median(totBytes)/1024, median(totAllocs))
	type row struct {
		pkg                  string
		clock, bytes, allocs float64
	}
	var rows []row
	for pkg, ss := range perPkg {
		var c, b, a []float64
		for _, s := range ss {
			c, b, a = append(c, s.clockMs), append(b, s.bytes), append(a, s.allocs)
		}
		rows = append(rows, row{pkg, median(c), median(b), median(a)})
	}
	slices.SortFunc(rows, func(x, y row) int {
		if x.clock != y.clock {
			if x.clock > y.clock {
				return -1
			}
			return 1
		}
		return strings.Compare(x.pkg, y.pkg)
	})
	out := [][]string{{"package", "clock p50", "share", "bytes", "allocs"}}
	for i, r := range rows {
		if i == top {
			break
		}
		out = append(out, []string{r.pkg, fmtDur(r.clock * 1e6), fmt.Sprintf("%.0f%%", 100*r.clock/median(totClock)),
			strconv.FormatFloat(r.bytes, 'f', 0, 64), strconv.FormatFloat(r.allocs, 'f', 0, 64)})
	}
	table(w, out)
}
