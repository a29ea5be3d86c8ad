package authflow

import (
	"context"
	"fmt"

	"github.com/kakao-auth/kakao-auth/internal/session"
	"github.com/kakao-auth/kakao-auth/internal/termtext"
)

// announce shows the person the authorize URL and how to answer it: the
// browser is opened, or, for paste-back, the paste prompt starts. What the
// prompt cannot turn into a callback comes back on the returned channel.
func announce(ctx context.Context, o Options, sess *session.Session, srv *server) <-chan error {
	authURL := authorizeURL(sess, o)
	pasteErr := make(chan error, 1)
	if o.Paste != nil {
		fmt.Fprintf(o.Stderr, "Open this URL in a browser on any device and approve:\n\n  %s\n\n", authURL)
		fmt.Fprintf(o.Stderr, "The browser then goes to %s (it may show an error page there: that is fine).\nCopy the whole address from its address bar and paste it here.\n", srv.uri)
		go readPaste(o, srv.handler, sess, pasteErr, srv.listening())
		return pasteErr
	}
	fmt.Fprintf(o.Stderr, "Opening Kakao's login page in your browser. If it does not open, visit:\n\n  %s\n\n", authURL)
	go func() {
		if o.Open == nil {
			return
		}
		if err := o.Open(ctx, authURL); err != nil && ctx.Err() == nil {
			fmt.Fprintf(o.Stderr, "kakao-auth: warning: could not open a browser: %s; open the URL above yourself\n", termtext.Line(err.Error()))
		}
	}()
	return pasteErr
}
