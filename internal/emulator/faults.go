package emulator

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// Fault is a failure the token endpoint can be told to produce, so the
// client's handling of a broken or hostile network is tested against the same
// emulator as its happy path.
type Fault string

// The faults. Each applies to every /oauth/token request until SetFault
// changes it, before any check, so nothing (no code, no refresh token) is
// consumed by a faulted request. The redirect and echo faults hit more
// endpoints, as their comments say.
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
	// FaultRateLimit answers Kakao's token rate-limit error, KOE237, with
	// HTTP 400.
	FaultRateLimit Fault = "rate-limit"
	// FaultAPIQuota makes every kapi request (/v1/…, /v2/…) answer Kakao's
	// quota error, HTTP 400 {"msg":"API limit has been exceeded.","code":-10}
	// (Kakao's REST API reference, "응답 코드",
	// https://developers.kakao.com/docs/latest/ko/rest-api/reference; Kakao's
	// quotas, https://developers.kakao.com/docs/latest/getting-started/quota),
	// before the token is checked. Unlike the other faults it leaves
	// /oauth/token alone: a client must not take a quota error for a dead token
	// and refresh.
	FaultAPIQuota Fault = "api-quota"
	// FaultAPIHang makes every kapi request hang, unanswered, until its
	// client goes away or the emulator closes, as a Kakao that is down
	// behind a proxy does. Like FaultAPIQuota it leaves /oauth/token alone.
	FaultAPIHang Fault = "api-hang"

	// FaultRedirect307 answers 307 Temporary Redirect, and FaultRedirect308
	// 308 Permanent Redirect, to the redirect target (SetRedirectTarget;
	// default: this emulator's /_emulator/sink). Both keep the method and
	// the body, so a client that follows one sends its form (client secret,
	// code, refresh token) or its Authorization header there, and may take
	// the sink's token-shaped answer for Kakao's. Kakao never redirects these
	// calls, so both hit every endpoint a client calls server to server:
	// /oauth/token, /oauth/tokeninfo, discovery, JWKS and kapi. The
	// authorize and account-logout endpoints, which a browser follows, and
	// /_emulator/* are left alone.
	FaultRedirect307 Fault = "redirect-307"
	FaultRedirect308 Fault = "redirect-308"
	// FaultEcho answers 400 with the request echoed into the error text, as
	// a careless server or proxy does. On /oauth/token, error_description
	// holds the raw form body, then the same with lowercase
	// percent-escapes, then with %20 for spaces, then the form's values as
	// JSON; on kapi, msg holds the Authorization header (code -2).
	FaultEcho Fault = "echo"

	// The faults below answer 200 with a Kakao-shaped token response (a fresh
	// set of tokens that the emulator never registers) that breaks one rule of
	// Kakao's "토큰 갱신하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token
	// and Kakao's token lifetimes,
	// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token.

	// FaultHugeRefreshLifetime sends refresh_token_expires_in 9300000000
	// (about 295 years).
	FaultHugeRefreshLifetime Fault = "huge-refresh-lifetime"
	// FaultNegativeExpiresIn sends expires_in -3600.
	FaultNegativeExpiresIn Fault = "negative-expires-in"
	// FaultZeroExpiresIn sends expires_in 0.
	FaultZeroExpiresIn Fault = "zero-expires-in"
	// FaultNoExpiresIn leaves expires_in out.
	FaultNoExpiresIn Fault = "no-expires-in"
	// FaultFractionalExpiresIn sends expires_in 21599.5.
	FaultFractionalExpiresIn Fault = "fractional-expires-in"
	// FaultStringExpiresIn sends expires_in "21599s", a string that is no
	// number.
	FaultStringExpiresIn Fault = "string-expires-in"
	// FaultNoRefreshLifetime sends refresh_token without
	// refresh_token_expires_in.
	FaultNoRefreshLifetime Fault = "no-refresh-lifetime"
	// FaultNoRefreshToken leaves out refresh_token and
	// refresh_token_expires_in: wrong for a code exchange, which always
	// brings one, though a valid answer to a refresh that did not rotate.
	FaultNoRefreshToken Fault = "no-refresh-token"
	// FaultAccessTokenSpace sends an access_token with a space in it.
	FaultAccessTokenSpace Fault = "access-token-space"
	// FaultAccessTokenQuote sends an access_token with quotes and a shell
	// command substitution in it.
	FaultAccessTokenQuote Fault = "access-token-quote"
	// FaultAccessTokenControl sends an access_token with a newline and a
	// second KEY=value line in it.
	FaultAccessTokenControl Fault = "access-token-control"
	// FaultRefreshTokenSpace sends a refresh_token with a space in it.
	FaultRefreshTokenSpace Fault = "refresh-token-space"
	// FaultRefreshTokenControl sends a refresh_token with an escape
	// character (ESC, 0x1b) in it.
	FaultRefreshTokenControl Fault = "refresh-token-control"
	// FaultIDTokenSpace sends an id_token with a space in it.
	FaultIDTokenSpace Fault = "id-token-space"
	// FaultTokenTypeBasic sends token_type "Basic": a scheme that is not bearer
	// (Kakao's "토큰 받기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token:
	// always bearer).
	FaultTokenTypeBasic Fault = "token-type-basic"
	// FaultTokenTypeHeader sends token_type "Bearer\r\nX-Inj: 1", a
	// header of its own should a client write it into a request.
	FaultTokenTypeHeader Fault = "token-type-header"
	// FaultTokenTypeEscape sends token_type with a terminal escape
	// sequence (ESC [2J, clear the screen) before "bearer".
	FaultTokenTypeEscape Fault = "token-type-escape"
	// FaultNoTokenType leaves token_type out (RFC 6749 §5.1: required).
	FaultNoTokenType Fault = "no-token-type"
)

// faults lists every fault but FaultNone, for ParseFault.
var faults = []Fault{FaultHang, FaultReset, FaultHTML, Fault500, FaultNoAccessToken, FaultBadJSON, FaultRateLimit, FaultAPIQuota, FaultAPIHang,
	FaultRedirect307, FaultRedirect308, FaultEcho,
	FaultHugeRefreshLifetime, FaultNegativeExpiresIn, FaultZeroExpiresIn, FaultNoExpiresIn, FaultFractionalExpiresIn,
	FaultStringExpiresIn, FaultNoRefreshLifetime, FaultNoRefreshToken,
	FaultAccessTokenSpace, FaultAccessTokenQuote, FaultAccessTokenControl, FaultRefreshTokenSpace, FaultRefreshTokenControl, FaultIDTokenSpace,
	FaultTokenTypeBasic, FaultTokenTypeHeader, FaultTokenTypeEscape, FaultNoTokenType}

// badTokenResponses are the changes the 200-with-a-broken-token faults make
// to a well-formed token response.
var badTokenResponses = map[Fault]func(m map[string]any){
	FaultHugeRefreshLifetime: func(m map[string]any) { m["refresh_token_expires_in"] = int64(9300000000) },
	FaultNegativeExpiresIn:   func(m map[string]any) { m["expires_in"] = -3600 },
	FaultZeroExpiresIn:       func(m map[string]any) { m["expires_in"] = 0 },
	FaultNoExpiresIn:         func(m map[string]any) { delete(m, "expires_in") },
	FaultFractionalExpiresIn: func(m map[string]any) { m["expires_in"] = 21599.5 },
	FaultStringExpiresIn:     func(m map[string]any) { m["expires_in"] = "21599s" },
	FaultNoRefreshLifetime:   func(m map[string]any) { delete(m, "refresh_token_expires_in") },
	FaultNoRefreshToken: func(m map[string]any) {
		delete(m, "refresh_token")
		delete(m, "refresh_token_expires_in")
	},
	FaultAccessTokenSpace:    func(m map[string]any) { m["access_token"] = newSecret(prefixAccess) + " x" },
	FaultAccessTokenQuote:    func(m map[string]any) { m["access_token"] = newSecret(prefixAccess) + `"'$(touch pwned)` },
	FaultAccessTokenControl:  func(m map[string]any) { m["access_token"] = newSecret(prefixAccess) + "\nKAKAO_INJECTED=1" },
	FaultRefreshTokenSpace:   func(m map[string]any) { m["refresh_token"] = newSecret(prefixRefresh) + " x" },
	FaultRefreshTokenControl: func(m map[string]any) { m["refresh_token"] = newSecret(prefixRefresh) + "\x1b[2J" },
	FaultIDTokenSpace:        func(m map[string]any) { m["id_token"] = "eyJhbGciOiJSUzI1NiJ9.e30. sig" },
	FaultTokenTypeBasic:      func(m map[string]any) { m["token_type"] = "Basic" },
	FaultTokenTypeHeader:     func(m map[string]any) { m["token_type"] = "Bearer\r\nX-Inj: 1" },
	FaultTokenTypeEscape:     func(m map[string]any) { m["token_type"] = "\x1b[2Jbearer" },
	FaultNoTokenType:         func(m map[string]any) { delete(m, "token_type") },
}

// Faults lists every fault but FaultNone, for help texts and completion.
func Faults() []Fault { return slices.Clone(faults) }

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
	if f == FaultAPIQuota || f == FaultAPIHang { // kapi faults (serveWideFault)
		f = FaultNone
	}
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
	case FaultRedirect307, FaultRedirect308:
		s.redirect(w, r, f)
	case FaultEcho:
		writeTokenJSON(w, http.StatusBadRequest, &tokenError{Err: "invalid_request", Description: "malformed request: " + echoForm(r)})
	default:
		if change := badTokenResponses[f]; change != nil {
			m := map[string]any{
				"token_type":               "bearer",
				"access_token":             newSecret(prefixAccess),
				"expires_in":               int64(s.accessTTL.Seconds()),
				"refresh_token":            newSecret(prefixRefresh),
				"refresh_token_expires_in": int64(s.refreshTTL.Seconds()),
			}
			change(m)
			writeTokenJSON(w, http.StatusOK, m)
			break
		}
		writeJSON(w, http.StatusInternalServerError, map[string]any{"status": 500, "message": fmt.Sprintf("emulator: unknown fault %q", string(f))})
	}
	return true
}

// serveWideFault answers r when the current fault is one that hits more
// than the token endpoint (redirects and echo) and r is for an endpoint it
// hits, and reports whether it did. /oauth/token is left to serveFault,
// which counts it.
func (s *Server) serveWideFault(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	f := s.fault
	s.mu.Unlock()
	p := r.URL.Path
	browserOrOwn := strings.HasPrefix(p, "/oauth/authorize") || p == "/oauth/logout" || strings.HasPrefix(p, "/_emulator/")
	kapi := strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/v2/")
	switch {
	case p == "/oauth/token" || browserOrOwn:
		return false
	case f == FaultRedirect307 || f == FaultRedirect308:
		s.redirect(w, r, f)
		return true
	case f == FaultEcho && kapi:
		writeAPIError(w, &apiError{status: http.StatusBadRequest, Code: -2,
			Msg: "illegal header: Authorization: " + r.Header.Get("Authorization")})
		return true
	case f == FaultAPIQuota && kapi:
		writeAPIError(w, errAPIQuota)
		return true
	case f == FaultAPIHang && kapi:
		// net/http notices a client hang-up only once the body is read.
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, 1<<20))
		<-r.Context().Done()
		return true
	}
	return false
}

// SetRedirectTarget sets where the redirect faults point; "" (the default)
// means this emulator's own /_emulator/sink.
func (s *Server) SetRedirectTarget(target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirectTarget = target
}

// redirect answers r with the redirect fault f.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, f Fault) {
	s.mu.Lock()
	target := s.redirectTarget
	s.mu.Unlock()
	if target == "" {
		target = baseURL(r) + sinkPath
	}
	status := http.StatusTemporaryRedirect
	if f == FaultRedirect308 {
		status = http.StatusPermanentRedirect
	}
	w.Header().Set("Location", target)
	w.WriteHeader(status)
}

// echoForm is the request's form body as a careless server echoes it: raw,
// with lowercase percent-escapes, with %20 for spaces, and decoded into
// JSON. It reads at most maxFormBytes.
func echoForm(r *http.Request) string {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxFormBytes))
	raw := string(body)
	var lower strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '%' && i+2 < len(raw) {
			lower.WriteString(strings.ToLower(raw[i : i+3]))
			i += 2
			continue
		}
		lower.WriteByte(raw[i])
	}
	form, _ := url.ParseQuery(raw)
	decoded := map[string]string{}
	for k := range form {
		decoded[k] = form.Get(k)
	}
	js, _ := json.Marshal(decoded)
	return strings.Join([]string{raw, lower.String(), strings.ReplaceAll(raw, "+", "%20"), string(js)}, " | ")
}

// sinkPath is where the redirect faults point by default.
const sinkPath = "/_emulator/sink"

// SinkRequest is one request that reached /_emulator/sink: what a client
// that followed a redirect fault gave away.
type SinkRequest struct {
	Method        string
	Path          string
	RawQuery      string
	Authorization string
	Body          string
}

// Sunk returns the requests that reached /_emulator/sink so far.
func (s *Server) Sunk() []SinkRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SinkRequest(nil), s.sunk...)
}

// handleSink serves /_emulator/sink, the emulator's own stand-in for the
// server a hostile redirect points at: it records every request and answers
// 200 with a token-shaped body, as an attacker would, so that a client that
// follows the redirect both leaks its secrets and takes the answer.
func (s *Server) handleSink(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxFormBytes))
	s.mu.Lock()
	s.sunk = append(s.sunk, SinkRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery,
		Authorization: r.Header.Get("Authorization"), Body: string(body)})
	s.stats.SinkRequests++
	s.mu.Unlock()
	writeTokenJSON(w, http.StatusOK, map[string]any{
		"token_type":               "bearer",
		"access_token":             newSecret("sunk_at_"),
		"expires_in":               int64(s.accessTTL.Seconds()),
		"refresh_token":            newSecret("sunk_rt_"),
		"refresh_token_expires_in": int64(s.refreshTTL.Seconds()),
		"id":                       s.users[0].ID,
	})
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
