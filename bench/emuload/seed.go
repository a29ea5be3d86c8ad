package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"flag"
	"fmt"
	"os"
	"time"
)

// seed writes a version-1 state file with n live logins: for each, an
// access token and a refresh token of one grant, with the emulator's
// default lifetimes, and the user's consent to the client.
func seed(args []string) error {
	fs := flag.NewFlagSet("seed", flag.ExitOnError)
	n := fs.Int("n", 1000, "logins to store")
	out := fs.String("out", "", "state file to write (0600)")
	fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("seed: -out is required")
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	now := time.Now().UTC()
	at := now.Add(21599 * time.Second).Format(time.RFC3339Nano)
	rt := now.Add(5183999 * time.Second).Format(time.RFC3339Nano)
	fmt.Fprintf(w, `{"version":1,"clients":[%q],"redirect_uris":[%q],"signing_keys":[],`, clientID, redirectURI)
	fmt.Fprintf(w, `"consents":[{"user_id":%d,"client_id":%q,"scopes":["profile_nickname"],"connected_at":%q}],`, userID, clientID, now.Format(time.RFC3339Nano))
	fmt.Fprint(w, `"consent_pages":{},"codes":{},"access_tokens":{`)
	grants := make([]string, *n)
	for i := range grants {
		grants[i] = secret("emu_grant_")
	}
	token := func(i int, prefix, expires string) {
		if i > 0 {
			w.WriteByte(',')
		}
		fmt.Fprintf(w, "\n%q:{\"client_id\":%q,\"user_id\":%d,\"scopes\":[\"profile_nickname\"],\"expires\":%q,\"auth_time\":\"0001-01-01T00:00:00Z\",\"grant\":%q}",
			secret(prefix), clientID, userID, expires, grants[i])
	}
	for i := range *n {
		token(i, "emu_at_", at)
	}
	fmt.Fprint(w, "},\n\"refresh_tokens\":{")
	for i := range *n {
		token(i, "emu_rt_", rt)
	}
	fmt.Fprint(w, "}}\n")
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// secret is prefix and 256 random bits, as the emulator makes them.
func secret(prefix string) string {
	b := make([]byte, 32)
	rand.Read(b)
	return prefix + base64.RawURLEncoding.EncodeToString(b)
}
