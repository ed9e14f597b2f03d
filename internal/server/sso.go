package server

import (
	"context"
	"errors"
	"time"

	"github.com/hoardstore/hoard/internal/console"
	"github.com/hoardstore/hoard/internal/iam"
	"github.com/hoardstore/hoard/internal/oidc"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// consoleSSO signs people in to the console through the OpenID Connect
// provider: the console is the provider's web client, and the person's
// identity token becomes a web identity session (as STS
// AssumeRoleWithWebIdentity issues), whose temporary keys sign the
// console's calls.
type consoleSSO struct {
	name string
	v    *oidc.Verifier
	web  oidc.Web
	iam  *iam.Manager
}

var _ console.SSO = (*consoleSSO)(nil)

// Name names the provider on the sign-in button.
func (s *consoleSSO) Name() string { return s.name }

// Start begins a sign-in at the provider.
func (s *consoleSSO) Start(ctx context.Context) (string, string, any, error) {
	p := oidc.NewPending()
	u, err := s.v.AuthURL(ctx, s.web, p)
	return u, p.State, p, err
}

// Finish trades the code for the identity token and issues the session.
func (s *consoleSSO) Finish(ctx context.Context, pending any, code string, ttl time.Duration) (sigv4.Credentials, string, error) {
	p, ok := pending.(oidc.Pending)
	if !ok || code == "" {
		return sigv4.Credentials{}, "", &console.SSOError{Message: "The identity provider sent no sign-in code; start again."}
	}
	c, err := s.v.Exchange(ctx, s.web, p, code)
	switch {
	case errors.Is(err, oidc.ErrProviderUnavailable):
		return sigv4.Credentials{}, "", &console.SSOError{Message: "The identity provider cannot be reached; try again later."}
	case err != nil:
		return sigv4.Credentials{}, "", err
	}
	sess, err := s.iam.IssueWebSession(iam.WebIdentity{Issuer: c.Issuer, Subject: c.Subject, Policies: c.Policies, Claims: c.Strings}, ttl, "")
	if errors.Is(err, iam.ErrClaims) {
		return sigv4.Credentials{}, "", &console.SSOError{Message: "Your identity token cannot be used here: " + err.Error()}
	}
	if errors.Is(err, iam.ErrNoPolicy) {
		return sigv4.Credentials{}, "", &console.SSOError{Message: "Your account names no policy of this server: ask an administrator to grant you one."}
	}
	if err != nil {
		return sigv4.Credentials{}, "", err
	}
	return sigv4.Credentials{AccessKey: sess.AccessKey, SecretKey: sess.Secret, SessionToken: sess.Token}, c.Username, nil
}
