package cmd

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/tokenstore"
)

// envRefreshToken turns on env-only mode for CI: refresh with this token,
// touch no store.
const envRefreshToken = "KAKAO_REFRESH_TOKEN"

// runEnvToken is "token" in env-only mode: every run refreshes with
// KAKAO_REFRESH_TOKEN and stores nothing. When Kakao rotates the refresh
// token the old one (the CI secret) stops working, so the new one is written
// where asked and the user is always told to update the secret.
func runEnvToken(ctx context.Context, d *Deps, o *TokenOptions) error {
	rt := d.Getenv(envRefreshToken)
	clientID := d.Getenv(envClientID)
	if err := maskSecrets(d, rt, o.ClientSecret); err != nil {
		return err
	}
	if clientID == "" {
		return usagef("set "+envClientID+" to the app's REST API key next to "+envRefreshToken, "%s is set but %s is not", envRefreshToken, envClientID)
	}
	client := &kakao.Client{
		ClientID:     clientID,
		ClientSecret: o.ClientSecret,
		AuthURL:      firstNonEmpty(d.Getenv(envAuthURL), kakao.DefaultAuthURL),
		HTTPClient:   d.HTTPClient,
	}
	p := cleartextPolicy{allow: allowInsecureEnv(d), fix: useHTTPS, optIn: optInEnv}
	if err := p.check(d, server{client.AuthURL, envAuthURL, "auth"}); err != nil {
		return err
	}
	tok, err := client.Refresh(ctx, rt)
	if err != nil {
		var ke *kakao.Error
		if errors.As(err, &ke) && ke.OAuthError == "invalid_grant" {
			return &hintedError{
				err:  fmt.Errorf("%w: Kakao rejected %s: %v", ErrLoginRequired, envRefreshToken, ke),
				hint: `it expired, was rotated by an earlier run whose new token was not saved, or the app was unlinked: run "kakao-auth login" on a machine with a browser, then "kakao-auth export" to refresh the CI secret`,
			}
		}
		return fmt.Errorf("refresh: %w", err)
	}
	if err := maskSecrets(d, tok.AccessToken, tok.RefreshToken, tok.IDToken); err != nil {
		return err
	}
	if tok.IDToken != "" {
		v := &kakao.IDVerifier{ClientID: clientID, AuthURL: client.AuthURL, HTTPClient: d.HTTPClient, Now: d.Now}
		if _, err := v.Verify(ctx, tok.IDToken, "", true); err != nil {
			return fmt.Errorf("refresh: %w", err)
		}
	}
	rec := &tokenstore.Record{
		ClientID:     clientID,
		TokenType:    tok.TokenType,
		AccessToken:  tok.AccessToken,
		Expiry:       tok.Expiry,
		Scopes:       tok.Scopes,
		RefreshToken: rt,
		IDToken:      tok.IDToken,
	}
	if tok.RefreshToken != "" {
		rec.RefreshToken, rec.RefreshExpiry = tok.RefreshToken, tok.RefreshExpiry
		if err := handleRotation(d, o, tok); err != nil {
			return err
		}
	}
	return writeToken(d, o, "env", rec, tok.RefreshToken)
}

// handleRotation saves a rotated refresh token where the user asked and warns
// (without the value) that the CI secret must be updated.
func handleRotation(d *Deps, o *TokenOptions, tok *kakao.Token) error {
	var where []string
	if o.RotatedFile != "" {
		if err := privfile.WriteAtomic(o.RotatedFile, []byte(tok.RefreshToken+"\n")); err != nil {
			return fmt.Errorf("save the rotated refresh token to %s: %w (Kakao rotated it; %s no longer works)", o.RotatedFile, err, envRefreshToken)
		}
		where = append(where, "written to "+o.RotatedFile)
	}
	if o.Output == "github-output" {
		where = append(where, "in this step's output refresh_token")
	}
	if len(where) == 0 {
		warnf(d, "Kakao rotated the refresh token, and the old %s no longer works; the new one was NOT saved (pass --rotated-refresh-token-file PATH or --output github-output): the next run will need a new login", envRefreshToken)
	} else {
		warnf(d, "Kakao rotated the refresh token, and the old %s no longer works: update the CI secret with the new one (%s)", envRefreshToken, joinAnd(where))
	}
	if !tok.RefreshExpiry.IsZero() && time.Until(tok.RefreshExpiry) < rotationWindow {
		warnf(d, "the new refresh token expires %s (in %s)", rfc3339(tok.RefreshExpiry), human(time.Until(tok.RefreshExpiry)))
	}
	return nil
}

func joinAnd(parts []string) string {
	switch len(parts) {
	case 0:
		return ""
	case 1:
		return parts[0]
	}
	return fmt.Sprintf("%s and %s", parts[0], parts[1])
}
