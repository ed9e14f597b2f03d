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

// BenchmarkSignRequest measures what signing one request costs the generator.
func BenchmarkSignRequest(b *testing.B) {
	cred := sigv4.Credentials{AccessKey: "access", SecretKey: "secret-key-0123456789"}
	req, err := http.NewRequest(http.MethodPut, "http://127.0.0.1:9000/hoard-bench-0123abcd/bench-0123abcd/w3-12345", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.ContentLength = 65536
	req.Header.Set("Content-Type", "application/octet-stream")
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := sigv4.SignRequest(req, cred, "us-east-1", sigv4.UnsignedPayload, now); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkClientRoundTrip measures the generator's side of a 4 KiB PUT
// and GET against a loopback server that answers at once: the request
// building, signing, transport and body handling per operation.
func BenchmarkClientRoundTrip(b *testing.B) {
	const size = 4 << 10
	payload := newPayload(size, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Length", "4096")
			w.Write(payload)
		}
	}))
	defer srv.Close()
	c := newClient(Config{Endpoint: srv.URL, AccessKey: "a", SecretKey: "s", Concurrency: 1, RequestTimeout: time.Minute}.WithDefaults())
	defer c.close()
	ctx := context.Background()
	buf := make([]byte, ioBufferSize)
	b.Run("PUT", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := c.putObject(ctx, "bucket", "prefix/w1-1", payload); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("GET", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if n, err := c.getObject(ctx, "bucket", "prefix/p000000001", buf, nil); err != nil || n != size {
				b.Fatal(n, err)
			}
		}
	})
}
