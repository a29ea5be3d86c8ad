package main

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

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
