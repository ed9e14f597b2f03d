package admin_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

func signedRequest(t *testing.T, e testserver.Endpoint, method, path string, cred sigv4.Credentials) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, e.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.SignRequest(r, cred, e.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestInfo(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	cred := sigv4.Credentials{AccessKey: srv.AccessKey, SecretKey: srv.SecretKey}
	bucket := "admin-info"
	s3c := srv.MinioClient(t)
	if err := s3c.MakeBucket(t.Context(), bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("x"), 3000)
	for _, k := range []string{"a", "b"} {
		if _, err := s3c.PutObject(t.Context(), bucket, k, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(signedRequest(t, srv.Endpoint, "GET", admin.Prefix+"info", cred))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status: got %d, want 200", resp.StatusCode)
	}
	var info admin.Info
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatal(err)
	}
	if info.Mode != "single-drive" || len(info.Drives) != 1 || info.Drives[0].State != "online" {
		t.Errorf("got mode %q drives %+v, want one online drive", info.Mode, info.Drives)
	}
	if info.RawBytes == 0 || info.UsableBytes == 0 || info.UsableBytes > info.RawBytes {
		t.Errorf("capacity: raw %d usable %d", info.RawBytes, info.UsableBytes)
	}
	var found bool
	for _, b := range info.Buckets {
		if b.Name == bucket {
			found = true
			if b.Objects != 2 || b.Bytes != 6000 {
				t.Errorf("bucket usage: got %d objects %d bytes, want 2 and 6000", b.Objects, b.Bytes)
			}
		}
	}
	if !found {
		t.Errorf("bucket %s missing from %+v", bucket, info.Buckets)
	}
}

func TestInfoRefusesOthers(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{})
	tests := []struct {
		name string
		req  func() *http.Request
	}{
		{"anonymous", func() *http.Request {
			r, _ := http.NewRequest("GET", srv.URL+admin.Prefix+"info", nil)
			return r
		}},
		{"wrong secret", func() *http.Request {
			return signedRequest(t, srv.Endpoint, "GET", admin.Prefix+"info", sigv4.Credentials{AccessKey: srv.AccessKey, SecretKey: "wrong-secret-key"})
		}},
		{"unknown key", func() *http.Request {
			return signedRequest(t, srv.Endpoint, "GET", admin.Prefix+"info", sigv4.Credentials{AccessKey: "NOBODY", SecretKey: "whatever-secret"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := http.DefaultClient.Do(tt.req())
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("status: got %d, want 403", resp.StatusCode)
			}
		})
	}
}
