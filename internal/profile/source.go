package profile

import (
	"context"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// Source is a login's access token as Kakao API calls take it, with
// x/oauth2's semantics: safe for concurrent use; the token is cached and
// refreshed only when due (Token) or when Kakao refused it (Renew, for
// kakao.API's -401 retry); a changed login is saved (a stored profile's
// through Update, env-only mode's handed to its onRotate) before the new
// token is handed out.
type Source struct {
	// ctx bounds the refreshes: oauth2.TokenSource's methods take no
	// context, so a source keeps its command's, as x/oauth2's own
	// refreshing sources do.
	ctx    context.Context
	now    func() time.Time
	minTTL time.Duration
	get    func(ctx context.Context, rec *tokenstore.Record, refused string) (*tokenstore.Record, Result, error)

	mu  sync.Mutex
	rec *tokenstore.Record // the login as last handed out
	res Result             // what the refreshes did, together
}

var (
	_ oauth2.TokenSource = (*Source)(nil)
	_ kakao.Renewer      = (*Source)(nil)
)

// TokenSource is p's access token, starting from rec (as Load read it):
// Token refreshes (Fresh) when less than w.MinTTL is left, Renew when
// Kakao refused the token.
func (p *Profile) TokenSource(ctx context.Context, rec *tokenstore.Record, w Want) *Source {
	return &Source{ctx: ctx, now: p.cfg.now, minTTL: w.MinTTL, rec: rec,
		get: func(ctx context.Context, rec *tokenstore.Record, refused string) (*tokenstore.Record, Result, error) {
			w := w
			w.Refused = refused
			return p.fresh(ctx, rec, w)
		}}
}

// EnvSource is env-only mode's access token: env is the login the
// environment gives (its refresh token, no access token), which nothing
// stores. The first Token refreshes it, and Renew refreshes again when
// Kakao refused the token. keep gets each new login, and whether Kakao
// rotated its refresh token, before its token is handed out: it is where
// a rotated refresh token is saved, since the environment cannot be.
func (c *Config) EnvSource(ctx context.Context, env *tokenstore.Record, secret string, keep func(rec *tokenstore.Record, rotated bool) error) *Source {
	return &Source{ctx: ctx, now: c.now, rec: env,
		get: func(ctx context.Context, rec *tokenstore.Record, refused string) (*tokenstore.Record, Result, error) {
			next := clone(rec)
			rotated, err := c.refresh(ctx, next, secret)
			if err != nil {
				return nil, Result{}, err
			}
			if keep != nil {
				if err := keep(next, rotated); err != nil {
					return nil, Result{}, err
				}
			}
			return next, Result{Refreshed: true, Refused: refused != "", Rotated: rotated, Previous: rec}, nil
		}}
}

// Token returns an access token with at least the source's MinTTL left
// (env-only: this run's), refreshing first when needed.
func (s *Source) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Once refreshed, the token is this run's best: Kakao's may live less
	// than minTTL, and asking again would only meet its rate limit.
	if s.rec.AccessToken == "" || s.rec.Expiry.Sub(s.now()) <= s.minTTL && !s.res.Refreshed {
		if err := s.refresh(""); err != nil {
			return nil, err
		}
	}
	return oauthToken(s.rec), nil
}

// Renew returns an access token other than the refused one, refreshing
// unless that was done already.
func (s *Source) Renew(refused *oauth2.Token) (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rec.AccessToken == refused.AccessToken {
		if err := s.refresh(refused.AccessToken); err != nil {
			return nil, err
		}
	}
	return oauthToken(s.rec), nil
}

func (s *Source) refresh(refused string) error {
	rec, res, err := s.get(s.ctx, s.rec, refused)
	if err != nil {
		return err
	}
	s.rec = rec
	if s.res.Previous == nil {
		s.res.Previous = res.Previous
	}
	s.res.Refreshed = s.res.Refreshed || res.Refreshed
	s.res.Refused = s.res.Refused || res.Refused
	s.res.ByOther = s.res.ByOther || res.ByOther
	s.res.Rotated = s.res.Rotated || res.Rotated
	return nil
}

// Record is the login whose token was last handed out (before the first
// Token: the one the source started from).
func (s *Source) Record() *tokenstore.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rec
}

// Result is what the source's refreshes did, together.
func (s *Source) Result() Result {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.res
}

// oauthToken is rec's access token in x/oauth2's terms.
func oauthToken(rec *tokenstore.Record) *oauth2.Token {
	typ := rec.TokenType
	if typ == "" {
		typ = "bearer"
	}
	return &oauth2.Token{AccessToken: rec.AccessToken, TokenType: typ, Expiry: rec.Expiry}
}
