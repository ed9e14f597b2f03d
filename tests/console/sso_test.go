package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/oidc/oidctest"
)

// startSSO starts an identity provider and a server whose console signs
// people in through it (client hoard-console).
func startSSO(t *testing.T) (*env, *oidctest.Provider) {
	t.Helper()
	p, err := oidctest.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	e := startServerWith(t, 1, func(c *config.Server, addr string) {
		c.OpenID = config.OpenIDSettings{ConfigURL: p.ConfigURL(), ClientIDs: []string{"hoard-console"}, ClientSecret: "console-secret",
			RedirectURI: "http://" + addr + "/sso/callback", DisplayName: "Test IdP"}
		p.SetClient(oidctest.Client{ID: "hoard-console", Secret: "console-secret", RedirectURL: "http://" + addr + "/sso/callback"})
	})
	return e, p
}

// ssoSignIn runs the browser's part of a sign-in with c: the console's
// start, the provider's page, and back to the console's callback. It
// returns where the callback sent the browser.
func ssoSignIn(t *testing.T, c *apiClient) *url.URL {
	t.Helper()
	status, hdr, _ := c.do(http.MethodGet, "/sso/start", nil, nil)
	if status != http.StatusFound || !strings.Contains(hdr.Get("Location"), "/auth?") {
		t.Fatalf("GET /sso/start: got %d to %q, want 302 to the provider", status, hdr.Get("Location"))
	}
	res, err := c.http.Get(hdr.Get("Location")) // the provider signs the chosen user in at once
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	back := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(back, c.base+"/sso/callback?") {
		t.Fatalf("provider: got %d to %q, want a redirect to the console's callback", res.StatusCode, back)
	}
	return followCallback(t, c, back)
}

// followCallback opens a callback URL with c and returns where it leads.
func followCallback(t *testing.T, c *apiClient, callback string) *url.URL {
	t.Helper()
	status, hdr, _ := c.do(http.MethodGet, strings.TrimPrefix(callback, c.base), nil, nil)
	if status != http.StatusFound {
		t.Fatalf("callback: got %d, want 302", status)
	}
	u, err := url.Parse(hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestConsoleSSO signs in to the console through an OpenID Connect
// provider: the session has the policies the person's token names and
// nothing more, and every way a sign-in can go wrong ends on the sign-in
// page with its reason, without a session.
func TestConsoleSSO(t *testing.T) {
	e, p := startSSO(t)
	ctx := context.Background()
	if err := e.srv.MinioClient(t).MakeBucket(ctx, "team", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	var info struct {
		Enabled bool   `json:"enabled"`
		Name    string `json:"name"`
	}
	c := e.client(t)
	if c.json(http.MethodGet, "/api/sso", nil, &info) != http.StatusOK || !info.Enabled || info.Name != "Test IdP" {
		t.Fatalf("GET /api/sso: got %+v, want enabled as Test IdP", info)
	}

	p.SignIn("erin-sub", map[string]any{"policy": "readonly", "preferred_username": "erin"})
	if to := ssoSignIn(t, c); to.Path != "/" || to.RawQuery != "" {
		t.Fatalf("sign-in ended at %s, want the console's page", to)
	}
	var sess struct {
		AccessKey string `json:"accessKey"`
		CSRFToken string `json:"csrfToken"`
	}
	if st := c.json(http.MethodGet, "/api/session", nil, &sess); st != http.StatusOK || !strings.HasPrefix(sess.AccessKey, "ASIA") {
		t.Fatalf("session after sign-in: %d %+v, want temporary keys", st, sess)
	}
	c.csrf = sess.CSRFToken
	var buckets struct {
		Buckets []struct {
			Name string `json:"name"`
		} `json:"buckets"`
	}
	if st := c.json(http.MethodGet, "/api/buckets", nil, &buckets); st != http.StatusOK || len(buckets.Buckets) != 1 || buckets.Buckets[0].Name != "team" {
		t.Fatalf("buckets of a readonly SSO session: %d %+v", st, buckets)
	}
	st, _, body := c.do(http.MethodPut, "/api/buckets/team/object?key=x.txt", strings.NewReader("x"),
		map[string]string{"X-Hoard-CSRF": c.csrf, "Content-Type": "text/plain"})
	if st != http.StatusForbidden || !strings.Contains(string(body), "AccessDenied") {
		t.Errorf("upload by a readonly SSO session: got %d %s, want 403 AccessDenied", st, body)
	}
	var access struct {
		Results []struct {
			Allowed bool `json:"allowed"`
		} `json:"results"`
	}
	if st := c.json(http.MethodPost, "/api/admin/access", map[string]any{"checks": []map[string]string{{"action": "admin:ListUsers"}}}, &access); st != http.StatusOK ||
		len(access.Results) != 1 || access.Results[0].Allowed {
		t.Errorf("admin access of a readonly SSO session: %d %+v, want admin:ListUsers refused", st, access)
	}

	failures := []struct {
		name  string
		setup func()
		run   func(t *testing.T) *url.URL
		want  string
	}{
		{"the provider refuses", func() { p.SignIn("", nil) },
			func(t *testing.T) *url.URL { return ssoSignIn(t, e.client(t)) }, "did not sign you in"},
		{"no policy of this server", func() { p.SignIn("frank-sub", map[string]any{"policy": "nothing-here"}) },
			func(t *testing.T) *url.URL { return ssoSignIn(t, e.client(t)) }, "names no policy"},
		{"a callback from another browser", func() { p.SignIn("erin-sub", map[string]any{"policy": "readonly"}) },
			func(t *testing.T) *url.URL {
				attacker := e.client(t)
				status, hdr, _ := attacker.do(http.MethodGet, "/sso/start", nil, nil)
				if status != http.StatusFound {
					t.Fatalf("start: %d", status)
				}
				res, err := attacker.http.Get(hdr.Get("Location"))
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				return followCallback(t, e.client(t), res.Header.Get("Location")) // the victim's browser
			}, "not started from this browser"},
	}
	for _, f := range failures {
		t.Run(f.name, func(t *testing.T) {
			f.setup()
			to := f.run(t)
			if to.Path != "/" || !strings.Contains(to.Query().Get("sso_error"), f.want) {
				t.Errorf("ended at %s, want the sign-in page saying %q", to, f.want)
			}
		})
	}
	// A callback URL works once.
	p.SignIn("erin-sub", map[string]any{"policy": "readonly"})
	c2 := e.client(t)
	status, hdr, _ := c2.do(http.MethodGet, "/sso/start", nil, nil)
	if status != http.StatusFound {
		t.Fatal(status)
	}
	res, err := c2.http.Get(hdr.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	cb := res.Header.Get("Location")
	if to := followCallback(t, c2, cb); to.RawQuery != "" {
		t.Fatalf("first use of the callback: ended at %s", to)
	}
	if to := followCallback(t, c2, cb); !strings.Contains(to.Query().Get("sso_error"), "start again") {
		t.Errorf("second use of the callback: ended at %s, want a refusal", to)
	}
}
