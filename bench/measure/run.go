package main

import (
	"flag"
	"fmt"
	"math"
	"os"
	"runtime"
	"time"
)

// series are the samples of one command.
type series struct {
	command
	wall    []float64 // ns
	rss     []float64 // KiB, rusage of the vfork'd child
	floored int       // samples whose rss was at the launcher floor
	forkRSS []float64 // KiB, from GNU time
}

func cmdRun(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	n := fs.Int("n", 200, "timed runs per command")
	warmup := fs.Int("warmup", 5, "untimed runs per command first")
	baselines := fs.String("baseline", "", "comma-separated command names to give ratios against")
	rssRuns := fs.Int("rss-runs", 21, "extra untimed runs under GNU time per command for the RSS (fork) column; 0 turns them off")
	gnuTime := fs.String("gnu-time", "/usr/bin/time", "GNU time, for the RSS (fork) column")
	title := fs.String("title", "", "heading printed above the table")
	var checks listFlag
	fs.Var(&checks, "check", `a target: "NAME<5ms" (median wall) or "NAME/BASE<=2" (ratio of medians); repeatable`)
	verdictFile := fs.String("verdicts", "", "append target lines to this file")
	fs.Parse(args)
	cmds, err := parseGroups(fs.Args())
	if err != nil {
		return err
	}
	bases, err := parseBaselines(*baselines, cmds)
	if err != nil {
		return err
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()

	data := make([]*series, len(cmds))
	for i, c := range cmds {
		data[i] = &series{command: c}
	}
	if err := timeInterleaved(data, *warmup, *n, devnull); err != nil {
		return err
	}
	floor := selfHWM()
	haveGNUTime := *rssRuns > 0 && gnuTimeWorks(*gnuTime)
	if haveGNUTime {
		if err := measureForkRSS(data, *gnuTime, *rssRuns, devnull); err != nil {
			return err
		}
	}

	if *title != "" {
		fmt.Println(*title)
	}
	fmt.Printf("  %d timed runs per command, interleaved, after %d warm-up runs; launcher RSS floor %s\n", *n, *warmup, fmtMiB(float64(floor)))
	if haveGNUTime {
		fmt.Printf("  RSS p50: rusage of the child (≤ = at the floor); RSS (fork): median of %d runs under %s\n", *rssRuns, *gnuTime)
	}
	fmt.Println()
	table(os.Stdout, runRows(data, bases, haveGNUTime))
	fmt.Println()
	return printChecks(checks, data, *verdictFile)
}

// timeInterleaved runs warmup+n rounds and records the last n. Round r runs
// every command once, starting at a rotating index, so no command always
// runs first (or right after another).
func timeInterleaved(data []*series, warmup, n int, devnull *os.File) error {
	for r := range warmup + n {
		for j := range data {
			if err := timeOnce(data[(r+j)%len(data)], r >= warmup, devnull); err != nil {
				return err
			}
		}
	}
	return nil
}

// timeOnce runs s's command once and, if record, keeps its wall time and
// peak RSS.
func timeOnce(s *series, record bool, devnull *os.File) error {
	cmd := newCmd(s.command, devnull, devnull)
	floor := selfHWM()
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return failure(s.command, err, nil)
	}
	werr := cmd.Wait()
	wall := time.Since(t0)
	if werr != nil {
		return rerunForStderr(s.command, devnull, werr)
	}
	collect()
	if record {
		rss := maxRSS(cmd.ProcessState)
		s.wall = append(s.wall, float64(wall))
		s.rss = append(s.rss, float64(rss))
		if floor > 0 && rss <= floor+64 {
			s.floored++
		}
	}
	return nil
}

// collect runs the garbage collector every 16th call, outside any timed
// window (automatic collection is off, see main).
var collections int

func collect() {
	if collections++; collections%16 == 0 {
		runtime.GC()
	}
}

// measureForkRSS adds rounds untimed runs of every command under GNU time,
// interleaved like the timed ones.
func measureForkRSS(data []*series, gnuTime string, rounds int, devnull *os.File) error {
	for r := range rounds {
		for j := range data {
			s := data[(r+j)%len(data)]
			kib, err := forkRSS(gnuTime, s.command, devnull)
			if err != nil {
				return err
			}
			s.forkRSS = append(s.forkRSS, kib)
		}
	}
	return nil
}

// find returns the series of the named command, nil if there is none.
func find(data []*series, name string) *series {
	for _, s := range data {
		if s.name == name {
			return s
		}
	}
	return nil
}

// runRows is the table of run: one row per command, wall-time ratios
// against each baseline, and with GNU time, RSS ratios from its column
// (the rusage column has the launcher floor, see the package comment).
func runRows(data []*series, bases []string, haveGNUTime bool) [][]string {
	baseData := make([]*series, len(bases)) // bases are known command names
	for i, b := range bases {
		baseData[i] = find(data, b)
	}
	head := []string{"command", "wall p50", "p10", "p90"}
	for _, b := range bases {
		head = append(head, "wall ÷ "+b)
	}
	head = append(head, "RSS p50")
	if haveGNUTime {
		head = append(head, "RSS (fork)")
		for _, b := range bases {
			head = append(head, "RSS ÷ "+b)
		}
	}
	rows := [][]string{head}
	for _, s := range data {
		row := []string{s.name, fmtDur(median(s.wall)), fmtDur(pct(s.wall, 0.10)), fmtDur(pct(s.wall, 0.90))}
		for _, b := range baseData {
			row = append(row, fmtRatio(median(s.wall)/median(b.wall)))
		}
		rss := fmtMiB(median(s.rss))
		if s.floored*2 > len(s.rss) {
			rss = "≤ " + rss
		}
		row = append(row, rss)
		if haveGNUTime {
			row = append(row, fmtMiB(median(s.forkRSS)))
			for _, b := range baseData {
				row = append(row, fmtRatio(median(s.forkRSS)/median(b.forkRSS)))
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// printChecks judges each -check and prints the verdicts under the table.
func printChecks(checks []string, data []*series, verdictFile string) error {
	v := &verdicts{path: verdictFile}
	wallMed := func(name string) float64 {
		if s := find(data, name); s != nil {
			return median(s.wall)
		}
		return math.NaN()
	}
	for _, chk := range checks {
		line, err := evalCheck(chk, wallMed)
		if err != nil {
			return err
		}
		v.add(line)
	}
	if len(v.lines) == 0 {
		return nil
	}
	if err := v.flush(os.Stdout); err != nil {
		return err
	}
	fmt.Println()
	return nil
}
