package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// announce shows the person the authorize URL and how to answer it: the
// browser is opened, or, for paste-back and where no browser can be
// opened, the paste prompt starts.
func (l *login) announce(ctx context.Context) {
	o := l.o
	authURL := authorizeURL(l.sess, o)
	switch {
	case o.Paste != nil:
		fmt.Fprintf(l.out, "Open this URL in a browser on any device and approve:\n\n  %s\n\n", authURL)
		l.startPaste(o.Paste, o.PasteRetry)
	case o.NoBrowserReason != "":
		fmt.Fprintf(l.out, "No browser can be opened here: %s.\nOpen this URL in a browser on any device and approve:\n\n  %s\n\n", termtext.Line(o.NoBrowserReason), authURL)
		if o.PasteFallback != nil {
			l.startPaste(o.PasteFallback, true)
		}
	default:
		fmt.Fprintf(l.out, "Opening Kakao's login page in your browser. If it does not open, visit:\n\n  %s\n\n", authURL)
		if o.Open != nil {
			launched := make(chan error, 1)
			l.launched = launched
			ctx := context.WithValue(ctx, messagesKey{}, io.Writer(l.out))
			go func() { launched <- o.Open(ctx, authURL) }()
		}
	}
}

// launchFailed reports a browser that could not be opened, with what its
// launcher printed, and switches to the paste prompt when there is a
// terminal to paste into.
func (l *login) launchFailed(err error) {
	l.spin.stop()
	l.out.endLine()
	if l.o.PasteFallback == nil || l.prompted {
		fmt.Fprintf(l.out, "kakao-auth: warning: could not open a browser: %s; open the URL above yourself\n", termtext.Line(err.Error()))
		l.showLauncherOutput(err)
		return
	}
	fmt.Fprintf(l.out, "kakao-auth: warning: could not open a browser: %s\n", termtext.Line(err.Error()))
	l.showLauncherOutput(err)
	fmt.Fprintf(l.out, "Open the URL above in a browser on any device and approve.\n")
	l.startPaste(l.o.PasteFallback, true)
}

// maxLauncherLines bounds the launcher's lines shown after a failure.
const maxLauncherLines = 10

// showLauncherOutput shows what a failed launcher printed, each line on
// its own and made safe: it is outside text.
func (l *login) showLauncherOutput(err error) {
	var lo interface{ LauncherOutput() string }
	if !errors.As(err, &lo) {
		return
	}
	var lines []string
	for _, line := range strings.Split(lo.LauncherOutput(), "\n") {
		if line = strings.TrimRight(line, "\r"); strings.TrimSpace(line) != "" {
			lines = append(lines, "  "+termtext.Line(clip(line, 200)))
		}
	}
	if len(lines) == 0 {
		return
	}
	if len(lines) > maxLauncherLines {
		lines = append(lines[:maxLauncherLines], "  …")
	}
	fmt.Fprintf(l.out, "kakao-auth: the browser launcher printed:\n%s\n", strings.Join(lines, "\n"))
}

// startPaste says where the browser goes and starts the paste prompt on
// in; retry means in is a terminal.
func (l *login) startPaste(in io.Reader, retry bool) {
	fmt.Fprintf(l.out, "The browser then goes to %s (it may show an error page there: that is fine).\nCopy the whole address from its address bar and paste it here.\n", l.srv.uri)
	l.prompted, l.pasting = true, true
	go l.readPaste(in, retry)
}
