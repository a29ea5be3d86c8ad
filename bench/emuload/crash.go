package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// crash checks the durability promise end to end: an emulator with a
// state file, killed with SIGKILL while 8 clients log in, is started
// again on the same file; every login whose token answer arrived must
// still work (its access token at /v2/user/me, its refresh token at
// /oauth/token), and nothing but the state file and its lock may be left
// in the directory.
func crash(args []string) error {
	fs := flag.NewFlagSet("crash", flag.ExitOnError)
	ka := fs.String("ka", "kakao-auth", "the kakao-auth binary")
	dir := fs.String("dir", "", "an empty directory for the state file")
	min := fs.Int("logins", 300, "logins received before the kill")
	verdicts := fs.String("verdicts", "", "append the ok/FAIL line to this file")
	fs.Parse(args)
	if *dir == "" {
		return errors.New("crash: -dir is required")
	}
	path := filepath.Join(*dir, "state.json")
	emu, base, err := startEmulator(*ka, path)
	if err != nil {
		return err
	}
	client := newClient(8)
	var (
		mu       sync.Mutex
		received []tokens
		stop     atomic.Bool
		wg       sync.WaitGroup
	)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if tok, err := login(client, base); err == nil {
					mu.Lock()
					received = append(received, tok)
					mu.Unlock()
				}
			}
		}()
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		mu.Lock()
		n := len(received)
		mu.Unlock()
		if n >= *min || time.Now().After(deadline) {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	emu.Process.Kill() // SIGKILL, with the clients still going
	emu.Wait()
	stop.Store(true)
	wg.Wait()

	emu, base, err = startEmulator(*ka, path)
	if err != nil {
		return fmt.Errorf("restart after kill -9: %w", err)
	}
	defer func() { emu.Process.Kill(); emu.Wait() }()
	client.CloseIdleConnections()
	lost := 0
	for _, tok := range received {
		if me(client, base, tok.Access) != http.StatusOK || refresh(client, base, tok.Refresh) != http.StatusOK {
			lost++
		}
	}
	entries, _ := os.ReadDir(*dir)
	var extra []string
	for _, e := range entries {
		if e.Name() != "state.json" && e.Name() != "state.json.lock" {
			extra = append(extra, e.Name())
		}
	}
	line := fmt.Sprintf("ok      kill -9 under load (--state-file): all %d logins received before the kill work after a restart; no temporary file left", len(received))
	switch {
	case len(received) < *min:
		line = fmt.Sprintf("FAIL    kill -9 under load: only %d logins in 60 s", len(received))
	case lost > 0:
		line = fmt.Sprintf("FAIL    kill -9 under load: %d of %d logins received before the kill do not work after a restart", lost, len(received))
	case len(extra) > 0:
		line = fmt.Sprintf("FAIL    kill -9 under load: left beside the state file: %s", strings.Join(extra, ", "))
	}
	fmt.Println("  " + line)
	fmt.Println()
	if *verdicts != "" {
		f, err := os.OpenFile(*verdicts, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
		if err != nil {
			return err
		}
		fmt.Fprintln(f, line)
		f.Close()
	}
	if !strings.HasPrefix(line, "ok") {
		return errFailed
	}
	return nil
}

// startEmulator starts `kakao-auth emulator --auto-approve` on a free
// loopback port with the state file at path and returns it with its base
// URL, once it prints it.
func startEmulator(ka, path string) (*exec.Cmd, string, error) {
	cmd := exec.Command(ka, "emulator", "--addr", "127.0.0.1:0", "--auto-approve", "--state-file", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, "", err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		for s.Scan() {
		}
	}()
	select {
	case base, ok := <-line:
		if ok && strings.HasPrefix(base, "http://") {
			return cmd, base, nil
		}
	case <-time.After(120 * time.Second):
	}
	cmd.Process.Kill()
	cmd.Wait()
	return nil, "", fmt.Errorf("the emulator did not start: %s", stderr.String())
}
