package console

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/minio/minio-go/v7"
)

// TestConsoleSSOBrowser signs in to the console in Chromium through the
// identity provider: the sign-in page offers "Sign in with Test IdP",
// the click goes to the provider and back, and the person lands on the
// bucket list as a read-only user (no create button); a refused sign-in
// comes back to the sign-in page with its reason shown.
func TestConsoleSSOBrowser(t *testing.T) {
	b := newBrowser(t)
	e, p := startSSO(t)
	if err := e.srv.MinioClient(t).MakeBucket(context.Background(), "team", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	p.SignIn("", nil)
	b.do("opening the console", chromedp.Navigate(e.console+"/"))
	b.poll("the SSO button", `!!document.getElementById('login-sso-start') && document.getElementById('login-sso-start').textContent === 'Sign in with Test IdP'`)
	b.checkNames("sign-in page with SSO")
	b.shot("sso-sign-in")
	b.do("a refused sign-in", chromedp.Click(chromedp.ID("login-sso-start")))
	b.pollAcrossPages("the refusal's reason", `document.getElementById('login-error') && document.getElementById('login-error').textContent.includes('did not sign you in')`)
	if got := b.eval(`window.location.search`); got != "" {
		t.Errorf("address after the refusal: search %q, want it cleared", got)
	}

	p.SignIn("erin-sub", map[string]any{"policy": "readonly", "preferred_username": "erin"})
	b.poll("the SSO button again", `!!document.getElementById('login-sso-start')`)
	b.do("signing in through the provider", chromedp.Click(chromedp.ID("login-sso-start")))
	b.pollAcrossPages("the bucket list", `!!document.querySelector('.buckets-table')`)
	b.poll("the bucket", `document.querySelector('.buckets-table').textContent.includes('team')`)
	if got := b.eval(`String(!!document.getElementById('create-bucket'))`); got != "false" {
		t.Errorf("create bucket button for a read-only SSO user: shown=%s, want hidden", got)
	}
	if got := b.eval(`document.getElementById('user-name').textContent`); got != "erin" {
		t.Errorf("signed in as: got %q, want erin (the token's preferred_username)", got)
	}
	b.shot("sso-signed-in")
}

// pollAcrossPages is poll for a condition reached through page loads
// (to the provider and back): a check that meets a page being replaced
// is made again on the next one.
func (b *browser) pollAcrossPages(what, js string) {
	b.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		_, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(time.Second), chromedp.WithPollingInterval(25*time.Millisecond)))
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			b.failShot(what)
			b.t.Fatalf("waiting for %s (%s): %v", what, js, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
