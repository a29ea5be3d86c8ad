// Command mainexit is kakao-auth with a main that returns at once: the same
// code and packages, so the same Go start-up and package initialisation,
// and no command. bench/run.sh measures it as the floor of the kakao-auth
// binary: what "kakao-auth token" costs before its main runs.
package main

import (
	"context"
	"os"

	"github.com/kakao-auth/kakao-auth/cmd"
)

func main() {
	// Never true (argv[0] is always there), but the compiler cannot know:
	// cmd.Main and everything it reaches stay in the binary.
	if len(os.Args) == 0 {
		os.Exit(cmd.Main(context.Background(), os.Args, cmd.DefaultDeps()))
	}
}
