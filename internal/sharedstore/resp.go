package sharedstore

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// RESP2 limits: a record is a few KiB; a SCAN page a few hundred keys.
const (
	maxBulk  = 1 << 20
	maxArray = 1 << 16
)

// respError is an error reply ("-WRONGPASS …"): the server answered.
type respError string

func (e respError) Error() string { return string(e) }

// nilReply is RESP's null bulk string or null array.
type nilReply struct{}

// writeCommand writes args as a RESP array of bulk strings.
func writeCommand(w *bufio.Writer, args ...string) error {
	fmt.Fprintf(w, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(w, "$%d\r\n", len(a))
		w.WriteString(a)
		w.WriteString("\r\n")
	}
	return w.Flush()
}

// readReply reads one reply: string (simple or bulk), int64, []any,
// nilReply, or a respError as the error.
func readReply(r *bufio.Reader) (any, error) {
	line, err := readLine(r)
	if err != nil {
		return nil, err
	}
	if len(line) == 0 {
		return nil, errors.New("empty reply line")
	}
	body := string(line[1:])
	switch line[0] {
	case '+':
		return body, nil
	case '-':
		return nil, respError(body)
	case ':':
		n, err := strconv.ParseInt(body, 10, 64)
		if err != nil {
			return nil, errors.New("malformed integer reply")
		}
		return n, nil
	case '$':
		n, err := strconv.Atoi(body)
		switch {
		case err != nil || n < -1 || n > maxBulk:
			return nil, errors.New("malformed or oversized bulk reply")
		case n == -1:
			return nilReply{}, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return nil, err
		}
		if buf[n] != '\r' || buf[n+1] != '\n' {
			return nil, errors.New("malformed bulk reply")
		}
		return string(buf[:n]), nil
	case '*':
		n, err := strconv.Atoi(body)
		switch {
		case err != nil || n < -1 || n > maxArray:
			return nil, errors.New("malformed or oversized array reply")
		case n == -1:
			return nilReply{}, nil
		}
		items := make([]any, n)
		for i := range items {
			if items[i], err = readReply(r); err != nil {
				return nil, err
			}
		}
		return items, nil
	}
	return nil, fmt.Errorf("unknown reply type %q", line[0])
}

// readLine reads up to CRLF, refusing a line longer than a reply header or
// a simple string could sensibly be.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		return nil, errors.New("reply line too long")
	}
	if err != nil {
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, errors.New("malformed reply line")
	}
	return line[:len(line)-2], nil
}
