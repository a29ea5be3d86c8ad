package emulator

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
)

// tokenParams collects a token request's parameters from wherever web apps put
// them (Kakao's "토큰 받기",
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token):
// the form body of a POST, the query string of a POST (Spring-style server
// code), or the query string of a GET (the seed tutorial opens the token URL in
// a browser). Kakao's doc shows only the form body; the other two are
// community-observed, so all three are read.
//
// A parameter given more than once must have one value throughout: which
// of two values Kakao would read is unknown, so the strict reading refuses
// the request as invalid_request, naming the parameter but not its values
// (they may be a code or a secret). Nothing is consumed by a refusal here.
// Any other method is 405 with Allow: GET, POST.
func tokenParams(w http.ResponseWriter, r *http.Request) (url.Values, *tokenError) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		return nil, errTokenMethod
	}
	query, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, errMalformedQuery
	}
	params := url.Values{}
	add := func(v url.Values) *tokenError {
		for k, vs := range v {
			for _, x := range vs {
				if have, ok := params[k]; ok {
					if have[0] != x {
						return conflictingParam(k)
					}
					continue
				}
				params[k] = []string{x}
			}
		}
		return nil
	}
	if e := add(query); e != nil {
		return nil, e
	}
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		// ParseForm reads the body only for a form content type; a
		// body-less POST with its parameters in the query is fine.
		if err := r.ParseForm(); err != nil {
			return nil, errMalformedBody
		}
		if e := add(r.PostForm); e != nil {
			return nil, e
		}
	}
	return params, nil
}

// errMalformedQuery answers a token request whose query string does not parse.
var errMalformedQuery = &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
	Description: "malformed query string"}

// conflictingParam is invalid_request for a parameter given twice with
// different values. The emulator's wording; Kakao's answer is unknown.
func conflictingParam(name string) *tokenError {
	return &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
		Description: "parameter " + url.QueryEscape(name) + " given more than once with different values"}
}

// jsonBody reports whether r is a POST whose body is JSON, which Kakao's
// token endpoint does not read as its parameters.
func jsonBody(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return mt == "application/json"
}

// jsonClientID is the client_id of a JSON body, "" if it has none. Kakao
// answers a JSON body of an app with a client secret with KOE010, not
// KOE101 (as its users report it): it knows the app, so the emulator
// takes the app's name from the JSON, and nothing else (neither the
// secret nor the grant), since the body is still not Kakao's form.
func jsonClientID(r *http.Request) string {
	var body struct {
		ClientID string `json:"client_id"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body) // tokenParams bounded the body
	return body.ClientID
}

// errJSONBody answers a JSON body of an app without a client secret: the
// grant is missing, since only a form is read. The emulator's wording.
var errJSONBody = &tokenError{status: http.StatusBadRequest, Err: "invalid_request",
	Description: "grant_type missing: the body must be a form (application/x-www-form-urlencoded), not JSON"}
