package testserver

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestStart starts in-process servers and uses every client helper on them.
func TestStart(t *testing.T) {
	for _, drives := range []int{1, 4} {
		t.Run(strings.Repeat("d", drives), func(t *testing.T) {
			t.Parallel()
			s := Start(t, Options{Drives: drives})
			if len(s.DriveDirs) != drives {
				t.Fatalf("DriveDirs: got %d, want %d", len(s.DriveDirs), drives)
			}
			for _, d := range s.DriveDirs {
				if fi, err := os.Stat(d); err != nil || !fi.IsDir() {
					t.Errorf("drive %s: %v", d, err)
				}
			}
			if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
				t.Errorf("URL: got %q, want http://127.0.0.1:PORT", s.URL)
			}
			for _, p := range []string{LivePath, ReadyPath} {
				resp, err := s.HTTPClient(t).Get(s.URL + p)
				if err != nil {
					t.Fatalf("GET %s: %v", p, err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Errorf("GET %s: got %d, want 200", p, resp.StatusCode)
				}
			}
			ctx := context.Background()
			if _, err := s.S3Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: strPtr("via-aws")}); err != nil {
				t.Fatalf("aws CreateBucket: %v", err)
			}
			ok, err := s.MinioClient(t).BucketExists(ctx, "via-aws")
			if err != nil || !ok {
				t.Errorf("minio BucketExists: got %v, %v; want true, nil", ok, err)
			}
			res, err := s.MinioCore(t).ListObjectsV2("via-aws", "", "", "", "", 10)
			if err != nil || len(res.Contents) != 0 {
				t.Errorf("minio core ListObjectsV2: got %d objects, %v; want 0, nil", len(res.Contents), err)
			}
		})
	}
}

func strPtr(s string) *string { return &s }

// TestStartOptions checks that region and credentials reach the server.
func TestStartOptions(t *testing.T) {
	t.Parallel()
	s := Start(t, Options{Region: "eu-north-1", AccessKey: "custom-user", SecretKey: "custom-secret-key"})
	if s.Region != "eu-north-1" || s.AccessKey != "custom-user" {
		t.Fatalf("endpoint: got region %q user %q", s.Region, s.AccessKey)
	}
	if _, err := s.S3Client(t).ListBuckets(context.Background(), &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets with custom credentials and region: %v", err)
	}
}

func TestFreePort(t *testing.T) {
	addr := FreePort(t)
	host, port, err := net.SplitHostPort(addr)
	if err != nil || host != "127.0.0.1" || port == "0" {
		t.Fatalf("FreePort: got %q (%v), want 127.0.0.1:N", addr, err)
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on the free port %s: %v", addr, err)
	}
	l.Close()
}

// TestWaitReady checks that WaitReady waits for a 200 and gives up at the
// context's deadline or when the process has exited.
func TestWaitReady(t *testing.T) {
	ready := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-ready:
			w.WriteHeader(http.StatusOK)
		default:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	}))
	defer srv.Close()
	e := Endpoint{URL: srv.URL}

	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	if err := e.WaitReady(ctx, nil); !errors.Is(err, errNotReady) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("not ready: got %v, want errNotReady and DeadlineExceeded", err)
	}
	exited := make(chan struct{})
	close(exited)
	if err := e.WaitReady(context.Background(), exited); !errors.Is(err, errNotReady) {
		t.Errorf("exited: got %v, want errNotReady", err)
	}
	close(ready)
	ctx, cancel = context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := e.WaitReady(ctx, nil); err != nil {
		t.Errorf("ready: got %v, want nil", err)
	}
}

// TestProcess builds the binary, runs it, restarts it on the same drive
// after SIGKILL and stops it gracefully.
func TestProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the hoard binary")
	}
	bin := BuildHoard(t)
	if again := BuildHoard(t); again != bin {
		t.Errorf("BuildHoard built twice: %q then %q", bin, again)
	}
	drive := t.TempDir()
	p := StartProcess(t, ProcessOptions{Binary: bin, Drives: []string{drive}})
	ctx := context.Background()
	if _, err := p.S3Client(t).CreateBucket(ctx, &s3.CreateBucketInput{Bucket: strPtr("survives")}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	p.Kill()
	select {
	case <-p.Exited():
	default:
		t.Fatal("Kill returned before the process exited")
	}
	p = StartProcess(t, ProcessOptions{Binary: bin, Drives: []string{drive}})
	if _, err := p.S3Client(t).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: strPtr("survives")}); err != nil {
		t.Errorf("HeadBucket after restart: %v", err)
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Errorf("Stop: got %v, want a clean exit", err)
	}
}
