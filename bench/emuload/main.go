// Command emuload is the load generator of bench/emulator.sh: logins per
// second against `kakao-auth emulator`, in memory and with --state-file.
//
//	emuload seed -n N -out PATH
//	emuload run [-c 8] [-n 1000] [-rounds 3] [-verdicts FILE] [-check A/B>=X]... NAME=URL...
//	emuload crash -ka KAKAO-AUTH -dir DIR
//
// seed writes a state file of version 1 (the JSON of emulators before the
// bbolt store) holding N live logins of the default user and client, which
// the emulator carries over into its store when it starts: a store of
// 100,000 logins in seconds, where 100,000 logins over HTTP take minutes.
// run measures, crash checks kill -9 under load.
//
// It uses the standard library only.
package main

import (
	"fmt"
	"os"
)

// The emulator's defaults (internal/emulator), repeated here: this
// command talks to it as a client does.
const (
	clientID    = "emulator-rest-api-key"
	redirectURI = "http://localhost:8765/callback"
	userID      = 4000000001
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: emuload seed|run|crash ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "seed":
		err = seed(os.Args[2:])
	case "run":
		err = run(os.Args[2:])
	case "crash":
		err = crash(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "emuload:", err)
		if err == errFailed {
			os.Exit(3)
		}
		os.Exit(1)
	}
}
