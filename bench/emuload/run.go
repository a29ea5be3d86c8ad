package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// errFailed means a check failed and a FAIL line was printed (exit 3).
var errFailed = errors.New("a correctness check failed")

type target struct {
	name, url string
	rates     []float64       // logins/s of each round
	lats      []time.Duration // every login's
	failed    int
	first     string // the first failure
}

type checks []string

func (c *checks) String() string     { return strings.Join(*c, ",") }
func (c *checks) Set(v string) error { *c = append(*c, v); return nil }

// run measures logins/s against each emulator named NAME=URL, in rounds:
// each round runs n logins with c clients against every emulator in turn,
// from a rotating start, so noise on a shared machine hits them alike.
// The rate of a round is its successful logins over its wall time; the
// table shows the median of the rounds, and the latency percentiles of
// every login.
func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	conc := fs.Int("c", 8, "concurrent clients")
	n := fs.Int("n", 1000, "logins per round per emulator")
	rounds := fs.Int("rounds", 3, "rounds")
	warm := fs.Int("warm", 50, "untimed logins per emulator first")
	title := fs.String("title", "", "table title")
	verdicts := fs.String("verdicts", "", "append met/MISSED/ok/FAIL lines to this file")
	baseline := fs.String("baseline", "", "comma-separated names for ratio columns")
	var cs checks
	fs.Var(&cs, "check", "A/B>=X: A's median logins/s is at least X times B's (repeatable)")
	fs.Parse(args)
	var ts []*target
	for _, a := range fs.Args() {
		name, u, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("run: %q is not NAME=URL", a)
		}
		ts = append(ts, &target{name: name, url: strings.TrimRight(u, "/")})
	}
	if len(ts) == 0 {
		return errors.New("run: no emulator to measure")
	}
	client := newClient(*conc)
	for _, t := range ts {
		for range *warm {
			if _, err := login(client, t.url); err != nil {
				return fmt.Errorf("%s: warm-up login: %w", t.name, err)
			}
		}
	}
	for r := range *rounds {
		for i := range ts {
			t := ts[(i+r)%len(ts)]
			t.round(client, *n, *conc)
		}
	}

	byName := map[string]*target{}
	for _, t := range ts {
		byName[t.name] = t
	}
	var bases []*target
	for _, b := range strings.Split(*baseline, ",") {
		if t := byName[b]; t != nil {
			bases = append(bases, t)
		}
	}
	fmt.Println(*title)
	fmt.Printf("  %d clients, %d rounds of %d logins per emulator, interleaved, after %d untimed logins each; a login is authorize (auto-approve) → token → /v2/user/me\n\n", *conc, *rounds, *n, *warm)
	head := fmt.Sprintf("  %-10s  %9s  %9s  %9s  %9s  %9s  %6s", "emulator", "logins/s", "min", "max", "p50", "p99", "failed")
	for _, b := range bases {
		head += fmt.Sprintf("  %12s", "÷ "+b.name)
	}
	fmt.Println(head)
	for _, t := range ts {
		line := fmt.Sprintf("  %-10s  %9.0f  %9.0f  %9.0f  %9s  %9s  %6d", t.name, median(t.rates), slices.Min(t.rates), slices.Max(t.rates),
			ms(percentile(t.lats, 0.50)), ms(percentile(t.lats, 0.99)), t.failed)
		for _, b := range bases {
			line += fmt.Sprintf("  %11.2f×", median(t.rates)/median(b.rates))
		}
		fmt.Println(line)
	}
	fmt.Println()

	var lines []string
	failed := false
	for _, t := range ts {
		if t.failed > 0 {
			failed = true
			lines = append(lines, fmt.Sprintf("FAIL    %s: %d failed logins (first: %s)", t.name, t.failed, t.first))
		} else {
			lines = append(lines, fmt.Sprintf("ok      %s: 0 failed logins of %d", t.name, len(t.lats)))
		}
	}
	for _, c := range cs {
		l, err := check(c, byName)
		if err != nil {
			return err
		}
		lines = append(lines, l)
	}
	for _, l := range lines {
		fmt.Println("  " + l)
	}
	fmt.Println()
	if *verdicts != "" {
		f, err := os.OpenFile(*verdicts, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		for _, l := range lines {
			fmt.Fprintln(f, l)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if failed {
		return errFailed
	}
	return nil
}

// round runs n logins with c clients and records them.
func (t *target) round(client *http.Client, n, c int) {
	var next atomic.Int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	ok := 0
	start := time.Now()
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				_, err := login(client, t.url)
				d := time.Since(t0)
				mu.Lock()
				if err != nil {
					if t.failed == 0 {
						t.first = err.Error()
					}
					t.failed++
				} else {
					ok++
					t.lats = append(t.lats, d)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	t.rates = append(t.rates, float64(ok)/time.Since(start).Seconds())
}

// check evaluates "A/B>=X" on median logins/s.
func check(c string, by map[string]*target) (string, error) {
	ratio, min, ok := strings.Cut(c, ">=")
	a, b, ok2 := strings.Cut(ratio, "/")
	x, err := strconv.ParseFloat(min, 64)
	if !ok || !ok2 || err != nil || by[a] == nil || by[b] == nil {
		return "", fmt.Errorf("run: bad -check %q (want A/B>=X with known names)", c)
	}
	got := median(by[a].rates) / median(by[b].rates)
	v := "met   "
	if got < x {
		v = "MISSED"
	}
	return fmt.Sprintf("%s  %s logins/s ÷ %s: %.2f× (target ≥ %g×)", v, a, b, got, x), nil
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

func percentile(v []time.Duration, p float64) time.Duration {
	if len(v) == 0 {
		return 0
	}
	s := slices.Sorted(slices.Values(v))
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
