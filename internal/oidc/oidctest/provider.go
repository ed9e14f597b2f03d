// Package oidctest runs a small OpenID Connect provider for tests: a real
// HTTP server on 127.0.0.1 with a discovery document and a key set, and
// a way to mint signed identity tokens with any claims. Keys can be
// rotated and the provider taken down to test what a relying party does.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Provider is a running test identity provider.
type Provider struct {
	srv  *httptest.Server
	down atomic.Bool

	mu   sync.Mutex
	key  *rsa.PrivateKey
	kid  string
	keys []jose.JSONWebKey // published
	n    int
}

// Start starts a provider; Close stops it.
func Start() (*Provider, error) {
	p := &Provider{}
	if err := p.Rotate(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.jwks)
	p.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p.down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	return p, nil
}

// Issuer is the provider's issuer URL.
func (p *Provider) Issuer() string { return p.srv.URL }

// ConfigURL is the provider's discovery document URL.
func (p *Provider) ConfigURL() string { return p.srv.URL + "/.well-known/openid-configuration" }

// Close stops the provider.
func (p *Provider) Close() { p.srv.Close() }

// SetDown makes every request of the provider fail (503) or succeed again.
func (p *Provider) SetDown(down bool) { p.down.Store(down) }

// Rotate makes a new signing key and publishes it beside the old ones.
func (p *Provider) Rotate() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.n++
	p.key, p.kid = k, fmt.Sprintf("k%d", p.n)
	p.keys = append(p.keys, jose.JSONWebKey{Key: k.Public(), KeyID: p.kid, Algorithm: string(jose.RS256), Use: "sig"})
	return nil
}

// Token mints an identity token signed with the current key: iss, iat
// and exp (now + ttl) are set; claims add to or override them.
func (p *Provider) Token(sub, aud string, ttl time.Duration, claims map[string]any) (string, error) {
	p.mu.Lock()
	key, kid := p.key, p.kid
	p.mu.Unlock()
	return Sign(key, kid, p.Issuer(), sub, aud, ttl, claims)
}

// Sign mints a token with key (any RSA key: a forger's too).
func Sign(key *rsa.PrivateKey, kid, iss, sub, aud string, ttl time.Duration, claims map[string]any) (string, error) {
	now := time.Now()
	c := map[string]any{"iss": iss, "sub": sub, "aud": aud, "iat": now.Unix(), "exp": now.Add(ttl).Unix()}
	for k, v := range claims {
		c[k] = v
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithHeader("kid", kid).WithType("JWT"))
	if err != nil {
		return "", err
	}
	jws, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, map[string]any{
		"issuer":                                p.Issuer(),
		"authorization_endpoint":                p.Issuer() + "/auth",
		"token_endpoint":                        p.Issuer() + "/token",
		"jwks_uri":                              p.Issuer() + "/keys",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	set := jose.JSONWebKeySet{Keys: append([]jose.JSONWebKey(nil), p.keys...)}
	p.mu.Unlock()
	writeJSON(w, set)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
