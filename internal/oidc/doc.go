// Package oidc checks OpenID Connect identity tokens for STS
// AssumeRoleWithWebIdentity: the token's signature against the
// provider's published keys (found through its discovery document and
// refreshed when the provider rotates them), its issuer, audience and
// expiry, and turns its claims into who the caller is and which named
// policies apply.
//
// It knows nothing of HTTP handlers or IAM state: internal/sts calls it
// and decides what the claims are worth. It imports go-oidc and the
// standard library only.
package oidc
