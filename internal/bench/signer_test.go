package bench

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// TestSignerVerifies sends requests of every shape the generator makes to
// a server that checks them with the project's SigV4 verifier.
func TestSignerVerifies(t *testing.T) {
	t.Parallel()
	const access, secret = "bench-access", "bench-secret-0123456789"
	v := sigv4.NewVerifier("eu-west-3", func(k string) (sigv4.Credentials, bool) {
		return sigv4.Credentials{AccessKey: access, SecretKey: secret}, k == access
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		res, err := v.Verify(r)
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
			io.WriteString(w, "<Error><Code>SignatureDoesNotMatch</Code><Message>"+xmlEscape(err.Error())+"</Message></Error>")
			return
		}
		io.Copy(io.Discard, res.Body)
	}))
	defer srv.Close()
	c := newClient(Config{Endpoint: srv.URL, AccessKey: access, SecretKey: secret, Region: "eu-west-3"}.WithDefaults())
	defer c.close()

	cases := []request{
		{method: http.MethodPut, bucket: "b", key: "plain/key", body: []byte("hello"), header: map[string]string{"Content-Type": "application/octet-stream"}},
		{method: http.MethodGet, bucket: "b", key: "odd key/ü+%~*'()!$&,;=@:"},
		{method: http.MethodHead, bucket: "b", key: "k"},
		{method: http.MethodDelete, bucket: "b", key: "k"},
		{method: http.MethodPut, bucket: "b"},
		{method: http.MethodGet, bucket: "b", query: canonicalQuery("list-type", "2", "prefix", "a b/c+d", "start-after", "x~y*z", "max-keys", "1000")},
		{method: http.MethodPut, bucket: "b", key: "k", query: canonicalQuery("uploadId", "abc/+=", "partNumber", "10"), body: []byte("part")},
		{method: http.MethodPost, bucket: "b", query: "delete=", body: []byte("<Delete/>"), header: map[string]string{"Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg==", "Content-Type": "application/xml"}},
		{method: http.MethodPost, bucket: "b", key: "k", query: "uploads="},
	}
	for _, r := range cases {
		t.Run(r.method+" "+r.path()+"?"+r.query, func(t *testing.T) {
			resp, err := c.do(context.Background(), &r)
			if err != nil {
				t.Fatalf("got %v, want a verified request", err)
			}
			discard(resp)
		})
	}

	bad := newClient(Config{Endpoint: srv.URL, AccessKey: access, SecretKey: "wrong", Region: "eu-west-3"}.WithDefaults())
	defer bad.close()
	if _, err := bad.do(context.Background(), &request{method: http.MethodGet, bucket: "b", key: "k"}); !isStatus(err, http.StatusForbidden) {
		t.Errorf("wrong secret: got %v, want 403", err)
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	got := canonicalQuery("uploads", "", "prefix", "a b/ü", "max-keys", "5")
	if want := "max-keys=5&prefix=a%20b%2F%C3%BC&uploads="; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// BenchmarkSigner is the generator's signing cost, beside
// BenchmarkSignRequest (the general signer) for comparison.
func BenchmarkSigner(b *testing.B) {
	s := newSigner("access", "secret-key-0123456789", "us-east-1")
	req, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:9000/hoard-bench-0123abcd/bench-0123abcd/w3-12345", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/octet-stream")
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		s.sign(req, now)
	}
}
