package cmd

import (
	"fmt"
	"time"
)

// left says how long until t, for people: "5h59m", "59d23h", "expired 3m ago".
func left(t, now time.Time) string {
	d := t.Sub(now)
	if d < 0 {
		return "expired " + human(-d) + " ago"
	}
	return human(d)
}

func human(d time.Duration) string {
	switch {
	case d >= 48*time.Hour:
		days := int(d / (24 * time.Hour))
		return fmt.Sprintf("%dd%dh", days, int((d-time.Duration(days)*24*time.Hour)/time.Hour))
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int((d%time.Hour)/time.Minute))
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int((d%time.Minute)/time.Second))
	}
	return fmt.Sprintf("%ds", int(d/time.Second))
}
