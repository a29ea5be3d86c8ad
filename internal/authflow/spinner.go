package authflow

import (
	"fmt"
	"time"
	"unicode/utf8"
)

var spinnerFrames = []rune("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

// spinnerTexts are the spinner's messages, longest first: each redraw
// shows the first that fits the terminal's width at that moment.
var spinnerTexts = []string{
	"Waiting for you to log in in the browser (%s left, Ctrl-C to cancel)",
	"Waiting for the browser (%s left, Ctrl-C to cancel)",
	"Waiting for the browser (%s left)",
	"Waiting (%s left)",
	"%s left",
}

// spinner redraws one line in place while the login waits. It runs only
// on a terminal of known width: a line wider than the terminal would wrap,
// and each redraw would leave its first part behind.
type spinner struct {
	out    *gatedWriter
	width  func() int
	ticker *time.Ticker
	frame  int
	drawn  bool
}

// start starts the spinner and reports whether it runs.
func (s *spinner) start() bool {
	if s.ticker != nil {
		return true
	}
	if s.width == nil || s.width() <= 0 {
		return false
	}
	s.ticker = time.NewTicker(100 * time.Millisecond)
	return true
}

// tick fires when the next frame is due; never when the spinner is off.
func (s *spinner) tick() <-chan time.Time {
	if s.ticker == nil {
		return nil
	}
	return s.ticker.C
}

// draw shows the next frame, fitted to the terminal's current width, and
// leaves the cursor at the start of the line: a terminal narrowed while
// it waits rewraps the line into rows below that, which the next
// clearLine erases with it.
func (s *spinner) draw(left time.Duration) {
	line := spinnerLine(s.frame, left, s.width())
	s.frame++
	fmt.Fprint(s.out, clearLine+line+"\r")
	s.drawn = true
}

// clear erases the spinner's line, if it drew one, for a message.
func (s *spinner) clear() {
	if s.drawn {
		fmt.Fprint(s.out, clearLine)
		s.drawn = false
	}
}

// stop clears the line and stops the redraws.
func (s *spinner) stop() {
	s.clear()
	if s.ticker != nil {
		s.ticker.Stop()
		s.ticker = nil
	}
}

// spinnerLine is the longest spinner text that fits in width columns,
// the last column left free (some terminals wrap as soon as it is
// written). The frames and texts are one column a rune.
func spinnerLine(frame int, left time.Duration, width int) string {
	room := width - 1
	var line string
	for _, text := range spinnerTexts {
		line = string(spinnerFrames[frame%len(spinnerFrames)]) + " " + fmt.Sprintf(text, left)
		if utf8.RuneCountInString(line) <= room {
			return line
		}
	}
	if room <= 0 {
		return ""
	}
	return string([]rune(line)[:room])
}
