// Package emulator is a local stand-in for Kakao Login's servers: the kauth
// authorize, token and account-logout endpoints, OpenID Connect (discovery,
// JWKS, ID tokens, tokeninfo, userinfo) and the kapi endpoints a CLI needs
// (user, consent items, KakaoTalk "send to me"), all served by one
// http.Handler on one base URL.
//
// It backs `kakao-auth emulator`, `kakao-auth login --emulator` and every test
// of the client. It is held to Kakao's public documentation, cited beside each
// rule, by its own tests and imports only the standard library, so the client
// and the emulator cannot share a misunderstanding. Where no public source
// confirms a fact, the emulator takes the strict reading and says so next to
// the code.
//
// State lives in memory unless the Server is made with Open and a state
// file: then registered clients and redirect URIs, consents (revocations
// included), codes, tokens and signing keys survive a restart. What tests
// observe (Stats, Memos, Sunk) is never kept.
package emulator

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Defaults used when the matching Config field is zero. The lifetimes follow
// Kakao's token lifetimes,
// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token for
// a REST API key, to the second as Kakao sends them.
const (
	// DefaultClientID is the REST API key registered when Config.ClientIDs is empty.
	DefaultClientID = "emulator-rest-api-key"
	// DefaultRedirectURI is the redirect URI registered when Config.RedirectURIs is empty.
	DefaultRedirectURI = "http://localhost:8765/callback"
	// DefaultLogoutRedirectURI is the logout redirect URI registered when
	// Config.LogoutRedirectURIs is empty: DefaultRedirectURI's listener,
	// path /logout.
	DefaultLogoutRedirectURI = "http://localhost:8765/logout"
	// DefaultAccessTTL is the access-token lifetime of a REST API key: six
	// hours less a second, so expires_in is 21599 as Kakao sends it (Kakao's
	// "토큰 받기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-token;
	// Kakao's token lifetimes,
	// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token).
	DefaultAccessTTL = 21599 * time.Second
	// DefaultRefreshTTL is the refresh-token lifetime: two months less a
	// second, so refresh_token_expires_in is 5183999 as Kakao sends it (Kakao's
	// "토큰 갱신하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token;
	// Kakao's token lifetimes,
	// https://developers.kakao.com/docs/latest/ko/kakaologin/common#login-token).
	DefaultRefreshTTL = 5183999 * time.Second
	// DefaultCodeTTL is the authorization-code lifetime; Kakao's is UNCONFIRMED,
	// community guides say 10 minutes.
	DefaultCodeTTL = 10 * time.Minute
	// RotationWindow is Kakao's rotation rule: a refresh returns a new refresh
	// token only when the old one has less than this left (Kakao's "토큰 갱신하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#refresh-token).
	RotationWindow = 30 * 24 * time.Hour
)

// defaultAppName is shown on the consent page when Config.AppName is empty.
const defaultAppName = "kakao-auth emulator"

// defaultUser is the demo user signed in when Config.User and Config.Users are zero.
var defaultUser = User{
	ID:              4000000001,
	Nickname:        "Ryan",
	Email:           "ryan@example.com",
	ProfileImageURL: "https://example.com/emulator/ryan_640x640.jpg",
}

// Config configures a Server. Every zero value means the default named on its field.
type Config struct {
	// ClientIDs are the registered REST API keys. Default: [DefaultClientID].
	ClientIDs []string
	// RedirectURIs are the registered redirect URIs, matched byte for byte
	// (scheme, host, port, path, trailing slash). Default: [DefaultRedirectURI].
	RedirectURIs []string
	// LogoutRedirectURIs are the registered logout redirect URIs (Kakao's [카카오
	// 로그인] > [고급]), where GET /oauth/logout may send the browser back; matched
	// byte for byte, KOE007 otherwise (Kakao's "카카오계정과 함께 로그아웃",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#logout-of-service-and-kakaoaccount;
	// KOE007 in Kakao's "문제 해결",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/trouble-shooting).
	// Default: [DefaultLogoutRedirectURI].
	LogoutRedirectURIs []string
	// ClientSecret, when non-empty, must be sent as client_secret on every
	// token request (else 401 invalid_client KOE010). Default: "" (secret OFF).
	ClientSecret string
	// AccessTTL is the access-token lifetime. Default: DefaultAccessTTL.
	AccessTTL time.Duration
	// RefreshTTL is the refresh-token lifetime. Default: DefaultRefreshTTL.
	// Below RotationWindow, every refresh rotates the refresh token.
	RefreshTTL time.Duration
	// CodeTTL is the lifetime of authorization codes and of consent pages.
	// Default: DefaultCodeTTL.
	CodeTTL time.Duration
	// AutoApprove skips the consent page as if the person pressed Agree at
	// once. Default: false (the consent page is shown).
	AutoApprove bool
	// AppName is the app name shown on the consent page. Default: "kakao-auth emulator".
	AppName string
	// User is the signed-in demo user. Default (the zero User): ID 4000000001,
	// nickname "Ryan", email "ryan@example.com". Ignored when Users is set.
	User User
	// Users, when it has more than one entry, are the Kakao accounts a
	// person can sign in as: the consent page offers them to pick from,
	// login_hint preselects one (by email, ID or nickname), and
	// prompt=select_account always shows the picker. Every answer about
	// "the user" (/v2/user/me, userinfo, ID tokens) is then about the one
	// picked for the grant. IDs should be unique (ReadUsersFile checks);
	// the first of two users with one ID wins. Default: [User].
	Users []User
	// Now is the clock. Default: time.Now.
	Now func() time.Time

	// ScopesEnabled are the consent items set up for the app in the console,
	// "openid" standing for OpenID Connect being ON (Kakao's "OpenID Connect ID
	// 토큰 발급하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token).
	// Default (nil or empty): every scope is accepted and OpenID Connect is on,
	// and an authorize request without a scope parameter asks for openid alone.
	// When non-empty, an authorize request asking for any other item gets
	// Kakao's own error page, KOE205 (so does "openid" while it is not in the
	// list: OIDC is off), and one without a scope parameter asks for all of
	// them, as Kakao's default consent does. Either way, a code exchange brings
	// an ID token when its authorize request asked for openid, which a request
	// without scope does whenever OIDC is on; a request with a scope
	// (additional consent) must name openid itself (Kakao's "추가 항목 동의 받기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-additional-consent;
	// Kakao's "OpenID Connect ID 토큰 발급하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code-id-token).
	ScopesEnabled []string
	// ScopesRequired are the consent items set as required in the console: GET
	// /v2/user/scopes shows them "revocable": false, and revoking one is
	// refused with -3 (Kakao's "동의 내역 확인하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#check-consent).
	// Default (nil): profile_nickname and profile, the profile basics; an
	// empty, non-nil list sets none.
	ScopesRequired []string
	// Issuer is the "iss" of ID tokens and "issuer" of discovery. Default: the
	// emulator's own base URL, scheme and host, as the request at hand reached
	// it (the token request for iss, the discovery request for issuer), such as
	// "http://127.0.0.1:9339": a client pointed at the emulator can check iss
	// against its auth base URL, as it would check Kakao's against
	// "https://kauth.kakao.com" (Kakao's "ID 토큰 유효성 검증하기",
	// https://developers.kakao.com/docs/latest/ko/kakaologin/common#oidc-id-token-verify).
	// Set that value here to mimic Kakao exactly; the endpoints in discovery
	// stay on the emulator's base URL either way.
	Issuer string
	// PublicURL is the emulator's base URL as its clients reach it, such
	// as "http://kakao-emulator:9339" in a container network: discovery's
	// endpoints and, unless Issuer is set, the issuer use it instead of the
	// request's own scheme and host. A trailing slash is dropped. Default:
	// "", the request's.
	PublicURL string
	// KeyRotationInterval, when positive, makes the ID-token signing key
	// rotate this often (by Now): a new key with a new kid signs from then
	// on, and the JWKS serves it next to the one it replaced, dropping any
	// older key. Default: 0, one key for the Server's life (RotateKey still
	// rotates by hand).
	KeyRotationInterval time.Duration
}

// User is a Kakao account the emulator pretends is signed in. Its JSON form
// is an entry of the --users file (ReadUsersFile).
type User struct {
	// ID is the Kakao user ID, "id" in kapi answers.
	ID int64 `json:"id"`
	// Nickname is the profile nickname, given with profile_nickname or profile consent.
	Nickname string `json:"nickname"`
	// Email is the account email, given with account_email consent; "" means none.
	Email string `json:"email"`
	// ProfileImageURL is the profile image; "" means Kakao's default
	// image. Its thumbnail (in ID tokens and thumbnail_image_url) is the
	// same URL with 640x640 read as 110x110, as Kakao's CDN names them.
	ProfileImageURL string `json:"picture"`
	// Agreed are the consent items this person agrees to when an app asks:
	// pressing Agree grants the items asked for that are in this list and
	// leaves the others unticked, as a Kakao user may untick optional items.
	// "openid" is not a consent item and is never held back. nil means
	// every item asked for; an empty list, none.
	Agreed []string `json:"agreed"`
}

// Server is the emulated kauth + kapi. It is an http.Handler serving both
// hosts' paths on one base URL; all its methods are safe for concurrent use.
//
// Like Kakao, it shows the consent page only while the user has not yet agreed
// to the requested scopes for the client (or when prompt asks for login, create
// or select_account); after that, authorize redirects with a code at once
// (Kakao's "인가 코드 받기" (its behaviour),
// https://developers.kakao.com/docs/latest/ko/kakaologin/rest-api#request-code).
// With several users, the page is also the account picker, shown until the
// browser has picked an account.
type Server struct {
	mux        *http.ServeMux
	secret     string
	accessTTL  time.Duration
	refreshTTL time.Duration
	codeTTL    time.Duration
	appName    string
	users      []User // the accounts; one unless Config.Users has several
	now        func() time.Time
	publicURL  string      // "": the request's base URL
	store      *stateStore // nil: state lives in memory only

	mu           sync.Mutex
	clients      map[string]bool
	redirectURIs map[string]bool
	logoutURIs   map[string]bool // logout redirect URIs
	autoApprove  bool
	fault        Fault
	stats        Stats
	pending      map[string]*authRequest  // consent pages awaiting a decision, by tx
	codes        map[string]*authRequest  // authorization codes
	access       map[string]*accessToken  // access tokens
	refresh      map[string]*refreshToken // refresh tokens
	links        map[linkKey]*link        // each user's consent, by user and client
	lastSweep    time.Time
	// With a state file: the entries changed since the file last took
	// them (nil without one), and how many changes there have been, which
	// tells a request whether the file already holds what it saw.
	dirty   map[entryRef]struct{}
	changes uint64

	scopesEnabled  []string // nil: every scope is accepted
	scopesRequired []string // not revocable
	issuer         string   // "": the public base URL
	keys           *keyring
	idFault        IDTokenFault
	answers        answers // chosen error answers (answers.go)

	redirectTarget string        // where the redirect faults point; "": sinkPath
	sunk           []SinkRequest // requests that reached sinkPath
	memos          []Memo        // messages sent "to me", for tests

	delay    hold // SetTokenDelay
	apiDelay hold // SetAPIDelay
}

// New returns a Server configured by cfg, with defaults for zero fields.
func New(cfg Config) *Server {
	s := &Server{
		secret:       cfg.ClientSecret,
		accessTTL:    orDefault(cfg.AccessTTL, DefaultAccessTTL),
		refreshTTL:   orDefault(cfg.RefreshTTL, DefaultRefreshTTL),
		codeTTL:      orDefault(cfg.CodeTTL, DefaultCodeTTL),
		appName:      cfg.AppName,
		users:        configUsers(cfg),
		now:          cfg.Now,
		clients:      map[string]bool{},
		redirectURIs: map[string]bool{},
		logoutURIs:   map[string]bool{},
		autoApprove:  cfg.AutoApprove,
		pending:      map[string]*authRequest{},
		codes:        map[string]*authRequest{},
		access:       map[string]*accessToken{},
		refresh:      map[string]*refreshToken{},
		links:        map[linkKey]*link{},
		issuer:       cfg.Issuer,
		publicURL:    strings.TrimRight(cfg.PublicURL, "/"),
	}
	if len(cfg.ScopesEnabled) > 0 {
		s.scopesEnabled = parseScopes(strings.Join(cfg.ScopesEnabled, " "))
	}
	s.scopesRequired = defaultRequired
	if cfg.ScopesRequired != nil {
		s.scopesRequired = parseScopes(strings.Join(cfg.ScopesRequired, " "))
	}
	if s.appName == "" {
		s.appName = defaultAppName
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.keys = newKeyring(s.now(), cfg.KeyRotationInterval)
	clientIDs := cfg.ClientIDs
	if len(clientIDs) == 0 {
		clientIDs = []string{DefaultClientID}
	}
	for _, id := range clientIDs {
		s.RegisterClient(id)
	}
	uris := cfg.RedirectURIs
	if len(uris) == 0 {
		uris = []string{DefaultRedirectURI}
	}
	for _, uri := range uris {
		s.RegisterRedirectURI(uri)
	}
	logoutURIs := cfg.LogoutRedirectURIs
	if len(logoutURIs) == 0 {
		logoutURIs = []string{DefaultLogoutRedirectURI}
	}
	for _, uri := range logoutURIs {
		s.RegisterLogoutRedirectURI(uri)
	}

	// Paths carry no method: each handler checks its own, so that faults hit
	// /oauth/token before any check and kapi answers wrong methods in its shape.
	s.mux = http.NewServeMux()
	s.mux.HandleFunc("/oauth/authorize", s.handleAuthorize)
	s.mux.HandleFunc("/oauth/authorize/consent", s.handleConsent)
	s.mux.HandleFunc("/oauth/logout", s.handleAccountLogout)
	s.mux.HandleFunc("/oauth/token", s.handleToken)
	s.mux.HandleFunc("/oauth/tokeninfo", s.handleIDTokenInfo)
	s.mux.HandleFunc("/.well-known/openid-configuration", s.handleDiscovery)
	s.mux.HandleFunc("/.well-known/jwks.json", s.handleJWKS)
	s.mux.HandleFunc("/v1/oidc/userinfo", s.handleUserInfo)
	s.mux.HandleFunc("/v1/user/access_token_info", s.handleTokenInfo)
	s.mux.HandleFunc("/v2/user/me", s.handleMe)
	s.mux.HandleFunc("/v1/user/logout", s.handleLogout)
	s.mux.HandleFunc("/v1/user/unlink", s.handleUnlink)
	s.mux.HandleFunc("/v2/user/scopes", s.handleScopes)
	s.mux.HandleFunc("/v2/user/revoke/scopes", s.handleRevokeScopes)
	s.mux.HandleFunc("/v2/api/talk/memo/default/send", s.handleMemoSend)
	s.mux.HandleFunc("/_emulator/stats", s.handleStats)
	s.mux.HandleFunc("/_emulator/memos", s.handleMemos)
	s.mux.HandleFunc("/_emulator/rotate-key", s.handleRotateKey)
	s.mux.HandleFunc("/_emulator/expire-access-tokens", s.handleExpireAccessTokens)
	s.mux.HandleFunc(sinkPath, s.handleSink)
	return s
}

// ServeHTTP serves the kauth paths (/oauth/authorize, /oauth/token,
// /oauth/logout, /oauth/tokeninfo, /.well-known/openid-configuration,
// /.well-known/jwks.json), the kapi paths (/v1/user/access_token_info,
// /v2/user/me, /v1/user/logout, /v1/user/unlink, /v2/user/scopes,
// /v2/user/revoke/scopes, /v2/api/talk/memo/default/send,
// /v1/oidc/userinfo) and the emulator-only /_emulator/stats,
// /_emulator/memos, /_emulator/rotate-key and /_emulator/sink. Anything
// else is 404. Before any of that, guard refuses a Host that does not name
// the emulator (421) and a state change from another origin (403).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.guard(w, r) {
		return
	}
	if s.serveWideFault(w, r) {
		return
	}
	if s.store != nil {
		s.serveSaving(w, r)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// RegisterClient registers one more REST API key. Empty keys are ignored.
func (s *Server) RegisterClient(clientID string) {
	if clientID == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients[clientID] = true
	s.changedLocked(kindClient, clientID)
}

// RegisterRedirectURI registers one more redirect URI, to be matched byte for
// byte. Unlike Kakao's console, it neither checks the scheme nor caps the list
// at 10 (Kakao's "Redirect URI",
// https://developers.kakao.com/docs/latest/en/kakaologin/prerequisite): tests
// may register whatever they need.
func (s *Server) RegisterRedirectURI(uri string) {
	if uri == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.redirectURIs[uri] = true
	s.changedLocked(kindRedirectURI, uri)
}

// RegisterLogoutRedirectURI registers one more logout redirect URI, to be
// matched byte for byte.
func (s *Server) RegisterLogoutRedirectURI(uri string) {
	if uri == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.logoutURIs[uri] = true
	s.changedLocked(kindLogoutURI, uri)
}

// SetAutoApprove turns skipping the consent page on or off.
func (s *Server) SetAutoApprove(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.autoApprove = on
}

func orDefault(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
