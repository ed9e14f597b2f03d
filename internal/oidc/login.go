package oidc

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/oauth2"
)

// ErrLogin: the provider refused the authorization code, or its answer
// carried no valid identity token for this login.
var ErrLogin = errors.New("oidc: sign-in failed")

// Web describes the console as the provider's web client: the OpenID
// Connect authorization code flow with PKCE.
type Web struct {
	// ClientID must be one of the Verifier's ClientIDs.
	ClientID     string
	ClientSecret string
	// RedirectURL is where the provider sends the browser back, as
	// registered with it.
	RedirectURL string
	// Scopes asked for besides openid; nil means profile and email.
	Scopes []string
}

// Pending is one sign-in in progress: what the browser's return must
// match (State), and what proves the code is this login's (Nonce,
// Verifier). Keep it server-side until the browser comes back.
type Pending struct {
	State, Nonce, Verifier string
}

// NewPending returns a fresh sign-in.
func NewPending() Pending {
	return Pending{State: random(), Nonce: random(), Verifier: oauth2.GenerateVerifier()}
}

// random returns 256 random bits, base64url-encoded.
func random() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// oauth returns the OAuth 2.0 client of w at the provider.
func (v *Verifier) oauth(ctx context.Context, w Web) (*oauth2.Config, error) {
	if _, err := v.idTokenVerifier(ctx); err != nil {
		return nil, err
	}
	v.mu.Lock()
	p := v.provider
	v.mu.Unlock()
	scopes := w.Scopes
	if scopes == nil {
		scopes = []string{"profile", "email"}
	}
	return &oauth2.Config{ClientID: w.ClientID, ClientSecret: w.ClientSecret, RedirectURL: w.RedirectURL,
		Endpoint: p.Endpoint(), Scopes: append([]string{"openid"}, scopes...)}, nil
}

// AuthURL returns the provider's page to send the browser to for p.
func (v *Verifier) AuthURL(ctx context.Context, w Web, p Pending) (string, error) {
	c, err := v.oauth(ctx, w)
	if err != nil {
		return "", err
	}
	return c.AuthCodeURL(p.State, oauth2.S256ChallengeOption(p.Verifier), oauth2.SetAuthURLParam("nonce", p.Nonce)), nil
}

// Exchange trades the code the browser came back with for the identity
// token of p's sign-in, verified as Verify does and bound to p's nonce.
func (v *Verifier) Exchange(ctx context.Context, w Web, p Pending, code string) (*Claims, error) {
	c, err := v.oauth(ctx, w)
	if err != nil {
		return nil, err
	}
	tok, err := c.Exchange(context.WithValue(ctx, oauth2.HTTPClient, v.cfg.HTTPClient), code, oauth2.VerifierOption(p.Verifier))
	if err != nil {
		return nil, fmt.Errorf("%w: the provider refused the code: %v", ErrLogin, err)
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, fmt.Errorf("%w: the provider sent no identity token", ErrLogin)
	}
	claims, nonce, err := v.verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if nonce != p.Nonce {
		return nil, fmt.Errorf("%w: the identity token is not this sign-in's (nonce)", ErrLogin)
	}
	if claims.Audience != w.ClientID {
		return nil, fmt.Errorf("%w: the identity token was issued to %q, not to the console's client", ErrLogin, claims.Audience)
	}
	return claims, nil
}
