package s3api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/s3api"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// Benchmarks of the whole S3 request path minus the network: routing,
// SigV4 verification, the handler, the storage engine on temporary
// drives (durable, with fsyncs) and the XML answers. Profile them with:
//
//	go test -run '^$' -bench 'Handler/PUT' -benchtime 5s -cpuprofile cpu.out ./internal/s3api

const (
	benchAccess = "bench-access"
	benchSecret = "bench-secret-0123456789"
)

// benchWriter is a ResponseWriter that keeps the status and drops the
// body, so the benchmark does not measure a recorder's buffer.
type benchWriter struct {
	h      http.Header
	status int
}

func (w *benchWriter) Header() http.Header         { return w.h }
func (w *benchWriter) WriteHeader(s int)           { w.status = s }
func (w *benchWriter) Write(p []byte) (int, error) { return len(p), nil }

// benchHandler returns a Handler over an engine on drives fresh folders
// with bucket "bench" holding objects of size bytes named obj0000000...
func benchHandler(b *testing.B, drives, objects, size int) *s3api.Handler {
	b.Helper()
	cfg := erasure.Config{}
	for range drives {
		cfg.Drives = append(cfg.Drives, b.TempDir())
	}
	layer, err := erasure.Open(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { layer.Close() })
	h := s3api.New(s3api.Config{
		Layer:  layer,
		Region: "us-east-1",
		Credentials: func(k string) (sigv4.Credentials, bool) {
			return sigv4.Credentials{AccessKey: benchAccess, SecretKey: benchSecret}, k == benchAccess
		},
		OwnerName: "bench",
	})
	if st := serveOnce(h, benchRequest(b, http.MethodPut, "/bench", nil)); st != http.StatusOK {
		b.Fatalf("create bucket: got HTTP %d, want 200", st)
	}
	body := bytes.Repeat([]byte("hoard-bench-data"), size/16+1)[:size]
	for i := range objects {
		r := benchRequest(b, http.MethodPut, fmt.Sprintf("/bench/obj%07d", i), body)
		if st := serveOnce(h, r); st != http.StatusOK {
			b.Fatalf("put: got HTTP %d, want 200", st)
		}
	}
	return h
}

// benchRequest returns a server-side request signed with an unsigned
// payload; its body is set again before each use.
func benchRequest(b *testing.B, method, target string, body []byte) *http.Request {
	b.Helper()
	r := httptest.NewRequest(method, "http://127.0.0.1:9000"+target, bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/octet-stream")
	}
	if err := sigv4.SignRequest(r, sigv4.Credentials{AccessKey: benchAccess, SecretKey: benchSecret}, "us-east-1", sigv4.UnsignedPayload, time.Now()); err != nil {
		b.Fatal(err)
	}
	return r
}

func serveOnce(h http.Handler, r *http.Request) int {
	w := &benchWriter{h: http.Header{}}
	h.ServeHTTP(w, r)
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// BenchmarkHandler runs PUT, GET and HEAD of 4 KiB and 64 KiB objects and
// a 1,000-key ListObjectsV2 page through the handler, on one drive and on
// one set of four.
func BenchmarkHandler(b *testing.B) {
	for _, drives := range []int{1, 4} {
		for _, size := range []int{4 << 10, 64 << 10} {
			name := fmt.Sprintf("%ddrive/%dKiB", drives, size>>10)
			b.Run("PUT/"+name, func(b *testing.B) { benchPut(b, drives, size) })
			b.Run("GET/"+name, func(b *testing.B) { benchRead(b, drives, size, http.MethodGet) })
			b.Run("HEAD/"+name, func(b *testing.B) { benchRead(b, drives, size, http.MethodHead) })
		}
		b.Run(fmt.Sprintf("LIST/%ddrive/1000keys", drives), func(b *testing.B) { benchList(b, drives) })
	}
}

func benchPut(b *testing.B, drives, size int) {
	h := benchHandler(b, drives, 0, 0)
	body := bytes.Repeat([]byte("hoard-bench-data"), size/16)
	// PUTs cycle over 1,024 keys signed in advance, so writers seldom
	// wait for each other's key lock and signing stays out of the loop.
	const keys = 1024
	tmpls := make([]*http.Request, keys)
	for i := range tmpls {
		tmpls[i] = benchRequest(b, http.MethodPut, "/bench/put"+strconv.Itoa(i), body)
	}
	var seq atomic.Int64
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.SetParallelism(8) // writers share fsyncs through group commit
	b.RunParallel(func(pb *testing.PB) {
		var rd bytes.Reader
		for pb.Next() {
			r := tmpls[seq.Add(1)%keys].Clone(context.Background())
			rd.Reset(body)
			r.Body = io.NopCloser(&rd)
			if st := serveOnce(h, r); st != http.StatusOK {
				b.Errorf("PUT: got HTTP %d, want 200", st)
				return
			}
		}
	})
}

func benchRead(b *testing.B, drives, size int, method string) {
	const objects = 64
	h := benchHandler(b, drives, objects, size)
	reqs := make([]*http.Request, objects)
	for i := range reqs {
		reqs[i] = benchRequest(b, method, "/bench/obj"+fmt.Sprintf("%07d", i), nil)
	}
	var seq atomic.Int64
	if method == http.MethodGet {
		b.SetBytes(int64(size))
	}
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r := reqs[seq.Add(1)%objects].Clone(context.Background())
			if st := serveOnce(h, r); st != http.StatusOK {
				b.Errorf("%s: got HTTP %d, want 200", method, st)
				return
			}
		}
	})
}

func benchList(b *testing.B, drives int) {
	h := benchHandler(b, drives, 1000, 16)
	r := benchRequest(b, http.MethodGet, "/bench?list-type=2&max-keys=1000", nil)
	b.ReportAllocs()
	for b.Loop() {
		if st := serveOnce(h, r.Clone(context.Background())); st != http.StatusOK {
			b.Fatalf("LIST: got HTTP %d, want 200", st)
		}
	}
	b.ReportMetric(float64(b.N)*1000/b.Elapsed().Seconds(), "keys/s")
}
