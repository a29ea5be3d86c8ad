// Command kakao-auth logs a person into Kakao (Kakao Login, REST API) from a
// terminal and hands the tokens to people, scripts and CI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/kakao-auth/kakao-auth/cmd"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cmd.Main(ctx, os.Args[1:], cmd.DefaultDeps())
	stop()
	os.Exit(code)
}
