package integration

import (
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/hoardstore/hoard/internal/authguard"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestFailedSignaturesThrottled guesses the root secret from one loopback
// address until the server throttles it, then checks that the throttled
// source is refused even with the right secret (so throttling reveals
// nothing), that the owner working from another address is not locked
// out, and that unknown access keys spend the guessing address's budget.
func TestFailedSignaturesThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, modes[0], testserver.Start(t, testserver.Options{Drives: 1}))
	bucket := e.bucket(t)
	right := e.srv.Credentials()
	wrong := aws.Credentials{AccessKeyID: right.AccessKeyID, SecretAccessKey: "not-the-secret"}
	unknown := aws.Credentials{AccessKeyID: "NOSUCHKEY", SecretAccessKey: "whatever"}
	// from returns a client whose connections come from a loopback address.
	from := func(ip string) *http.Client {
		d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
		return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
			DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		}}
	}
	list := func(c *http.Client, creds aws.Credentials) (*http.Response, []byte) {
		req := e.request(t, http.MethodGet, bucket, "", nil, nil)
		req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
		must(t, "sign", signer().SignHTTP(ctx(t), creds, req, emptySHA256, "s3", e.srv.Region, time.Now()))
		resp, err := c.Do(req)
		must(t, "GET", err)
		defer resp.Body.Close()
		var body [4096]byte
		n, _ := resp.Body.Read(body[:])
		return resp, body[:n]
	}
	attacker, owner, prober := from("127.0.0.1"), from("127.0.0.2"), from("127.0.0.3")

	for i := range authguard.DefaultBurst {
		resp, body := list(attacker, wrong)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("guess %d: got %d %s, want 403 SignatureDoesNotMatch", i+1, resp.StatusCode, body)
		}
	}
	resp, body := list(attacker, wrong)
	wantError(t, "guess past the burst", resp, body, http.StatusServiceUnavailable, "SlowDown")
	if resp.Header.Get("Retry-After") == "" {
		t.Errorf("SlowDown without Retry-After")
	}
	resp, body = list(attacker, right)
	wantError(t, "right secret from the throttled address", resp, body, http.StatusServiceUnavailable, "SlowDown")
	resp, body = list(owner, right)
	wantStatus(t, "the owner from another address", resp, body, http.StatusOK)

	for i := range authguard.DefaultBurst {
		resp, body := list(prober, unknown)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("unknown key %d: got %d %s, want 403 InvalidAccessKeyId", i+1, resp.StatusCode, body)
		}
	}
	resp, body = list(prober, right)
	wantError(t, "root key from an address enumerating keys", resp, body, http.StatusServiceUnavailable, "SlowDown")
	resp, body = list(owner, right)
	wantStatus(t, "the owner, after the enumeration", resp, body, http.StatusOK)
}
