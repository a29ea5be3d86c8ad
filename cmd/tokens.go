package cmd

import (
	"context"
	"time"

	"golang.org/x/oauth2"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// profileTokens is a stored profile's access token as Kakao API calls take
// it, an oauth2.TokenSource that refreshes through ensureFresh, the one
// refresh path: Token refreshes when less than minTTL is left, and Renew
// (kakao.Renewer) when Kakao refused the token (-401).
type profileTokens struct {
	// ctx bounds the refreshes. oauth2.TokenSource's methods take no
	// context, so a source keeps the one of its command, as x/oauth2's
	// own refreshing sources do.
	ctx    context.Context
	d      *Deps
	s      *stored
	secret string
	minTTL time.Duration

	rec *tokenstore.Record // the record of the last token handed out
	res refreshResult      // what the refreshes did, together
}

var _ kakao.Renewer = (*profileTokens)(nil)

// Token returns an access token with at least minTTL left.
func (p *profileTokens) Token() (*oauth2.Token, error) {
	return p.get(freshness{minTTL: p.minTTL})
}

// Renew returns an access token other than the refused one.
func (p *profileTokens) Renew(refused *oauth2.Token) (*oauth2.Token, error) {
	return p.get(freshness{refused: refused.AccessToken})
}

func (p *profileTokens) get(f freshness) (*oauth2.Token, error) {
	rec, res, err := ensureFresh(p.ctx, p.d, p.s, p.secret, f)
	if err != nil {
		return nil, err
	}
	p.rec = rec
	p.res.refreshed = p.res.refreshed || res.refreshed
	p.res.byOther = p.res.byOther || res.byOther
	p.res.rotated = p.res.rotated || res.rotated
	return oauthToken(rec), nil
}

// oauthToken is rec's access token in x/oauth2's terms.
func oauthToken(rec *tokenstore.Record) *oauth2.Token {
	return &oauth2.Token{AccessToken: rec.AccessToken, TokenType: firstNonEmpty(rec.TokenType, "bearer"), Expiry: rec.Expiry}
}

// userAPI is Kakao's user API for a stored profile, calling with tokens
// from its profileTokens (which minTTL keeps fresh). rec is the profile's
// record as loaded, whose servers it vets before anything is sent.
func (s *stored) userAPI(ctx context.Context, d *Deps, rec *tokenstore.Record, secret string, minTTL time.Duration) (*kakao.API, *profileTokens, error) {
	if err := s.checkServers(d, rec); err != nil {
		return nil, nil, err
	}
	tokens := &profileTokens{ctx: ctx, d: d, s: s, secret: secret, minTTL: minTTL, rec: rec}
	return &kakao.API{BaseURL: rec.APIURL, Tokens: tokens, HTTPClient: d.HTTPClient}, tokens, nil
}

// envTokens is env-only mode's access token as Kakao API calls take it:
// the first Token refreshes KAKAO_REFRESH_TOKEN's login (refreshEnv, the
// one refresh; nothing is stored), and Renew refreshes again when Kakao
// refused the token (-401). A rotated refresh token is handed on as
// "token" hands it on (handleRotation, with rotation's RotatedFile).
type envTokens struct {
	ctx      context.Context // see profileTokens
	d        *Deps
	secret   string
	rotation *TokenOptions
	rec      *tokenstore.Record
	fresh    bool // rec's access token is this run's
}

var _ kakao.Renewer = (*envTokens)(nil)

// Token returns the access token of this run's refresh.
func (e *envTokens) Token() (*oauth2.Token, error) {
	if !e.fresh {
		if err := e.refresh(); err != nil {
			return nil, err
		}
	}
	return oauthToken(e.rec), nil
}

// Renew refreshes again, unless the refused token is an older one.
func (e *envTokens) Renew(refused *oauth2.Token) (*oauth2.Token, error) {
	if !e.fresh || e.rec.AccessToken == refused.AccessToken {
		if err := e.refresh(); err != nil {
			return nil, err
		}
	}
	return oauthToken(e.rec), nil
}

func (e *envTokens) refresh() error {
	rec, rotated, err := refreshEnv(e.ctx, e.d, e.rec, e.secret)
	if err != nil {
		return err
	}
	e.rec, e.fresh = rec, true
	if rotated {
		return handleRotation(e.d, e.rotation, rec)
	}
	return nil
}
