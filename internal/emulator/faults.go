package emulator

import (
	"fmt"
	"io"
	"net"
	"net/http"
)

// Fault is a failure the token endpoint can be told to produce, so the
// client's handling of a broken or hostile network is tested against the same
// emulator as its happy path.
type Fault string

// The faults. Each applies to every /oauth/token request until SetFault
// changes it, before any check, so nothing (no code, no refresh token) is
// consumed by a faulted request.
const (
	// FaultNone clears the fault: the endpoint behaves normally.
	FaultNone Fault = ""
	// FaultHang never answers until the request's context ends (client gone
	// or emulator closed).
	FaultHang Fault = "hang"
	// FaultReset hijacks the connection and closes it without a response.
	FaultReset Fault = "reset"
	// FaultHTML answers 502 with an HTML error page, as a proxy in front of
	// Kakao would.
	FaultHTML Fault = "html"
	// Fault500 answers 500 with a JSON body that is not Kakao's error shape.
	Fault500 Fault = "500"
	// FaultNoAccessToken answers 200 with a JSON token response lacking access_token.
	FaultNoAccessToken Fault = "no-access-token"
	// FaultBadJSON answers 200 application/json with a truncated body.
	FaultBadJSON Fault = "bad-json"
	// FaultRateLimit answers Kakao's token rate-limit error, KOE237.
	FaultRateLimit Fault = "rate-limit"
)

// faults lists every fault but FaultNone, for ParseFault.
var faults = []Fault{FaultHang, FaultReset, FaultHTML, Fault500, FaultNoAccessToken, FaultBadJSON, FaultRateLimit}

// ParseFault returns the Fault named s ("" is FaultNone), or an error naming
// the known ones, so a CLI flag can be checked before the emulator starts.
func ParseFault(s string) (Fault, error) {
	if s == "" {
		return FaultNone, nil
	}
	for _, f := range faults {
		if string(f) == s {
			return f, nil
		}
	}
	return FaultNone, fmt.Errorf("unknown fault %q (known: %q)", s, faults)
}

// SetFault makes the token endpoint fail as f from the next request on;
// FaultNone clears it. An unknown fault answers 500 with a body naming it.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// serveFault answers r with the current fault and reports whether it did.
// Every faulted request counts as a TokenError.
func (s *Server) serveFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.fault
	if f != FaultNone {
		s.stats.TokenErrors++
	}
	s.mu.Unlock()

	switch f {
	case FaultNone:
		return false
	case FaultHang:
		// net/http notices a client hang-up (and cancels the context) only
		// once the body has been read to EOF.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		<-r.Context().Done()
	case FaultReset:
		resetConn(w)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = fmt.Fprint(w, "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>\n")
	case Fault500:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "message": "Internal Server Error"})
	case FaultNoAccessToken:
		writeTokenJSON(w, http.StatusOK, map[string]any{"token_type": "bearer", "expires_in": int64(s.accessTTL.Seconds())})
	case FaultBadJSON:
		w.Header().Set("Content-Type", "application/json;charset=UTF-8")
		w.WriteHeader(http.StatusOK)
		_, _ = fmt.Fprint(w, `{"token_type":"bearer","expires_in":215`)
	case FaultRateLimit:
		writeTokenJSON(w, errRateLimit.status, errRateLimit)
	default:
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "message": fmt.Sprintf("emulator: unknown fault %q", string(f))})
	}
	return true
}

// resetConn drops the connection under w without a response: with an RST
// where the OS allows, so the client sees "connection reset" rather than a
// clean EOF.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2 or a recorder: aborting the handler is the closest thing.
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
