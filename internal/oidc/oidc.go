package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
)

// Errors of Verify; test them with errors.Is.
var (
	// ErrInvalidToken: the token is not a valid identity token of the
	// provider for one of the configured clients (bad signature, issuer
	// or audience, malformed).
	ErrInvalidToken = errors.New("oidc: invalid identity token")
	// ErrExpiredToken: the token is past its expiry.
	ErrExpiredToken = errors.New("oidc: identity token expired")
	// ErrProviderUnavailable: the provider's discovery document or keys
	// could not be fetched.
	ErrProviderUnavailable = errors.New("oidc: identity provider unavailable")
)

// wellKnown ends a discovery document's URL.
const wellKnown = "/.well-known/openid-configuration"

// DefaultClaimName is the claim that names the policies of a token's
// holder when Config.ClaimName is empty (as MinIO's default, so tokens
// issued for it carry over).
const DefaultClaimName = "policy"

// retryDiscovery is the least time between two attempts to fetch the
// discovery document after one failed.
const retryDiscovery = 5 * time.Second

// Config describes one OpenID Connect provider.
type Config struct {
	// ConfigURL is the provider's discovery document
	// (https://idp.example.com/realms/x/.well-known/openid-configuration)
	// or its issuer URL.
	ConfigURL string
	// ClientIDs are the audiences accepted: a token must be issued to one
	// of them.
	ClientIDs []string
	// ClaimName names the claim listing the holder's policies (a string
	// of comma-separated names, or an array of names); "" means
	// DefaultClaimName. Ignored when RolePolicy is set.
	ClaimName string
	// RolePolicy, when set, is the policies every token of this provider
	// gets, whatever its claims.
	RolePolicy []string
	// UsernameClaim names the claim used as the holder's user name (for
	// ${aws:username} and logs); "" means preferred_username, then sub.
	UsernameClaim string
	// HTTPClient fetches the discovery document and keys; nil means a
	// client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock tokens are checked against; nil means time.Now.
	Now func() time.Time
}

// Validate reports every problem of c at once.
func (c Config) Validate() error {
	var errs []error
	u, err := url.Parse(c.ConfigURL)
	switch {
	case c.ConfigURL == "":
		errs = append(errs, errors.New("oidc: the provider's configuration URL is required"))
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		errs = append(errs, fmt.Errorf("oidc: configuration URL %q is not an http(s) URL", c.ConfigURL))
	}
	if len(c.ClientIDs) == 0 {
		errs = append(errs, errors.New("oidc: at least one client ID is required"))
	}
	for _, id := range c.ClientIDs {
		if strings.TrimSpace(id) == "" {
			errs = append(errs, errors.New("oidc: an empty client ID"))
		}
	}
	for _, p := range c.RolePolicy {
		if strings.TrimSpace(p) == "" {
			errs = append(errs, errors.New("oidc: an empty role policy name"))
		}
	}
	return errors.Join(errs...)
}

// Issuer is the issuer URL of c's provider: ConfigURL without its
// discovery suffix.
func (c Config) Issuer() string {
	return strings.TrimSuffix(strings.TrimSuffix(c.ConfigURL, wellKnown), "/")
}

// Claims is what a verified token says of its holder.
type Claims struct {
	Issuer   string
	Subject  string
	Audience string
	// Username is the UsernameClaim (or preferred_username, or sub).
	Username string
	// Policies are the named policies the token grants (RolePolicy, or
	// the policy claim), deduplicated, in order.
	Policies []string
	Expiry   time.Time
	// Strings are the token's top-level claims whose values are strings
	// (sub, email, preferred_username, ...), for policy variables.
	Strings map[string]string
}

// Verifier checks tokens of one provider. It is safe for concurrent use.
type Verifier struct {
	cfg Config

	mu       sync.Mutex
	provider *gooidc.Provider
	verifier *gooidc.IDTokenVerifier
	failedAt time.Time
	failure  error
}

// New returns a Verifier for c. It does not contact the provider: the
// discovery document is fetched at the first Verify (and again after a
// failure), so a server starts while its provider is down.
func New(c Config) (*Verifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if c.ClaimName == "" {
		c.ClaimName = DefaultClaimName
	}
	if c.HTTPClient == nil {
		c.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return &Verifier{cfg: c}, nil
}

// idTokenVerifier returns the provider's token verifier, discovering the
// provider on first use.
func (v *Verifier) idTokenVerifier(ctx context.Context) (*gooidc.IDTokenVerifier, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.verifier != nil {
		return v.verifier, nil
	}
	if v.failure != nil && v.cfg.Now().Sub(v.failedAt) < retryDiscovery {
		return nil, v.failure
	}
	dctx, cancel := context.WithTimeout(gooidc.ClientContext(ctx, v.cfg.HTTPClient), 10*time.Second)
	defer cancel()
	p, err := gooidc.NewProvider(dctx, v.cfg.Issuer())
	if err != nil {
		v.failedAt, v.failure = v.cfg.Now(), fmt.Errorf("%w: %v", ErrProviderUnavailable, err)
		return nil, v.failure
	}
	// The provider's key set fetches the keys with the client given
	// above, on first use and whenever a token names a key it does not
	// hold (a rotation); it checks the issuer the document names.
	v.provider = p
	v.verifier = p.Verifier(&gooidc.Config{
		SkipClientIDCheck: true, // several accepted audiences: checked in Verify
		Now:               v.cfg.Now,
	})
	v.failure = nil
	return v.verifier, nil
}

// Verify checks raw, an identity token (a signed JWT), and returns what
// it says of its holder.
func (v *Verifier) Verify(ctx context.Context, raw string) (*Claims, error) {
	c, _, err := v.verify(ctx, raw)
	return c, err
}

// verify is Verify, also returning the token's nonce.
func (v *Verifier) verify(ctx context.Context, raw string) (*Claims, string, error) {
	iv, err := v.idTokenVerifier(ctx)
	if err != nil {
		return nil, "", err
	}
	tok, err := iv.Verify(ctx, raw)
	if err != nil {
		var exp *gooidc.TokenExpiredError
		if errors.As(err, &exp) {
			return nil, "", fmt.Errorf("%w at %s", ErrExpiredToken, exp.Expiry.UTC().Format(time.RFC3339))
		}
		if strings.Contains(err.Error(), "fetching keys") {
			return nil, "", fmt.Errorf("%w: %v", ErrProviderUnavailable, err)
		}
		return nil, "", fmt.Errorf("%w: %v", ErrInvalidToken, err)
	}
	aud := ""
	for _, a := range tok.Audience {
		if slices.Contains(v.cfg.ClientIDs, a) {
			aud = a
			break
		}
	}
	if aud == "" {
		return nil, "", fmt.Errorf("%w: issued to %q, not to a client this server accepts", ErrInvalidToken, tok.Audience)
	}
	var all map[string]any
	if err := tok.Claims(&all); err != nil {
		return nil, "", fmt.Errorf("%w: claims: %v", ErrInvalidToken, err)
	}
	c := &Claims{Issuer: tok.Issuer, Subject: tok.Subject, Audience: aud, Expiry: tok.Expiry.UTC(), Username: tok.Subject}
	c.Strings = map[string]string{}
	for k, val := range all {
		if str, ok := val.(string); ok {
			c.Strings[k] = str
		}
	}
	if name, _ := all[v.usernameClaim()].(string); name != "" {
		c.Username = name
	}
	if len(v.cfg.RolePolicy) > 0 {
		c.Policies = dedupe(v.cfg.RolePolicy)
	} else {
		c.Policies = dedupe(policyNames(all[v.cfg.ClaimName]))
	}
	return c, tok.Nonce, nil
}

// usernameClaim is the claim naming the holder.
func (v *Verifier) usernameClaim() string {
	if v.cfg.UsernameClaim != "" {
		return v.cfg.UsernameClaim
	}
	return "preferred_username"
}

// policyNames reads a policy claim: a string of comma-separated names or
// an array of strings; anything else names none.
func policyNames(claim any) []string {
	var out []string
	switch c := claim.(type) {
	case string:
		out = strings.Split(c, ",")
	case []any:
		for _, e := range c {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
	}
	return out
}

// dedupe trims names and drops empty and repeated ones, keeping order.
func dedupe(names []string) []string {
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
