// Command sharedtool is the shared-store side of bench/run.sh: it puts
// the login the bench made into etcd or Redis, and expires its access
// token there before each burst, through internal/sharedstore, the code
// kakao-auth itself uses.
//
//	sharedtool wait URL                   wait (10 s at most) until the engine answers
//	sharedtool copy RECORD.json URL NAME  store the file store's record as profile NAME
//	sharedtool expire URL NAME            move NAME's access-token expiry an hour into the past
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/sharedstore"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "sharedtool:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if len(args) < 2 {
		return errors.New("usage: sharedtool wait URL | copy RECORD.json URL NAME | expire URL NAME")
	}
	switch {
	case args[0] == "wait" && len(args) == 2:
		s, err := sharedstore.OpenStore(args[1], os.Getenv)
		if err != nil {
			return err
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			_, err := s.Profiles(ctx)
			if err == nil {
				return nil
			}
			if time.Now().After(deadline) {
				return err
			}
			time.Sleep(50 * time.Millisecond)
		}
	case args[0] == "copy" && len(args) == 4:
		rec, err := (&tokenstore.File{Dir: dirOf(args[1])}).Load(ctx, nameOf(args[1]))
		if err != nil {
			return err
		}
		s, err := sharedstore.OpenStore(args[2], os.Getenv)
		if err != nil {
			return err
		}
		return s.Save(ctx, args[3], rec, nil)
	case args[0] == "expire" && len(args) == 3:
		s, err := sharedstore.OpenStore(args[1], os.Getenv)
		if err != nil {
			return err
		}
		rec, v, err := s.Load(ctx, args[2])
		if err != nil {
			return err
		}
		rec.Expiry = time.Now().Add(-time.Hour)
		return s.Save(ctx, args[2], rec, v)
	}
	return fmt.Errorf("unknown or incomplete command %q", args)
}

// dirOf and nameOf split a file store path DIR/NAME.json.
func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if path[i] == '/' {
			return path[:i]
		}
	}
	return "."
}

func nameOf(path string) string {
	base := path[len(dirOf(path))+1:]
	if len(base) > 5 && base[len(base)-5:] == ".json" {
		return base[:len(base)-5]
	}
	return base
}
