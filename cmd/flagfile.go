package cmd

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
)

// Caps on what a file named by a flag may hold. The client secret is
// capped like a secret on stdin: a secret is tens of bytes. A request body
// (--input, -F key=@FILE) may be larger, but Kakao's API takes form and
// JSON bodies of a few KiB (a message template, consent item lists); 16
// MiB leaves room for anything real while keeping memory bounded when a
// flag points at something endless, such as /dev/zero.
const (
	maxSecretFile  = 4 << 10
	maxRequestBody = 16 << 20
)

// tooLargeError is a file named by a flag that holds more than its cap.
type tooLargeError struct {
	name  string
	limit int64
}

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.name, byteSize(e.limit))
}

// byteSize writes a cap the way people read it: 4 KiB, 16 MiB.
func byteSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// readFlagFile is the one reader of a file named by a flag ("-" for
// stdin): --client-secret-file, --input and -F key=@FILE. It reads at most
// limit bytes, a *tooLargeError past that, and gives up with ctx's error
// when ctx ends (Ctrl-C, SIGTERM), whatever the file is.
//
// The file may be anything a person can name: a FIFO or process
// substitution whose writer has not come (open(2) blocks until it does), a
// terminal, a device. No single call can be interrupted for all of those:
// O_NONBLOCK would make the open return at once, but a FIFO then reads as
// empty until its writer comes, and a blocking read of a device cannot be
// woken. So the open and the read run on a goroutine of their own, and an
// interrupt abandons them: the file is closed if it was opened (which ends
// a read through Go's poller), and otherwise whatever is still blocked
// goes with the process, which is ending. Interrupts are caught from here
// on, for a command that catches them on demand (token).
func readFlagFile(ctx context.Context, d *Deps, name string, limit int64) ([]byte, error) {
	catchInterrupts(ctx)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	var mu sync.Mutex
	var opened *os.File
	abandoned := false
	go func() {
		r := d.Stdin
		if name != "-" {
			f, err := os.Open(name)
			if err != nil {
				done <- result{err: err}
				return
			}
			mu.Lock()
			if abandoned {
				mu.Unlock()
				f.Close()
				return
			}
			opened = f
			mu.Unlock()
			defer f.Close()
			r = f
		}
		data, err := io.ReadAll(io.LimitReader(r, limit+1))
		if err == nil && int64(len(data)) > limit {
			data, err = nil, &tooLargeError{name: name, limit: limit}
		}
		done <- result{data, err}
	}()
	select {
	case res := <-done:
		return res.data, res.err
	case <-ctx.Done():
		mu.Lock()
		abandoned = true
		if opened != nil {
			opened.Close()
		}
		mu.Unlock()
		return nil, ctx.Err()
	}
}
