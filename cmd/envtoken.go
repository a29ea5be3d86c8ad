package cmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/kakao-auth/kakao-auth/internal/kakao"
	"github.com/kakao-auth/kakao-auth/internal/privfile"
	"github.com/kakao-auth/kakao-auth/internal/profile"
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
	env, err := envLogin(d, o.ClientSecret, false)
	if err != nil {
		return err
	}
	src := envSource(ctx, d, env, o.ClientSecret, o.RotatedFile, o.Output)
	if _, err := src.Token(); err != nil {
		return explainEnvRefresh(err)
	}
	rec, rotatedRT := src.Record(), ""
	if src.Result().Rotated {
		rotatedRT = rec.RefreshToken
	}
	return writeToken(d, o, "env", rec, rotatedRT)
}

// envLogin is env-only mode's login as the environment gives it: the app,
// its servers and KAKAO_REFRESH_TOKEN, every secret masked first. The auth
// server is vetted, and the API server too when the run calls it (withAPI).
func envLogin(d *Deps, secret string, withAPI bool) (*tokenstore.Record, error) {
	rt := d.Getenv(envRefreshToken)
	clientID := d.Getenv(envClientID)
	if err := maskSecrets(d, rt, secret); err != nil {
		return nil, err
	}
	if clientID == "" {
		return nil, usagef("set "+envClientID+" to the app's REST API key next to "+envRefreshToken, "%s is set but %s is not", envRefreshToken, envClientID)
	}
	env := &tokenstore.Record{
		ClientID:     clientID,
		AuthURL:      baseURL(d.Getenv(envAuthURL), kakao.DefaultAuthURL),
		APIURL:       baseURL(d.Getenv(envAPIURL), kakao.DefaultAPIURL),
		RefreshToken: rt,
	}
	servers := []server{{env.AuthURL, envAuthURL, "auth"}}
	if withAPI {
		servers = append(servers, server{env.APIURL, envAPIURL, "API"})
	}
	p := cleartextPolicy{allow: allowInsecureEnv(d), fix: useHTTPS, optIn: optInEnv}
	if err := p.check(d, servers...); err != nil {
		return nil, err
	}
	return env, nil
}

// envSource is env-only mode's token source (the core's EnvSource): each
// new login's secrets are masked before anything else sees them, and a
// rotated refresh token is handed on where rotatedFile and output say
// (handleRotation).
func envSource(ctx context.Context, d *Deps, env *tokenstore.Record, secret, rotatedFile, output string) *profile.Source {
	return lifecycle(d).EnvSource(ctx, env, secret, func(rec *tokenstore.Record, rotated bool) error {
		if err := maskSecrets(d, rec.AccessToken, rec.RefreshToken, rec.IDToken); err != nil {
			return err
		}
		if rotated {
			return handleRotation(d, rotatedFile, output, rec)
		}
		return nil
	})
}

// explainEnvRefresh turns Kakao refusing KAKAO_REFRESH_TOKEN into a
// login-required error that says how CI gets a new one.
func explainEnvRefresh(err error) error {
	var ke *kakao.Error
	if errors.As(err, &ke) && ke.OAuthError == "invalid_grant" {
		return &hintedError{
			err:  fmt.Errorf("%w: Kakao rejected %s: %w", ErrLoginRequired, envRefreshToken, ke),
			hint: `it expired, was rotated by an earlier run whose new token was not saved, or the app was unlinked: run ` + newCISecret(),
		}
	}
	return err
}

// handleRotation saves a rotated refresh token where the user asked (file,
// and the step output with --output github-output) and warns (without the
// value) that the CI secret must be updated.
func handleRotation(d *Deps, file, output string, tok *tokenstore.Record) error {
	var where []string
	if file != "" {
		if err := privfile.WriteAtomic(file, []byte(tok.RefreshToken+"\n")); err != nil {
			return fmt.Errorf("save the rotated refresh token to %s: %w (Kakao rotated it; %s no longer works)", file, err, envRefreshToken)
		}
		where = append(where, "written to "+file)
	}
	if output == "github-output" {
		where = append(where, "in this step's output refresh_token")
	}
	if len(where) == 0 {
		warnf(d, "Kakao rotated the refresh token, and the old %s no longer works; the new one was NOT saved (pass --rotated-refresh-token-file PATH or --output github-output): the next run will need a new login", envRefreshToken)
	} else {
		warnf(d, "Kakao rotated the refresh token, and the old %s no longer works: update the CI secret with the new one (%s)", envRefreshToken, joinAnd(where))
	}
	if left := tok.RefreshExpiry.Sub(d.Now()); !tok.RefreshExpiry.IsZero() && left < rotationWindow {
		warnf(d, "the new refresh token expires %s (in %s)", rfc3339(tok.RefreshExpiry), human(left))
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
