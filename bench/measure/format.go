package main

import (
	"fmt"
	"math"
)

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
