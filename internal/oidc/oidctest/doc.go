// Package oidctest runs a small OpenID Connect provider for tests: a real
// HTTP server on 127.0.0.1 with a discovery document, a key set, and the
// authorization code flow (with PKCE) for one client, signing in a user
// the test chooses without asking; and a way to mint signed identity
// tokens with any claims. Keys can be rotated and the provider taken down
// to test what a relying party does.
package oidctest
