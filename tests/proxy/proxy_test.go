package proxy

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestBehindHAProxy: Hoard trusts HAProxy's address (--trusted-proxies);
// a bucket policy allowing one client address lets that client in
// through HAProxy and nobody else, whatever forwarding headers they send
// through HAProxy or straight to Hoard; the request log names the real
// client and the proxy; aws:SecureTransport follows HAProxy's
// X-Forwarded-Proto (true where HAProxy terminates TLS), not the
// client's.
func TestBehindHAProxy(t *testing.T) {
	bin := needTool(t, "haproxy")
	p := testserver.StartProcess(t, testserver.ProcessOptions{
		Binary: testserver.BuildHoard(t),
		Drives: []string{t.TempDir()},
		Args:   []string{"--trusted-proxies", proxyAddr},
	})
	lb := startHAProxy(t, bin, strings.TrimPrefix(p.URL, "http://"), nil)
	lbCert := newTestCert(t)
	lbTLS := startHAProxy(t, bin, strings.TrimPrefix(p.URL, "http://"), lbCert)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s3c := p.S3Client(t)
	const bucket = "fenced"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"doc.txt", "tls/doc.txt"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader("hello")}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(fmtPolicy(bucket))}); err != nil {
		t.Fatal(err)
	}

	forged := http.Header{
		"X-Forwarded-For":   {allowedAddr},
		"Forwarded":         {"for=" + allowedAddr + ";proto=https"},
		"X-Real-Ip":         {allowedAddr},
		"X-Forwarded-Proto": {"https"},
	}
	forgedHTTP := http.Header{"X-Forwarded-Proto": {"http"}, "Forwarded": {"for=" + allowedAddr + ";proto=http"}}
	tests := []struct {
		name   string
		from   string
		url    string
		header http.Header
		want   int
	}{
		{"allowed client through HAProxy", allowedAddr, lb + "/fenced/doc.txt", nil, http.StatusOK},
		{"other client through HAProxy", otherAddr, lb + "/fenced/doc.txt", nil, http.StatusForbidden},
		{"other client through HAProxy, forged headers", otherAddr, lb + "/fenced/doc.txt", forged, http.StatusForbidden},
		{"allowed client straight to Hoard", allowedAddr, p.URL + "/fenced/doc.txt", nil, http.StatusOK},
		{"other client straight to Hoard, forged headers", otherAddr, p.URL + "/fenced/doc.txt", forged, http.StatusForbidden},
		{"HAProxy's own address, forged headers, is trusted", proxyAddr, p.URL + "/fenced/doc.txt", forged, http.StatusOK},
		// HAProxy listens without TLS and says so in X-Forwarded-Proto,
		// whatever the client claims.
		{"plain HTTP at HAProxy, forged https", allowedAddr, lb + "/fenced/tls/doc.txt", forged, http.StatusForbidden},
		{"plain HTTP straight to Hoard, forged https", allowedAddr, p.URL + "/fenced/tls/doc.txt", forged, http.StatusForbidden},
		{"TLS at HAProxy", allowedAddr, lbTLS + "/fenced/tls/doc.txt", nil, http.StatusOK},
		{"TLS at HAProxy, forged http", allowedAddr, lbTLS + "/fenced/tls/doc.txt", forgedHTTP, http.StatusOK},
		{"TLS at HAProxy, other client", otherAddr, lbTLS + "/fenced/tls/doc.txt", nil, http.StatusForbidden},
	}
	for _, tt := range tests {
		var cert *testCert
		if strings.HasPrefix(tt.url, "https:") {
			cert = lbCert
		}
		if got := get(t, tt.from, tt.url, tt.header, cert); got != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, got, tt.want)
		}
	}

	// The log line of a request through HAProxy names the client and the
	// proxy; a direct request's only its peer, forged headers or not.
	waitLog(t, p, `status=200 .*remote=127\.0\.0\.3 proxy=127\.0\.0\.2:\d+`)
	waitLog(t, p, `status=403 .*remote=127\.0\.0\.4 proxy=127\.0\.0\.2:\d+`)
	waitLog(t, p, `status=403 .*remote=127\.0\.0\.4:\d+\s*$`)
	if m := regexp.MustCompile(`(?m)remote=127\.0\.0\.3 proxy=127\.0\.0\.1`).FindString(p.Logs()); m != "" {
		t.Errorf("a request straight to Hoard was logged as proxied: %s", m)
	}
}

// TestSignatureBudgetPerClientBehindHAProxy: failed signatures from one
// client behind HAProxy use up that client's budget only; another client
// behind the same proxy is not throttled.
func TestSignatureBudgetPerClientBehindHAProxy(t *testing.T) {
	bin := needTool(t, "haproxy")
	p := testserver.StartProcess(t, testserver.ProcessOptions{
		Binary: testserver.BuildHoard(t),
		Drives: []string{t.TempDir()},
		Args:   []string{"--trusted-proxies", proxyAddr + "/32"},
	})
	lb := startHAProxy(t, bin, strings.TrimPrefix(p.URL, "http://"), nil)
	signed := func(from, secret string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, lb+"/", nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sigv4.SignRequest(req, sigv4.Credentials{AccessKey: p.AccessKey, SecretKey: secret}, p.Region, sigv4.EmptySHA256, time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := client(from, nil).Do(req)
		if err != nil {
			t.Fatalf("GET from %s: %v", from, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	throttled := false
	for i := 0; i < 40 && !throttled; i++ {
		switch got := signed(otherAddr, "wrong-secret-key"); got {
		case http.StatusServiceUnavailable:
			throttled = true
		case http.StatusForbidden:
		default:
			t.Fatalf("wrong signature %d: status %d, want 403 or 503", i, got)
		}
	}
	if !throttled {
		t.Fatal("40 wrong signatures through HAProxy were never throttled")
	}
	if got := signed(otherAddr, p.SecretKey); got != http.StatusServiceUnavailable {
		t.Errorf("the guessing client, right key: status %d, want 503 (its budget is spent)", got)
	}
	if got := signed(allowedAddr, p.SecretKey); got != http.StatusOK {
		t.Errorf("another client behind the same proxy: status %d, want 200", got)
	}
}

// waitLog waits (briefly: the line is written as the request ends) until
// a line of the server's log matches pattern.
func waitLog(t *testing.T, p *testserver.Process, pattern string) {
	t.Helper()
	re := regexp.MustCompile(`(?m)` + pattern)
	deadline := time.Now().Add(5 * time.Second)
	for !re.MatchString(p.Logs()) {
		if time.Now().After(deadline) {
			t.Errorf("no log line matches %s", pattern)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}
