package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Provider is a running test identity provider.
type Provider struct {
	srv  *httptest.Server
	down atomic.Bool

	mu sync.Mutex
	// client is the one web client; user who signs in at /auth.
	client     Client
	userSub    string
	userClaims map[string]any
	codes      map[string]grant
	key        *rsa.PrivateKey
	kid        string
	keys       []jose.JSONWebKey // published
	n          int
}

// Start starts a provider; Close stops it.
func Start() (*Provider, error) {
	p := &Provider{codes: map[string]grant{}}
	if err := p.Rotate(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /keys", p.jwks)
	mux.HandleFunc("GET /auth", p.auth)
	mux.HandleFunc("POST /token", p.token)
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

// Client is the web client the provider knows.
type Client struct {
	ID, Secret string
	// RedirectURL is the only place codes are sent to.
	RedirectURL string
}

// grant is an issued authorization code.
type grant struct {
	redirect, nonce, challenge string
	sub                        string
	claims                     map[string]any
}

// SetClient registers the web client.
func (p *Provider) SetClient(c Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.client = c
}

// SignIn chooses the user that /auth signs in (at once, without a page),
// with extra claims for its identity token; "" makes /auth refuse.
func (p *Provider) SignIn(sub string, claims map[string]any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.userSub, p.userClaims = sub, claims
}

// auth is the authorization endpoint: it checks the client and its
// redirect, signs in the chosen user and sends the browser back with a
// code (or with error=access_denied when no user is chosen).
func (p *Provider) auth(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	defer p.mu.Unlock()
	if q.Get("client_id") != p.client.ID || q.Get("redirect_uri") != p.client.RedirectURL || q.Get("response_type") != "code" ||
		q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || !strings.Contains(q.Get("scope"), "openid") {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(p.client.RedirectURL)
	bq := back.Query()
	bq.Set("state", q.Get("state"))
	if p.userSub == "" {
		bq.Set("error", "access_denied")
	} else {
		var b [16]byte
		_, _ = rand.Read(b[:])
		code := hex.EncodeToString(b[:])
		p.codes[code] = grant{redirect: q.Get("redirect_uri"), nonce: q.Get("nonce"), challenge: q.Get("code_challenge"),
			sub: p.userSub, claims: p.userClaims}
		bq.Set("code", code)
	}
	back.RawQuery = bq.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token is the token endpoint: a code, once, for its client, redirect
// and PKCE verifier.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	client := p.client
	key, kid := p.key, p.kid
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case id != client.ID || secret != client.Secret:
		tokenError(w, http.StatusUnauthorized, "invalid_client")
		return
	case !found || r.PostForm.Get("grant_type") != "authorization_code" || r.PostForm.Get("redirect_uri") != g.redirect ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		tokenError(w, http.StatusBadRequest, "invalid_grant")
		return
	}
	claims := map[string]any{"nonce": g.nonce}
	for k, v := range g.claims {
		claims[k] = v
	}
	idToken, err := Sign(key, kid, p.Issuer(), g.sub, client.ID, time.Hour, claims)
	if err != nil {
		tokenError(w, http.StatusInternalServerError, "server_error")
		return
	}
	writeJSON(w, map[string]any{"access_token": "opaque-" + g.sub, "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
}

func tokenError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code})
}
