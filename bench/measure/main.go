// Command measure is the timing helper of bench/run.sh. It runs commands
// repeatedly, interleaved run by run so that noise on a shared machine hits
// every command alike, and prints medians, spreads and ratios against
// baselines measured in the same run. Standard library only.
//
//	measure run      [flags] NAME ARGV... [:: NAME ARGV...]...   time commands one at a time
//	measure burst    [flags] NAME ARGV... [:: NAME ARGV...]...   time N concurrent copies of each
//	measure benchsum [flags] < go-test-output                    summarise repeated go test -bench lines
//	measure expire   FILE                                        move a token record's expiry into the past
//
// In burst, a command named @count is not burst: it runs before and after
// each burst and prints a number (e.g. the emulator's refreshes), and
// -want NAME=K requires every burst of NAME to raise it by exactly K.
//
// Wall time is taken with time.Now around exec.Cmd Start and Wait, so it
// includes the launch (fork/exec) cost, which is the same for every command.
// Peak RSS is the child's rusage ru_maxrss (KiB on Linux). Go starts
// children with vfork (CLONE_VM), and the kernel then counts the parent's
// own resident set into the child's ru_maxrss, so that figure can never be
// below this helper's RSS (the "launcher floor", printed with the results);
// a median at the floor is shown as "≤". When GNU time is installed, extra
// untimed runs under it (a small C parent that uses fork) give the "RSS
// (fork)" column, which has no such floor. To keep the floor low this
// helper imports no networking packages (net/http alone raises it from
// about 2.5 MiB to about 7 MiB); bench/webget does the HTTP.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// errFailed means a correctness check failed; its FAIL lines are printed.
var errFailed = errors.New("a check failed (see the FAIL lines)")

func main() {
	// Garbage is collected only between timed runs (see collect), and the
	// heap stays small: this process's RSS is the floor of the children's
	// ru_maxrss (see the package comment).
	debug.SetGCPercent(-1)
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	args := os.Args[2:]
	switch os.Args[1] {
	case "run":
		err = cmdRun(args)
	case "burst":
		err = cmdBurst(args)
	case "benchsum":
		err = cmdBenchsum(args)
	case "expire":
		err = cmdExpire(args)
	default:
		usage()
	}
	switch {
	case errors.Is(err, errFailed):
		os.Exit(3)
	case err != nil:
		fmt.Fprintf(os.Stderr, "measure %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: measure run|burst|benchsum|expire ... (see bench/README.md)")
	os.Exit(2)
}

// ---------------------------------------------------------------- commands

// command is one named command line.
type command struct {
	name string
	argv []string // argv[0] is an absolute path
}

// parseGroups reads "NAME ARGV... :: NAME ARGV...".
func parseGroups(args []string) ([]command, error) {
	var cmds []command
	var cur []string
	flush := func() error {
		if len(cur) < 2 {
			return fmt.Errorf("want NAME PROGRAM [ARGS...] per command, got %q", cur)
		}
		path, err := exec.LookPath(cur[1])
		if err != nil {
			return err
		}
		if path, err = filepath.Abs(path); err != nil {
			return err
		}
		for _, c := range cmds {
			if c.name == cur[0] {
				return fmt.Errorf("command name %q used twice", cur[0])
			}
		}
		cmds = append(cmds, command{name: cur[0], argv: append([]string{path}, cur[2:]...)})
		cur = nil
		return nil
	}
	for _, a := range args {
		if a == "::" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		cur = append(cur, a)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return cmds, nil
}

func (c command) find(cmds []command) bool {
	return slices.ContainsFunc(cmds, func(o command) bool { return o.name == c.name })
}

// newCmd prepares one run of c with the given stdout and stderr files.
func newCmd(c command, stdout, stderr *os.File) *exec.Cmd {
	return &exec.Cmd{Path: c.argv[0], Args: c.argv, Stdout: stdout, Stderr: stderr}
}

// maxRSS is the child's peak RSS in KiB.
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}

// selfHWM is this process's peak RSS in KiB (VmHWM), 0 when unknown.
func selfHWM() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n
			}
		}
	}
	return 0
}

// failure explains a failed run, with the command's stderr.
func failure(c command, err error, stderr []byte) error {
	msg := strings.TrimSpace(string(stderr))
	if len(msg) > 800 {
		msg = msg[:800] + "…"
	}
	return fmt.Errorf("%s (%s): %v\n%s", c.name, strings.Join(c.argv, " "), err, msg)
}

// rerunForStderr runs c once more to show why it failed.
func rerunForStderr(c command, devnull *os.File, first error) error {
	var buf bytes.Buffer
	cmd := &exec.Cmd{Path: c.argv[0], Args: c.argv, Stdout: devnull, Stderr: &buf}
	_ = cmd.Run()
	return failure(c, first, buf.Bytes())
}

// collect runs the garbage collector every 16th call, outside any timed
// window (automatic collection is off, see main).
var collections int

func collect() {
	if collections++; collections%16 == 0 {
		runtime.GC()
	}
}

// ---------------------------------------------------------------- statistics

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// pct is the nearest-rank q-quantile (0 < q < 1).
func pct(xs []float64, q float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(q*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

func fmtDur(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "n/a"
	case ns < 1e6:
		return fmt.Sprintf("%.0f µs", ns/1e3)
	case ns < 1e9:
		return fmt.Sprintf("%.2f ms", ns/1e6)
	}
	return fmt.Sprintf("%.2f s", ns/1e9)
}

func fmtMiB(kib float64) string {
	if math.IsNaN(kib) || kib <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MiB", kib/1024)
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) || math.IsInf(r, 0) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f×", r)
}

// table prints rows with the first column left-aligned and the others
// right-aligned, two spaces apart, indented by two spaces.
func table(w io.Writer, rows [][]string) {
	widths := map[int]int{}
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		b.WriteString("  ")
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				b.WriteString(c + pad)
			} else {
				b.WriteString("  " + pad + c)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// listFlag collects a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

// verdicts collects target and check lines, printed and appended to a file.
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

// ---------------------------------------------------------------- run

// series are the samples of one command.
type series struct {
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
	var bases []string
	for _, b := range strings.Split(*baselines, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if !(command{name: b}).find(cmds) {
			return fmt.Errorf("baseline %q is not one of the commands", b)
		}
		bases = append(bases, b)
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer devnull.Close()

	data := make([]series, len(cmds))
	one := func(i int, record bool) error {
		c := cmds[i]
		cmd := newCmd(c, devnull, devnull)
		floor := selfHWM()
		t0 := time.Now()
		if err := cmd.Start(); err != nil {
			return failure(c, err, nil)
		}
		werr := cmd.Wait()
		wall := time.Since(t0)
		if werr != nil {
			return rerunForStderr(c, devnull, werr)
		}
		collect()
		if record {
			rss := maxRSS(cmd.ProcessState)
			data[i].wall = append(data[i].wall, float64(wall))
			data[i].rss = append(data[i].rss, float64(rss))
			if floor > 0 && rss <= floor+64 {
				data[i].floored++
			}
		}
		return nil
	}
	// Interleave: round r runs every command once, starting at a rotating
	// index, so no command always runs first (or right after another).
	for r := range *warmup + *n {
		for j := range cmds {
			if err := one((r+j)%len(cmds), r >= *warmup); err != nil {
				return err
			}
		}
	}
	floor := selfHWM()

	haveGNUTime := *rssRuns > 0 && gnuTimeWorks(*gnuTime)
	if haveGNUTime {
		for r := range *rssRuns {
			for j := range cmds {
				i := (r + j) % len(cmds)
				kib, err := forkRSS(*gnuTime, cmds[i], devnull)
				if err != nil {
					return err
				}
				data[i].forkRSS = append(data[i].forkRSS, kib)
			}
		}
	}

	wallMed := func(name string) float64 {
		for i, c := range cmds {
			if c.name == name {
				return median(data[i].wall)
			}
		}
		return math.NaN()
	}
	rssMed := func(name string, fork bool) float64 {
		for i, c := range cmds {
			if c.name == name {
				if fork {
					return median(data[i].forkRSS)
				}
				return median(data[i].rss)
			}
		}
		return math.NaN()
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
	for i, c := range cmds {
		d := data[i]
		row := []string{c.name, fmtDur(median(d.wall)), fmtDur(pct(d.wall, 0.10)), fmtDur(pct(d.wall, 0.90))}
		for _, b := range bases {
			row = append(row, fmtRatio(median(d.wall)/wallMed(b)))
		}
		rss := fmtMiB(median(d.rss))
		if d.floored*2 > len(d.rss) {
			rss = "≤ " + rss
		}
		row = append(row, rss)
		if haveGNUTime {
			row = append(row, fmtMiB(median(d.forkRSS)))
			for _, b := range bases {
				row = append(row, fmtRatio(median(d.forkRSS)/rssMed(b, true)))
			}
		}
		rows = append(rows, row)
	}
	if *title != "" {
		fmt.Println(*title)
	}
	fmt.Printf("  %d timed runs per command, interleaved, after %d warm-up runs; launcher RSS floor %s\n", *n, *warmup, fmtMiB(float64(floor)))
	if haveGNUTime {
		fmt.Printf("  RSS p50: rusage of the child (≤ = at the floor); RSS (fork): median of %d runs under %s\n", *rssRuns, *gnuTime)
	}
	fmt.Println()
	table(os.Stdout, rows)
	fmt.Println()

	v := &verdicts{path: *verdictFile}
	for _, chk := range checks {
		line, err := evalCheck(chk, wallMed)
		if err != nil {
			return err
		}
		v.add(line)
	}
	if len(v.lines) > 0 {
		if err := v.flush(os.Stdout); err != nil {
			return err
		}
		fmt.Println()
	}
	return nil
}

// evalCheck judges "NAME<DUR", "NAME<=DUR", "NAME/BASE<X" or "NAME/BASE<=X".
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

// gnuTimeWorks reports whether path is GNU time (it knows -f %M).
func gnuTimeWorks(path string) bool {
	f, err := os.CreateTemp("", "measure-rss-")
	if err != nil {
		return false
	}
	defer os.Remove(f.Name())
	f.Close()
	if exec.Command(path, "-f", "%M", "-o", f.Name(), "true").Run() != nil {
		return false
	}
	data, _ := os.ReadFile(f.Name())
	_, err = strconv.Atoi(strings.TrimSpace(string(data)))
	return err == nil
}

// forkRSS runs c under GNU time and returns its peak RSS in KiB.
func forkRSS(gnuTime string, c command, devnull *os.File) (float64, error) {
	f, err := os.CreateTemp("", "measure-rss-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	f.Close()
	argv := append([]string{gnuTime, "-f", "%M", "-o", f.Name()}, c.argv...)
	cmd := &exec.Cmd{Path: gnuTime, Args: argv, Stdout: devnull, Stderr: devnull}
	if err := cmd.Run(); err != nil {
		return 0, rerunForStderr(c, devnull, err)
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		return 0, err
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	kib, err := strconv.ParseFloat(strings.TrimSpace(lines[len(lines)-1]), 64)
	if err != nil {
		return 0, fmt.Errorf("GNU time output %q: %v", data, err)
	}
	return kib, nil
}

// ---------------------------------------------------------------- burst

func cmdBurst(args []string) error {
	fs := flag.NewFlagSet("burst", flag.ExitOnError)
	n := fs.Int("n", 50, "processes started at once per burst")
	rounds := fs.Int("rounds", 15, "timed rounds; each runs one burst of every command, in order")
	warmup := fs.Int("warmup", 1, "untimed rounds first")
	expire := fs.String("expire", "", "token record to expire before each round (see measure expire)")
	field := fs.String("counter", "count", "what the @count command counts, for the table")
	baselines := fs.String("baseline", "", "comma-separated command names to give wall-time ratios against")
	title := fs.String("title", "", "heading printed above the table")
	verdictFile := fs.String("verdicts", "", "append check lines to this file")
	var wants listFlag
	fs.Var(&wants, "want", `NAME=K: each burst of NAME must add exactly K to the @count command's number; repeatable`)
	fs.Parse(args)
	cmds, err := parseGroups(fs.Args())
	if err != nil {
		return err
	}
	// A command named @count is not burst: it prints a counter (e.g. the
	// emulator's refreshes), run before and after each burst.
	var counter *command
	for i, c := range cmds {
		if c.name == "@count" {
			counter = &c
			cmds = slices.Delete(cmds, i, i+1)
			break
		}
	}
	var bases []string
	for _, b := range strings.Split(*baselines, ",") {
		if b = strings.TrimSpace(b); b == "" {
			continue
		}
		if !(command{name: b}).find(cmds) {
			return fmt.Errorf("baseline %q is not one of the commands", b)
		}
		bases = append(bases, b)
	}
	want := map[string]int{}
	for _, w := range wants {
		name, k, ok := strings.Cut(w, "=")
		kk, err := strconv.Atoi(k)
		if !ok || err != nil || !(command{name: name}).find(cmds) {
			return fmt.Errorf("-want %q: want NAME=COUNT with a known NAME", w)
		}
		want[name] = kk
	}
	if len(want) > 0 && counter == nil {
		return errors.New("-want needs an @count command")
	}

	dir, err := os.MkdirTemp("", "measure-burst-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	outs := make([]*os.File, *n)
	errs := make([]*os.File, *n)
	for i := range outs {
		if outs[i], err = os.Create(filepath.Join(dir, fmt.Sprintf("out-%d", i))); err != nil {
			return err
		}
		defer outs[i].Close()
		if errs[i], err = os.Create(filepath.Join(dir, fmt.Sprintf("err-%d", i))); err != nil {
			return err
		}
		defer errs[i].Close()
	}
	reset := func() error {
		for _, f := range append(slices.Clone(outs), errs...) {
			if err := f.Truncate(0); err != nil {
				return err
			}
			if _, err := f.Seek(0, io.SeekStart); err != nil {
				return err
			}
		}
		return nil
	}
	count := func() (int, error) {
		if counter == nil {
			return 0, nil
		}
		return readCount(*counter)
	}

	type burstData struct {
		wall   []float64
		deltas []int
	}
	data := make([]burstData, len(cmds))
	var fails []string
	burst := func(ci int, round int, record bool) error {
		c := cmds[ci]
		runtime.GC()
		if err := reset(); err != nil {
			return err
		}
		before, err := count()
		if err != nil {
			return err
		}
		procs := make([]*exec.Cmd, *n)
		for i := range procs {
			procs[i] = newCmd(c, outs[i], errs[i])
		}
		t0 := time.Now()
		for i, p := range procs {
			if err := p.Start(); err != nil {
				for _, q := range procs[:i] {
					q.Process.Kill()
					q.Wait()
				}
				return failure(c, err, nil)
			}
		}
		werrs := make([]error, *n)
		for i, p := range procs {
			werrs[i] = p.Wait()
		}
		wall := time.Since(t0)
		after, err := count()
		if err != nil {
			return err
		}
		for i, werr := range werrs {
			if werr != nil {
				msg, _ := os.ReadFile(errs[i].Name())
				return failure(c, fmt.Errorf("process %d of %d: %v", i+1, *n, werr), msg)
			}
		}
		// Every process must print the same thing (for token: the one
		// access token the shared refresh produced).
		first, err := os.ReadFile(outs[0].Name())
		if err != nil {
			return err
		}
		differ := 0
		for i := 1; i < *n; i++ {
			out, err := os.ReadFile(outs[i].Name())
			if err != nil {
				return err
			}
			if !bytes.Equal(out, first) {
				differ++
			}
		}
		label := fmt.Sprintf("round %d", round+1)
		if !record {
			label = "warm-up round"
		}
		if differ > 0 {
			fails = append(fails, fmt.Sprintf("FAIL    %s, %s: %d of %d processes printed something other than process 1", c.name, label, differ, *n))
		}
		delta := after - before
		if k, ok := want[c.name]; ok && delta != k {
			fails = append(fails, fmt.Sprintf("FAIL    %s, %s: %d %s (want %d)", c.name, label, delta, *field, k))
		}
		if record {
			data[ci].wall = append(data[ci].wall, float64(wall))
			data[ci].deltas = append(data[ci].deltas, delta)
		}
		return nil
	}
	for r := range *warmup + *rounds {
		if *expire != "" {
			if err := expireRecord(*expire, time.Hour); err != nil {
				return err
			}
		}
		for ci := range cmds {
			if err := burst(ci, r-*warmup, r >= *warmup); err != nil {
				return err
			}
		}
	}

	head := []string{"burst", "procs", "wall p50", "p10", "p90", "max"}
	for _, b := range bases {
		head = append(head, "wall ÷ "+b)
	}
	if counter != nil {
		head = append(head, *field+"/burst")
	}
	rows := [][]string{head}
	baseMed := map[string]float64{}
	for i, c := range cmds {
		baseMed[c.name] = median(data[i].wall)
	}
	for i, c := range cmds {
		d := data[i]
		row := []string{c.name, strconv.Itoa(*n), fmtDur(median(d.wall)), fmtDur(pct(d.wall, 0.10)), fmtDur(pct(d.wall, 0.90)), fmtDur(slices.Max(d.wall))}
		for _, b := range bases {
			row = append(row, fmtRatio(median(d.wall)/baseMed[b]))
		}
		if counter != nil {
			lo, hi := slices.Min(d.deltas), slices.Max(d.deltas)
			s := strconv.Itoa(lo)
			if hi != lo {
				s = fmt.Sprintf("%d..%d", lo, hi)
			}
			row = append(row, s)
		}
		rows = append(rows, row)
	}
	if *title != "" {
		fmt.Println(*title)
	}
	fmt.Printf("  %d timed rounds after %d warm-up; each round: ", *rounds, *warmup)
	if *expire != "" {
		fmt.Print("expire the stored token, then ")
	}
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	fmt.Printf("one burst each of %s, in that order\n", strings.Join(names, ", "))
	fmt.Printf("  wall: first Start to last exit of the %d processes\n\n", *n)
	table(os.Stdout, rows)
	fmt.Println()

	v := &verdicts{path: *verdictFile}
	for _, c := range cmds {
		k, ok := want[c.name]
		if !ok {
			continue
		}
		if !slices.ContainsFunc(fails, func(f string) bool { return strings.HasPrefix(f, "FAIL    "+c.name+",") }) {
			v.add(fmt.Sprintf("ok      %s: %s per burst of %d processes = %d in every round (want %d); all %d printed the same output", c.name, *field, *n, k, k, *n))
		}
	}
	for _, f := range fails {
		v.add(f)
	}
	if err := v.flush(os.Stdout); err != nil {
		return err
	}
	fmt.Println()
	if len(fails) > 0 {
		return errFailed
	}
	return nil
}

// readCount runs c and parses its stdout as one integer.
func readCount(c command) (int, error) {
	var out, errb bytes.Buffer
	cmd := &exec.Cmd{Path: c.argv[0], Args: c.argv, Stdout: &out, Stderr: &errb}
	if err := cmd.Run(); err != nil {
		return 0, failure(c, err, errb.Bytes())
	}
	n, err := strconv.Atoi(strings.TrimSpace(out.String()))
	if err != nil {
		return 0, fmt.Errorf("%s printed %q, not a number", c.name, out.String())
	}
	return n, nil
}

// ---------------------------------------------------------------- benchsum

func cmdBenchsum(args []string) error {
	fs := flag.NewFlagSet("benchsum", flag.ExitOnError)
	title := fs.String("title", "", "heading printed above the table")
	var ratios listFlag
	fs.Var(&ratios, "ratio", "UNIT_A:UNIT_B: also print the median over runs of A/B; repeatable")
	var mustBeZero listFlag
	fs.Var(&mustBeZero, "zero", "UNIT: print a FAIL line (exit status 3) when any run reports a non-zero UNIT; repeatable")
	verdictFile := fs.String("verdicts", "", "append FAIL and ok lines to this file")
	fs.Parse(args)

	type metric struct {
		bench, unit string
	}
	var order []metric
	vals := map[metric][]float64{}
	type line map[string]float64
	var lines []line
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		l := line{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			m := metric{f[0], f[i+1]}
			if _, ok := vals[m]; !ok {
				order = append(order, m)
			}
			vals[m] = append(vals[m], v)
			l[f[i+1]] = v
		}
		lines = append(lines, l)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if len(order) == 0 {
		return errors.New("no benchmark lines on stdin")
	}
	rows := [][]string{{"benchmark", "metric", "runs", "p50", "min", "max"}}
	for _, m := range order {
		v := vals[m]
		f := func(x float64) string { return fmtDur(x) }
		if !strings.HasPrefix(m.unit, "ns/") && !strings.Contains(m.unit, "-ns") {
			f = func(x float64) string { return strconv.FormatFloat(x, 'g', 4, 64) }
		}
		rows = append(rows, []string{m.bench, m.unit, strconv.Itoa(len(v)), f(median(v)), f(slices.Min(v)), f(slices.Max(v))})
	}
	if *title != "" {
		fmt.Println(*title)
	}
	table(os.Stdout, rows)
	for _, r := range ratios {
		a, b, ok := strings.Cut(r, ":")
		if !ok {
			return fmt.Errorf("-ratio %q: want UNIT_A:UNIT_B", r)
		}
		var rs []float64
		for _, l := range lines {
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
	fmt.Println()
	v := &verdicts{path: *verdictFile}
	failed := false
	for _, unit := range mustBeZero {
		for _, m := range order {
			if m.unit != unit {
				continue
			}
			if hi := slices.Max(vals[m]); hi != 0 {
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

// ---------------------------------------------------------------- helpers for run.sh

func cmdExpire(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: measure expire TOKEN-RECORD.json")
	}
	return expireRecord(args[0], time.Hour)
}

// expireRecord sets the record's "expiry" to ago before now, replacing the
// file atomically with a new 0600 file (the store refuses any other mode).
func expireRecord(path string, ago time.Duration) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(data, &rec); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if _, ok := rec["expiry"]; !ok {
		return fmt.Errorf("%s: no \"expiry\" field", path)
	}
	exp, _ := json.Marshal(time.Now().Add(-ago).UTC().Format(time.RFC3339Nano))
	rec["expiry"] = exp
	out, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".bench-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(out); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
