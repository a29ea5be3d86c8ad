package authflow

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// opensBrowser reports whether announce opens a browser: not for
// paste-back, nor where no browser can be opened.
func (l *login) opensBrowser() bool {
	return l.o.Paste == nil && l.o.NoBrowserReason == "" && l.o.Open != nil && l.srv.listening()
}

// announce shows the person the authorize URL and how to answer it: the
// browser is opened, on the login's one-time start link (start.go), or,
// for paste-back and where no browser can be opened, the paste prompt
// starts with the URL itself.
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
	case l.link == nil:
		fmt.Fprintf(l.out, "Open this URL in a browser and approve:\n\n  %s\n\n", authURL)
	default:
		fmt.Fprintf(l.out, "Opening Kakao's login page in your browser. If it does not open, visit this link (it works once):\n\n  %s\n\n", l.link.url)
		launched := make(chan error, 1)
		l.launched = launched
		ctx := context.WithValue(ctx, messagesKey{}, io.Writer(l.out))
		go func() { launched <- o.Open(ctx, l.link.url) }()
	}
}

// launchFailed reports a browser that could not be opened, with what its
// launcher printed, withdraws the start link and prints the authorize URL
// itself, and switches to the paste prompt when there is a terminal to
// paste into. A start link used already ends the login: whoever used it
// was perhaps not the browser.
func (l *login) launchFailed(err error) error {
	l.spin.stop()
	l.out.endLine()
	if l.link.withdraw() {
		return &StartReusedError{What: "login", LaunchFailed: true}
	}
	authURL := authorizeURL(l.sess, l.o)
	if l.o.PasteFallback == nil || l.prompted {
		fmt.Fprintf(l.out, "kakao-auth: warning: could not open a browser: %s\n", termtext.Line(err.Error()))
		l.showLauncherOutput(err)
		fmt.Fprintf(l.out, "Open this URL in a browser yourself and approve:\n\n  %s\n\n", authURL)
		return nil
	}
	fmt.Fprintf(l.out, "kakao-auth: warning: could not open a browser: %s\n", termtext.Line(err.Error()))
	l.showLauncherOutput(err)
	fmt.Fprintf(l.out, "Open this URL in a browser on any device and approve:\n\n  %s\n\n", authURL)
	l.startPaste(l.o.PasteFallback, true)
	return nil
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
