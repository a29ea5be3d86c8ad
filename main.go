// Command kakao-auth logs a person into Kakao (Kakao Login, REST API) from a
// terminal and hands the tokens to people, scripts and CI.
package main

import (
	"context"
	"os"

	"github.com/kakao-auth/kakao-auth/cmd"
)

// Ctrl-C and SIGTERM are caught by cmd.Main, for each command when it
// needs them (see cmd/interrupt.go).
func main() {
	os.Exit(cmd.Main(context.Background(), os.Args[1:], cmd.DefaultDeps()))
}
