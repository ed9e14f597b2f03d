package oidc_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/oidc"
	"github.com/hoardstore/hoard/internal/oidc/oidctest"
)

func startProvider(t *testing.T) *oidctest.Provider {
	t.Helper()
	p, err := oidctest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  oidc.Config
		want []string // substrings of the error; none: valid
	}{
		{"valid", oidc.Config{ConfigURL: "https://idp.example.com/.well-known/openid-configuration", ClientIDs: []string{"hoard"}}, nil},
		{"issuer URL", oidc.Config{ConfigURL: "https://idp.example.com/realms/x", ClientIDs: []string{"hoard"}}, nil},
		{"nothing", oidc.Config{}, []string{"configuration URL is required", "client ID is required"}},
		{"not a URL", oidc.Config{ConfigURL: "idp.example.com", ClientIDs: []string{"a"}}, []string{"not an http(s) URL"}},
		{"empty names", oidc.Config{ConfigURL: "https://idp", ClientIDs: []string{" "}, RolePolicy: []string{""}}, []string{"empty client ID", "empty role policy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate: got %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate: got nil, want errors %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Validate: got %q, want it to say %q", err, w)
				}
			}
		})
	}
	if got := (oidc.Config{ConfigURL: "https://idp/r/.well-known/openid-configuration"}).Issuer(); got != "https://idp/r" {
		t.Errorf("Issuer: got %q, want https://idp/r", got)
	}
}

func TestVerify(t *testing.T) {
	p := startProvider(t)
	forger, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	type mint func() (string, error)
	tests := []struct {
		name     string
		cfg      oidc.Config
		token    mint
		wantErr  error
		policies []string
		username string
	}{
		{"policy claim string", oidc.Config{},
			func() (string, error) {
				return p.Token("u-1", "hoard", time.Hour, map[string]any{"policy": "readonly, diag ,readonly", "preferred_username": "alice"})
			}, nil, []string{"readonly", "diag"}, "alice"},
		{"policy claim array, custom name", oidc.Config{ClaimName: "groups", UsernameClaim: "email"},
			func() (string, error) {
				return p.Token("u-2", "hoard", time.Hour, map[string]any{"groups": []any{"readwrite", 7, "x"}, "email": "b@example.com"})
			}, nil, []string{"readwrite", "x"}, "b@example.com"},
		{"role policy wins over the claim", oidc.Config{RolePolicy: []string{"writeonly"}},
			func() (string, error) {
				return p.Token("u-3", "hoard", time.Hour, map[string]any{"policy": "consoleAdmin"})
			},
			nil, []string{"writeonly"}, "u-3"},
		{"second accepted audience", oidc.Config{ClientIDs: []string{"other", "hoard-cli"}},
			func() (string, error) { return p.Token("u-4", "hoard-cli", time.Hour, nil) }, nil, nil, "u-4"},
		{"foreign audience", oidc.Config{},
			func() (string, error) { return p.Token("u-5", "someone-else", time.Hour, nil) }, oidc.ErrInvalidToken, nil, ""},
		{"expired", oidc.Config{},
			func() (string, error) { return p.Token("u-6", "hoard", -time.Minute, nil) }, oidc.ErrExpiredToken, nil, ""},
		{"forged signature", oidc.Config{},
			func() (string, error) { return oidctest.Sign(forger, "k1", p.Issuer(), "u-7", "hoard", time.Hour, nil) },
			oidc.ErrInvalidToken, nil, ""},
		{"another issuer", oidc.Config{},
			func() (string, error) {
				return p.Token("u-8", "hoard", time.Hour, map[string]any{"iss": "https://evil.example.com"})
			}, oidc.ErrInvalidToken, nil, ""},
		{"not a JWT", oidc.Config{}, func() (string, error) { return "abc.def", nil }, oidc.ErrInvalidToken, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.ConfigURL = p.ConfigURL()
			if len(cfg.ClientIDs) == 0 {
				cfg.ClientIDs = []string{"hoard"}
			}
			v, err := oidc.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := tt.token()
			if err != nil {
				t.Fatal(err)
			}
			c, err := v.Verify(context.Background(), tok)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Verify: got %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Verify: got %v, want nil", err)
			}
			if !slices.Equal(c.Policies, tt.policies) || c.Username != tt.username || c.Issuer != p.Issuer() || c.Expiry.IsZero() {
				t.Errorf("claims: got policies %q user %q issuer %q expiry %v; want %q %q %q", c.Policies, c.Username, c.Issuer, c.Expiry, tt.policies, tt.username, p.Issuer())
			}
		})
	}
}

// TestVerifyKeyRotation: a token signed with a key the provider published
// after the verifier fetched its keys is accepted (the key set is fetched
// again for an unknown key ID).
func TestVerifyKeyRotation(t *testing.T) {
	p := startProvider(t)
	v, err := oidc.New(oidc.Config{ConfigURL: p.ConfigURL(), ClientIDs: []string{"hoard"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		tok, err := p.Token("u", "hoard", time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Verify(context.Background(), tok); err != nil {
			t.Fatalf("token %d (key %d): got %v, want nil", i, i+1, err)
		}
		if err := p.Rotate(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVerifyProviderDown: a provider that cannot be reached answers
// ErrProviderUnavailable, is not asked again for a few seconds, and is
// used as soon as it answers after that.
func TestVerifyProviderDown(t *testing.T) {
	p := startProvider(t)
	now := time.Now()
	v, err := oidc.New(oidc.Config{ConfigURL: p.ConfigURL(), ClientIDs: []string{"hoard"}, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := p.Token("u", "hoard", time.Hour, nil)
	if err != nil {
		t.Fatal(err)
	}
	p.SetDown(true)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, oidc.ErrProviderUnavailable) {
		t.Fatalf("provider down: got %v, want ErrProviderUnavailable", err)
	}
	p.SetDown(false)
	if _, err := v.Verify(context.Background(), tok); !errors.Is(err, oidc.ErrProviderUnavailable) {
		t.Fatalf("within the retry pause: got %v, want the remembered ErrProviderUnavailable", err)
	}
	now = now.Add(6 * time.Second)
	if _, err := v.Verify(context.Background(), tok); err != nil {
		t.Fatalf("provider back: got %v, want nil", err)
	}
}

// TestLogin runs the authorization code flow against the test provider:
// the code of a sign-in gives its claims once, and only with its own
// PKCE verifier and nonce.
func TestLogin(t *testing.T) {
	p := startProvider(t)
	web := oidc.Web{ClientID: "console", ClientSecret: "s", RedirectURL: "http://127.0.0.1:1/cb"}
	p.SetClient(oidctest.Client{ID: "console", Secret: "s", RedirectURL: web.RedirectURL})
	p.SignIn("erin", map[string]any{"policy": "readonly"})
	v, err := oidc.New(oidc.Config{ConfigURL: p.ConfigURL(), ClientIDs: []string{"console"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	code := func(pend oidc.Pending) string {
		u, err := v.AuthURL(ctx, web, pend)
		if err != nil {
			t.Fatal(err)
		}
		res, err := noRedirect.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		back, _ := url.Parse(res.Header.Get("Location"))
		if back.Query().Get("state") != pend.State {
			t.Fatalf("state: got %q, want %q", back.Query().Get("state"), pend.State)
		}
		return back.Query().Get("code")
	}
	pend := oidc.NewPending()
	c := code(pend)
	other := pend
	other.Verifier = oidc.NewPending().Verifier
	if _, err := v.Exchange(ctx, web, other, c); !errors.Is(err, oidc.ErrLogin) {
		t.Errorf("another PKCE verifier: got %v, want ErrLogin", err)
	}
	pend = oidc.NewPending()
	c = code(pend)
	other = pend
	other.Nonce = "forged"
	if _, err := v.Exchange(ctx, web, other, c); !errors.Is(err, oidc.ErrLogin) {
		t.Errorf("another nonce: got %v, want ErrLogin", err)
	}
	pend = oidc.NewPending()
	c = code(pend)
	claims, err := v.Exchange(ctx, web, pend, c)
	if err != nil || claims.Subject != "erin" || len(claims.Policies) != 1 {
		t.Fatalf("Exchange: got %+v, %v; want erin with readonly", claims, err)
	}
	if _, err := v.Exchange(ctx, web, pend, c); !errors.Is(err, oidc.ErrLogin) {
		t.Errorf("a code used twice: got %v, want ErrLogin", err)
	}
}
