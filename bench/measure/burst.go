package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// burster runs bursts of n copies of a command and checks what they did.
type burster struct {
	n       int
	outs    []*os.File // stdout of process i, compared after each burst
	errs    []*os.File // stderr of process i, shown when it fails
	counter *command   // the @count command, or nil
	field   string     // what counter counts, for messages
	want    map[string]int
	fails   []string // FAIL lines, in the order found
}

// burstData are the samples of one burst command.
type burstData struct {
	command
	wall   []float64 // ns, first Start to last exit
	deltas []int     // counter change per burst
}

func cmdBurst(args []string) error {
	fs := flag.NewFlagSet("burst", flag.ExitOnError)
	n := fs.Int("n", 50, "processes started at once per burst")
	rounds := fs.Int("rounds", 15, "timed rounds; each runs one burst of every command, in order")
	warmup := fs.Int("warmup", 1, "untimed rounds first")
	expire := fs.String("expire", "", "token record to expire before each round (see measure expire)")
	expireCmd := fs.String("expire-cmd", "", "shell command that expires the stored token before each round (a shared store's)")
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
	b := &burster{n: *n, field: *field, want: map[string]int{}}
	if i := slices.IndexFunc(cmds, func(c command) bool { return c.name == "@count" }); i >= 0 {
		b.counter = &cmds[i]
		cmds = slices.Delete(slices.Clone(cmds), i, i+1)
	}
	bases, err := parseBaselines(*baselines, cmds)
	if err != nil {
		return err
	}
	for _, w := range wants {
		name, k, ok := strings.Cut(w, "=")
		kk, err := strconv.Atoi(k)
		if !ok || err != nil || !hasCommand(cmds, name) {
			return fmt.Errorf("-want %q: want NAME=COUNT with a known NAME", w)
		}
		b.want[name] = kk
	}
	if len(b.want) > 0 && b.counter == nil {
		return errors.New("-want needs an @count command")
	}

	dir, err := os.MkdirTemp("", "measure-burst-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := b.createFiles(dir); err != nil {
		return err
	}
	defer b.closeFiles()

	data := make([]*burstData, len(cmds))
	for i, c := range cmds {
		data[i] = &burstData{command: c}
	}
	for r := range *warmup + *rounds {
		if *expire != "" {
			if err := expireRecord(*expire, time.Hour); err != nil {
				return err
			}
		}
		if *expireCmd != "" {
			if out, err := exec.Command("sh", "-c", *expireCmd).CombinedOutput(); err != nil {
				return fmt.Errorf("-expire-cmd: %v: %s", err, out)
			}
		}
		label, record := fmt.Sprintf("round %d", r-*warmup+1), r >= *warmup
		if !record {
			label = "warm-up round"
		}
		for _, d := range data {
			if err := b.burst(d, label, record); err != nil {
				return err
			}
		}
	}

	if *title != "" {
		fmt.Println(*title)
	}
	fmt.Printf("  %d timed rounds after %d warm-up; each round: ", *rounds, *warmup)
	if *expire != "" || *expireCmd != "" {
		fmt.Print("expire the stored token, then ")
	}
	names := make([]string, len(cmds))
	for i, c := range cmds {
		names[i] = c.name
	}
	fmt.Printf("one burst each of %s, in that order\n", strings.Join(names, ", "))
	fmt.Printf("  wall: first Start to last exit of the %d processes\n\n", *n)
	table(os.Stdout, b.rows(data, bases))
	fmt.Println()
	return b.printChecks(cmds, *verdictFile)
}

func (b *burster) createFiles(dir string) error {
	b.outs = make([]*os.File, b.n)
	b.errs = make([]*os.File, b.n)
	for i := range b.n {
		var err error
		if b.outs[i], err = os.Create(filepath.Join(dir, fmt.Sprintf("out-%d", i))); err != nil {
			return err
		}
		if b.errs[i], err = os.Create(filepath.Join(dir, fmt.Sprintf("err-%d", i))); err != nil {
			return err
		}
	}
	return nil
}

func (b *burster) closeFiles() {
	for _, f := range append(slices.Clone(b.outs), b.errs...) {
		if f != nil {
			f.Close()
		}
	}
}

// resetFiles empties the output files before a burst.
func (b *burster) resetFiles() error {
	for _, f := range append(slices.Clone(b.outs), b.errs...) {
		if err := f.Truncate(0); err != nil {
			return err
		}
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return err
		}
	}
	return nil
}

// count reads the @count command's number; 0 when there is none.
func (b *burster) count() (int, error) {
	if b.counter == nil {
		return 0, nil
	}
	return readCount(*b.counter)
}

// burst starts b.n copies of d's command back to back, waits for all of
// them, and checks that they printed the same thing and moved the counter
// as wanted; a check that fails adds a FAIL line, a process that fails ends
// the run.
func (b *burster) burst(d *burstData, label string, record bool) error {
	runtime.GC()
	if err := b.resetFiles(); err != nil {
		return err
	}
	before, err := b.count()
	if err != nil {
		return err
	}
	procs := make([]*exec.Cmd, b.n)
	for i := range procs {
		procs[i] = newCmd(d.command, b.outs[i], b.errs[i])
	}
	t0 := time.Now()
	for i, p := range procs {
		if err := p.Start(); err != nil {
			for _, q := range procs[:i] {
				q.Process.Kill()
				q.Wait()
			}
			return failure(d.command, err, nil)
		}
	}
	werrs := make([]error, b.n)
	for i, p := range procs {
		werrs[i] = p.Wait()
	}
	wall := time.Since(t0)
	after, err := b.count()
	if err != nil {
		return err
	}
	for i, werr := range werrs {
		if werr != nil {
			msg, _ := os.ReadFile(b.errs[i].Name())
			return failure(d.command, fmt.Errorf("process %d of %d: %v", i+1, b.n, werr), msg)
		}
	}
	// Every process must print the same thing (for token: the one
	// access token the shared refresh produced).
	differ, err := b.differFromFirst()
	if err != nil {
		return err
	}
	if differ > 0 {
		b.fails = append(b.fails, fmt.Sprintf("FAIL    %s, %s: %d of %d processes printed something other than process 1", d.name, label, differ, b.n))
	}
	delta := after - before
	if k, ok := b.want[d.name]; ok && delta != k {
		b.fails = append(b.fails, fmt.Sprintf("FAIL    %s, %s: %d %s (want %d)", d.name, label, delta, b.field, k))
	}
	if record {
		d.wall = append(d.wall, float64(wall))
		d.deltas = append(d.deltas, delta)
	}
	return nil
}

// differFromFirst counts the processes whose stdout differs from process 1's.
func (b *burster) differFromFirst() (int, error) {
	first, err := os.ReadFile(b.outs[0].Name())
	if err != nil {
		return 0, err
	}
	differ := 0
	for _, f := range b.outs[1:] {
		out, err := os.ReadFile(f.Name())
		if err != nil {
			return 0, err
		}
		if !bytes.Equal(out, first) {
			differ++
		}
	}
	return differ, nil
}

// rows is the table of burst: one row per command, wall-time ratios
// against each baseline, and the counter's range over the rounds.
func (b *burster) rows(data []*burstData, bases []string) [][]string {
	head := []string{"burst", "procs", "wall p50", "p10", "p90", "max"}
	for _, base := range bases {
		head = append(head, "wall ÷ "+base)
	}
	if b.counter != nil {
		head = append(head, b.field+"/burst")
	}
	rows := [][]string{head}
	baseMed := map[string]float64{}
	for _, d := range data {
		baseMed[d.name] = median(d.wall)
	}
	for _, d := range data {
		row := []string{d.name, strconv.Itoa(b.n), fmtDur(median(d.wall)), fmtDur(pct(d.wall, 0.10)), fmtDur(pct(d.wall, 0.90)), fmtDur(slices.Max(d.wall))}
		for _, base := range bases {
			row = append(row, fmtRatio(median(d.wall)/baseMed[base]))
		}
		if b.counter != nil {
			lo, hi := slices.Min(d.deltas), slices.Max(d.deltas)
			s := strconv.Itoa(lo)
			if hi != lo {
				s = fmt.Sprintf("%d..%d", lo, hi)
			}
			row = append(row, s)
		}
		rows = append(rows, row)
	}
	return rows
}

// printChecks prints an ok line for each -want command without a FAIL line,
// then the FAIL lines, and returns errFailed when there are any.
func (b *burster) printChecks(cmds []command, verdictFile string) error {
	v := &verdicts{path: verdictFile}
	for _, c := range cmds {
		k, ok := b.want[c.name]
		if !ok {
			continue
		}
		if !slices.ContainsFunc(b.fails, func(f string) bool { return strings.HasPrefix(f, "FAIL    "+c.name+",") }) {
			v.add(fmt.Sprintf("ok      %s: %s per burst of %d processes = %d in every round (want %d); all %d printed the same output", c.name, b.field, b.n, k, k, b.n))
		}
	}
	for _, f := range b.fails {
		v.add(f)
	}
	if err := v.flush(os.Stdout); err != nil {
		return err
	}
	fmt.Println()
	if len(b.fails) > 0 {
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
