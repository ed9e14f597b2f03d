package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/s3api"
	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
)

// Tests of SigV2 clients against the S3 handler over real HTTP on
// 127.0.0.1, with an engine on a temporary drive.

const (
	v2Access = "sigv2-access"
	v2Secret = "sigv2-secret/0123456789+abc"
	v2Domain = "s3.hoard.test"
)

// v2Server is a handler over one temporary drive, served on 127.0.0.1:0,
// with virtual-host-style addressing under v2Domain.
type v2Server struct {
	url  string // http://127.0.0.1:port
	addr string // 127.0.0.1:port
}

func startV2Server(t *testing.T) *v2Server {
	t.Helper()
	layer, err := erasure.Open(context.Background(), erasure.Config{Drives: []string{t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { layer.Close() })
	h := s3api.New(s3api.Config{
		Layer:   layer,
		Region:  "us-east-1",
		Domains: []string{v2Domain},
		Credentials: func(k string) (sigv4.Credentials, bool) {
			return sigv4.Credentials{AccessKey: v2Access, SecretKey: v2Secret}, k == v2Access
		},
		OwnerName: "sigv2",
	})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, _ := url.Parse(srv.URL)
	return &v2Server{url: srv.URL, addr: u.Host}
}

// transport dials every address to the server, so virtual-host names under
// v2Domain need no DNS, and records how each request was authenticated.
func (s *v2Server) transport() *authRecorder {
	d := &net.Dialer{Timeout: 5 * time.Second}
	return &authRecorder{base: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, s.addr)
		},
	}}
}

// authRecorder is a RoundTripper that counts requests by authentication.
type authRecorder struct {
	base    http.RoundTripper
	mu      sync.Mutex
	schemes map[string]int // "AWS", "AWS4-HMAC-SHA256", "query v2", "none"...
}

// RoundTrip records r's authentication scheme and forwards r.
func (a *authRecorder) RoundTrip(r *http.Request) (*http.Response, error) {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	switch {
	case scheme != "":
	case r.URL.Query().Has("AWSAccessKeyId"):
		scheme = "query v2"
	default:
		scheme = "none"
	}
	a.mu.Lock()
	if a.schemes == nil {
		a.schemes = map[string]int{}
	}
	a.schemes[scheme]++
	a.mu.Unlock()
	return a.base.RoundTrip(r)
}

// onlySigV2 fails t unless every request recorded was signed with SigV2.
func (a *authRecorder) onlySigV2(t *testing.T) {
	t.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	for scheme, n := range a.schemes {
		if scheme != "AWS" && scheme != "query v2" {
			t.Errorf("%d requests authenticated with %q, want only SigV2 (all: %v)", n, scheme, a.schemes)
		}
	}
	if a.schemes["AWS"] == 0 {
		t.Errorf("no request signed with an AWS Authorization header: %v", a.schemes)
	}
}

// s3ErrorBody is S3's XML error document.
type s3ErrorBody struct {
	Code    string
	Message string
}

// do sends r and returns the status, the error code (if any) and the body.
func do(t *testing.T, c *http.Client, r *http.Request) (int, s3ErrorBody, []byte) {
	t.Helper()
	resp, err := c.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var e s3ErrorBody
	if resp.StatusCode >= 300 {
		_ = xml.Unmarshal(body, &e)
	}
	return resp.StatusCode, e, body
}

// TestSigV2MinioClient drives minio-go configured for Signature V2 (as mc
// does with api "S3v2"), path style and virtual-host style.
func TestSigV2MinioClient(t *testing.T) {
	s := startV2Server(t)
	styles := []struct {
		name     string
		endpoint string
		lookup   minio.BucketLookupType
	}{
		{"path", s.addr, minio.BucketLookupPath},
		{"virtual-host", v2Domain + ":" + strings.Split(s.addr, ":")[1], minio.BucketLookupDNS},
	}
	for _, st := range styles {
		t.Run(st.name, func(t *testing.T) {
			rec := s.transport()
			defer rec.onlySigV2(t)
			c, err := minio.New(st.endpoint, &minio.Options{
				Creds:        credentials.NewStaticV2(v2Access, v2Secret, ""),
				Region:       "us-east-1",
				BucketLookup: st.lookup,
				Transport:    rec,
			})
			if err != nil {
				t.Fatal(err)
			}
			minioV2Flow(t, c, rec, "v2-"+st.name)
		})
	}
}

// minioV2Flow creates bucket with c and puts, stats, gets, lists (with a
// multipart upload), presigns and deletes in it.
func minioV2Flow(t *testing.T, c *minio.Client, rec *authRecorder, bucket string) {
	ctx := t.Context()
	if err := c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("MakeBucket: %v", err)
	}
	data := []byte("hello over signature v2")
	key := "dir/été plage+1.txt"
	_, err := c.PutObject(ctx, bucket, key, bytes.NewReader(data), int64(len(data)), minio.PutObjectOptions{
		ContentType: "text/plain", UserMetadata: map[string]string{"owner": "ann"}, SendContentMd5: true,
	})
	if err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	info, err := c.StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil || info.Size != int64(len(data)) || info.ContentType != "text/plain" || info.UserMetadata["Owner"] != "ann" {
		t.Fatalf("StatObject: got %+v, %v, want %d bytes text/plain owner=ann", info, err, len(data))
	}
	obj, err := c.GetObject(ctx, bucket, key, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(obj)
	obj.Close()
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetObject: got %q, %v, want %q", got, err, data)
	}
	// Multipart: ?uploads=, ?partNumber&uploadId, complete.
	big := bytes.Repeat([]byte("0123456789abcdef"), (5<<20+1024)/16)
	if _, err := c.PutObject(ctx, bucket, "big", bytes.NewReader(big), int64(len(big)),
		minio.PutObjectOptions{PartSize: 5 << 20, DisableContentSha256: true}); err != nil {
		t.Fatalf("multipart PutObject: %v", err)
	}
	if info, err := c.StatObject(ctx, bucket, "big", minio.StatObjectOptions{}); err != nil || info.Size != int64(len(big)) {
		t.Fatalf("StatObject big: got %d, %v, want %d", info.Size, err, len(big))
	}
	var keys []string
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("ListObjects: %v", o.Err)
		}
		keys = append(keys, o.Key)
	}
	if len(keys) != 2 || keys[0] != "big" || keys[1] != key {
		t.Fatalf("ListObjects: got %q, want [big %q]", keys, key)
	}
	u, err := c.PresignedGetObject(ctx, bucket, key, time.Minute, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !u.Query().Has("AWSAccessKeyId") {
		t.Fatalf("presigned URL %s is not SigV2", u)
	}
	req, _ := http.NewRequest(http.MethodGet, u.String(), nil)
	status, e, body := do(t, &http.Client{Transport: rec}, req)
	if status != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("presigned GET: got %d %s %q, want 200 %q", status, e.Code, body, data)
	}
	for rerr := range c.RemoveObjects(ctx, bucket, listCh(key, "big"), minio.RemoveObjectsOptions{}) {
		t.Fatalf("RemoveObjects: %v", rerr.Err)
	}
	if err := c.RemoveBucket(ctx, bucket); err != nil {
		t.Fatalf("RemoveBucket: %v", err)
	}
}

func listCh(keys ...string) <-chan minio.ObjectInfo {
	ch := make(chan minio.ObjectInfo, len(keys))
	for _, k := range keys {
		ch <- minio.ObjectInfo{Key: k}
	}
	close(ch)
	return ch
}

// TestSigV2Errors checks the S3 answers to bad SigV2 requests over HTTP.
func TestSigV2Errors(t *testing.T) {
	s := startV2Server(t)
	hc := &http.Client{}
	cred := sigv2.Credentials{AccessKey: v2Access, SecretKey: v2Secret}
	now := time.Now()
	setup, _ := http.NewRequest(http.MethodPut, s.url+"/errs", nil)
	sigv2.Sign(setup, cred, "", now)
	if status, e, _ := do(t, hc, setup); status != http.StatusOK {
		t.Fatalf("create bucket: got %d %s, want 200", status, e.Code)
	}
	newReq := func(method, target, body string) *http.Request {
		r, err := http.NewRequest(method, s.url+target, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	tests := []struct {
		name    string
		req     func() *http.Request
		status  int
		code    string
		message string
	}{
		{"wrong secret", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			sigv2.Sign(r, sigv2.Credentials{AccessKey: v2Access, SecretKey: "wrong"}, "", now)
			return r
		}, 403, "SignatureDoesNotMatch", ""},
		{"unknown access key", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			sigv2.Sign(r, sigv2.Credentials{AccessKey: "nobody", SecretKey: v2Secret}, "", now)
			return r
		}, 403, "InvalidAccessKeyId", ""},
		{"clock skew", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			sigv2.Sign(r, cred, "", now.Add(-time.Hour))
			return r
		}, 403, "RequestTimeTooSkewed", ""},
		{"expired presigned URL", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			r.URL = sigv2.Presign(r, cred, "", now.Add(-time.Minute))
			return r
		}, 403, "AccessDenied", "Request has expired"},
		{"malformed header", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			r.Header.Set("Authorization", "AWS "+v2Access)
			return r
		}, 400, "InvalidArgument", "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"},
		{"presigned without Expires", func() *http.Request {
			return newReq("GET", "/errs/k?AWSAccessKeyId="+v2Access+"&Signature=abc", "")
		}, 403, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"},
		{"tampered key", func() *http.Request {
			r := newReq("GET", "/errs/k", "")
			sigv2.Sign(r, cred, "", now)
			r.URL.Path = "/errs/other"
			return r
		}, 403, "SignatureDoesNotMatch", ""},
		{"wrong Content-MD5", func() *http.Request {
			r := newReq("PUT", "/errs/k", "data")
			sum := md5.Sum([]byte("other"))
			r.Header.Set("Content-Md5", base64.StdEncoding.EncodeToString(sum[:]))
			sigv2.Sign(r, cred, "", now)
			return r
		}, 400, "BadDigest", ""},
		{"aws-chunked payload", func() *http.Request {
			r := newReq("PUT", "/errs/k", "0\r\n\r\n")
			r.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			sigv2.Sign(r, cred, "", now)
			return r
		}, 400, "InvalidRequest", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, e, body := do(t, hc, tc.req())
			if status != tc.status || e.Code != tc.code {
				t.Fatalf("got %d %s (%s), want %d %s", status, e.Code, body, tc.status, tc.code)
			}
			if tc.message != "" && e.Message != tc.message {
				t.Fatalf("message: got %q, want %q", e.Message, tc.message)
			}
		})
	}
	// Nothing refused may have written anything.
	r := newReq("GET", "/errs/k", "")
	sigv2.Sign(r, cred, "", now)
	if status, e, _ := do(t, hc, r); status != http.StatusNotFound || e.Code != "NoSuchKey" {
		t.Fatalf("GET after refused writes: got %d %s, want 404 NoSuchKey", status, e.Code)
	}
}

// signV2 signs r for the test server's credentials with an Authorization
// header dated now.
func signV2(r *http.Request) {
	sigv2.Sign(r, sigv2.Credentials{AccessKey: v2Access, SecretKey: v2Secret}, "", time.Now())
}
