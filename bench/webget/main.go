// Command webget is the HTTP side of bench/run.sh, kept out of
// bench/measure so that the measuring process stays small (see there).
// Standard library only.
//
//	webget get [-q] URL        GET like a browser: follow redirects, keep cookies;
//	                           print the body (-q: discard it); fail on a 4xx/5xx
//	webget field URL NAME      GET a JSON object and print its integer field NAME
//	webget freeport            print a free loopback TCP port
//
// "webget get -q" is the browser command bench/run.sh gives to
// "kakao-auth login": kakao-auth appends the authorize URL, the emulator
// (with --auto-approve) redirects to the loopback callback, and the login
// completes.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "get":
		err = get(os.Args[2:])
	case "field":
		err = field(os.Args[2:])
	case "freeport":
		err = freeport(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "webget %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: webget get [-q] URL | webget field URL NAME | webget freeport")
	os.Exit(2)
}

func get(args []string) error {
	fs := flag.NewFlagSet("get", flag.ExitOnError)
	quiet := fs.Bool("q", false, "discard the body")
	fs.Parse(args)
	if fs.NArg() != 1 {
		return errors.New("want one URL")
	}
	jar, _ := cookiejar.New(nil) // never fails without options
	c := &http.Client{Jar: jar, Timeout: 15 * time.Second}
	resp, err := c.Get(fs.Arg(0))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out := io.Writer(os.Stdout)
	if *quiet {
		out = io.Discard
	}
	if _, err := io.Copy(out, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s answered %s", resp.Request.URL.Redacted(), resp.Status)
	}
	return nil
}

func field(args []string) error {
	if len(args) != 2 {
		return errors.New("want URL NAME")
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(args[0])
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", args[0], resp.Status)
	}
	var m map[string]json.RawMessage
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&m); err != nil {
		return fmt.Errorf("GET %s: %v", args[0], err)
	}
	raw, ok := m[args[1]]
	if !ok {
		return fmt.Errorf("GET %s: no field %q", args[0], args[1])
	}
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		return fmt.Errorf("GET %s: field %q: %v", args[0], args[1], err)
	}
	fmt.Println(n)
	return nil
}

func freeport(args []string) error {
	if len(args) != 0 {
		return errors.New("takes no arguments")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer ln.Close()
	fmt.Println(ln.Addr().(*net.TCPAddr).Port)
	return nil
}
