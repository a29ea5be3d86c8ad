package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
)

// A perf sample's call chain, innermost frame first: function names, and
// whether each frame is in the kernel.
type sample struct {
	comm   string
	frames []string
	kernel []bool
}

// The phases of a Go process's life that perfsum splits CPU time into, by
// the frames on the sample's stack.
var phases = []struct{ name, desc string }{
	{"kernel only", "no Go frame on the stack (execve itself is charged to the parent, not here)"},
	{"runtime start", "runtime.rt0_go: schedinit (CPU features, GOMAXPROCS, heap, itabs, module data), first threads"},
	{"package init", "runtime.doInit1: every package's init, in dependency order"},
	{"main", "main.main: the command itself"},
	{"runtime.main other", "runtime.main outside init and main: gcenable, exit hooks"},
	{"other threads", "sysmon, idle and spinning Ms, GC workers"},
	{"exit", "exit_group: the kernel tearing the process down"},
}

// cmdPerfsum reads `perf script -F comm,ip,sym,dso` output of perf record
// -g -c PERIOD over RUNS runs of one or more commands and prints, per
// command, the CPU time per run of each phase, the part of it spent in
// page faults, and the costliest functions under main.main.
func cmdPerfsum(args []string) error {
	fs := flag.NewFlagSet("perfsum", flag.ExitOnError)
	runs := fs.Int("runs", 0, "runs of each command in the recording")
	periodUs := fs.Float64("period-us", 0, "cpu-clock sampling period in µs (perf record -c, in ns, ÷ 1000)")
	top := fs.Int("top", 12, "functions under main.main to list")
	title := fs.String("title", "", "heading printed above the table")
	var names listFlag
	fs.Var(&names, "comm", "NAME=LABEL: the command (perf's comm, at most 15 characters) and its column label; repeatable, in column order")
	fs.Parse(args)
	if *runs <= 0 || *periodUs <= 0 || len(names) == 0 {
		return fmt.Errorf("want -runs, -period-us and at least one -comm")
	}
	samples, err := parsePerfScript(os.Stdin)
	if err != nil {
		return err
	}
	if *title != "" {
		fmt.Println(*title)
	}
	printPerfsum(os.Stdout, samples, names, float64(*runs), *periodUs, *top)
	fmt.Println()
	return nil
}

// parsePerfScript reads samples: a line with the comm, then one indented
// line per frame ("ADDR SYMBOL (DSO)"), then a blank line.
func parsePerfScript(r io.Reader) ([]sample, error) {
	var out []sample
	var cur *sample
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.TrimSpace(line) == "":
			if cur != nil {
				out = append(out, *cur)
				cur = nil
			}
		case line[0] != ' ' && line[0] != '\t':
			if cur != nil {
				out = append(out, *cur)
			}
			cur = &sample{comm: strings.Fields(line)[0]}
		case cur != nil:
			f := strings.Fields(line)
			if len(f) < 3 {
				continue
			}
			dso := f[len(f)-1]
			sym := strings.Join(f[1:len(f)-1], " ")
			if i := strings.LastIndex(sym, "+0x"); i > 0 {
				sym = sym[:i]
			}
			cur.frames = append(cur.frames, sym)
			cur.kernel = append(cur.kernel, strings.HasPrefix(dso, "([kernel"))
		}
	}
	if cur != nil {
		out = append(out, *cur)
	}
	return out, sc.Err()
}

// phaseOf names the phase of s (see phases).
func phaseOf(s sample) string {
	has := func(name string) bool { return slices.Contains(s.frames, name) }
	switch {
	case has("do_group_exit") || has("do_exit"):
		return "exit"
	case has("runtime.doInit1"):
		return "package init"
	case has("main.main"):
		return "main"
	case has("runtime.main"):
		return "runtime.main other"
	case has("runtime.rt0_go.abi0") || has("runtime.rt0_go"):
		return "runtime start"
	}
	for _, k := range s.kernel {
		if !k {
			return "other threads" // Go frames, none of the above: a thread's own loop
		}
	}
	return "kernel only"
}

// inPageFault reports whether s was taken while the kernel handled a page
// fault.
func inPageFault(s sample) bool {
	return slices.Contains(s.frames, "asm_exc_page_fault")
}

// underMain lists the distinct Go functions called, directly or not, by
// main.main in s (none when s is not in main.main), for inclusive times.
func underMain(s sample) []string {
	i := slices.Index(s.frames, "main.main")
	if i <= 0 {
		return nil
	}
	var fns []string
	for j, f := range s.frames[:i] {
		if !s.kernel[j] && !slices.Contains(fns, f) {
			fns = append(fns, f)
		}
	}
	return fns
}

func printPerfsum(w io.Writer, samples []sample, comms []string, runs, periodUs float64, top int) {
	type col struct {
		comm, label string
		phase       map[string]float64
		faults      map[string]float64
		total       float64
		main        map[string]float64
	}
	var cols []*col
	for _, c := range comms {
		comm, label, ok := strings.Cut(c, "=")
		if !ok {
			label = comm
		}
		cols = append(cols, &col{comm: comm, label: label, phase: map[string]float64{}, faults: map[string]float64{}, main: map[string]float64{}})
	}
	perRun := periodUs / 1000 / runs // ms per sample per run
	for _, s := range samples {
		for _, c := range cols {
			if s.comm != c.comm {
				continue
			}
			p := phaseOf(s)
			c.phase[p] += perRun
			c.total += perRun
			if inPageFault(s) {
				c.faults[p] += perRun
				c.faults[""] += perRun
			}
			for _, f := range underMain(s) {
				c.main[f] += perRun
			}
		}
	}
	head := []string{"phase (CPU ms per run, of which page faults)"}
	for _, c := range cols {
		head = append(head, c.label)
	}
	rows := [][]string{head}
	cell := func(v, pf float64) string { return fmt.Sprintf("%.2f (%.2f)", v, pf) }
	var shown []int
	for i, p := range phases {
		row := []string{p.name}
		any := false
		for _, c := range cols {
			row = append(row, cell(c.phase[p.name], c.faults[p.name]))
			any = any || c.phase[p.name] >= 0.005 // shows as 0.00 below that
		}
		if any {
			rows = append(rows, row)
			shown = append(shown, i)
		}
	}
	row := []string{"total"}
	for _, c := range cols {
		row = append(row, cell(c.total, c.faults[""]))
	}
	rows = append(rows, row)
	table(w, rows)
	fmt.Fprintln(w)
	for _, i := range shown {
		fmt.Fprintf(w, "  %-18s  %s\n", phases[i].name, phases[i].desc)
	}
	for _, c := range cols {
		if len(c.main) == 0 {
			continue
		}
		type fn struct {
			name string
			ms   float64
		}
		var fns []fn
		for name, ms := range c.main {
			fns = append(fns, fn{name, ms})
		}
		slices.SortFunc(fns, func(a, b fn) int {
			if a.ms != b.ms {
				if a.ms > b.ms {
					return -1
				}
				return 1
			}
			return strings.Compare(a.name, b.name)
		})
		fmt.Fprintf(w, "\n  %s: the costliest functions under main.main (CPU ms per run, callees included)\n", c.label)
		out := [][]string{}
		for i, f := range fns {
			if i == top {
				break
			}
			out = append(out, []string{f.name, fmt.Sprintf("%.3f", f.ms)})
		}
		table(w, out)
	}
}
