package integration

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// vhostDomain is the domain of the virtual-host tests; connections to any
// name under it are dialled to the test server, so no DNS is involved.
const vhostDomain = "hoard.test"

// hostRecorder dials every address to one loopback server and remembers
// the Host of every request.
type hostRecorder struct {
	base  *http.Transport
	mu    sync.Mutex
	hosts []string
}

func newHostRecorder(addr string) *hostRecorder {
	tr := testserver.NewTransport()
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return &hostRecorder{base: tr}
}

// RoundTrip records the request's host and forwards the request.
func (h *hostRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	h.mu.Lock()
	h.hosts = append(h.hosts, host)
	h.mu.Unlock()
	return h.base.RoundTrip(req)
}

func (h *hostRecorder) sawHostPrefix(prefix string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, host := range h.hosts {
		if strings.HasPrefix(host, prefix) {
			return true
		}
	}
	return false
}

// TestVirtualHost runs a server with a domain and drives it with
// virtual-host-style requests (bucket.DOMAIN) from both clients and by
// hand, while path-style requests keep working.
func TestVirtualHost(t *testing.T) {
	forEachMode(t, testserver.Options{Domains: []string{vhostDomain}}, func(t *testing.T, e *env) {
		_, port, _ := net.SplitHostPort(e.srv.Host())
		base := vhostDomain + ":" + port
		t.Run("aws", func(t *testing.T) {
			rec := newHostRecorder(e.srv.Host())
			t.Cleanup(rec.base.CloseIdleConnections)
			c := e.srv.S3Client(t, func(o *s3.Options) {
				o.BaseEndpoint = aws.String("http://" + base)
				o.UsePathStyle = false
				o.HTTPClient = &http.Client{Transport: rec}
			})
			for _, bucket := range []string{e.bucketName(t), "dotted." + e.bucketName(t)} {
				_, err := c.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &bucket})
				must(t, "CreateBucket "+bucket, err)
				key := "dir/key with space+plus"
				_, err = c.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("virtual")})
				must(t, "PutObject", err)
				out, err := c.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
				must(t, "GetObject", err)
				got, _ := io.ReadAll(out.Body)
				out.Body.Close()
				if string(got) != "virtual" {
					t.Errorf("GetObject: got %q, want virtual", got)
				}
				list, err := c.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
				must(t, "ListObjectsV2", err)
				if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != key {
					t.Errorf("ListObjectsV2: got %d objects, want [%q]", len(list.Contents), key)
				}
				if !rec.sawHostPrefix(bucket + "." + vhostDomain) {
					t.Fatalf("the SDK did not send virtual-host-style requests for %s (hosts %v)", bucket, rec.hosts)
				}
				// The same object by path style.
				if got, _ := e.getObject(t, bucket, key); string(got) != "virtual" {
					t.Errorf("path-style GetObject: got %q, want virtual", got)
				}
				_, err = c.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: &key})
				must(t, "DeleteObject", err)
				_, err = c.DeleteBucket(ctx(t), &s3.DeleteBucketInput{Bucket: &bucket})
				must(t, "DeleteBucket", err)
			}
		})
		t.Run("minio", func(t *testing.T) {
			rec := newHostRecorder(e.srv.Host())
			t.Cleanup(rec.base.CloseIdleConnections)
			opts := e.srv.MinioOptions(t)
			opts.Transport = rec
			opts.BucketLookup = minio.BucketLookupDNS
			mc, err := minio.New(base, opts)
			must(t, "minio.New", err)
			bucket := e.bucketName(t)
			must(t, "MakeBucket", mc.MakeBucket(ctx(t), bucket, minio.MakeBucketOptions{}))
			_, err = mc.PutObject(ctx(t), bucket, "k", bytes.NewReader([]byte("mv")), 2, minio.PutObjectOptions{})
			must(t, "minio PutObject", err)
			obj, err := mc.GetObject(ctx(t), bucket, "k", minio.GetObjectOptions{})
			must(t, "minio GetObject", err)
			got, _ := io.ReadAll(obj)
			obj.Close()
			if string(got) != "mv" {
				t.Errorf("minio GetObject: got %q, want mv", got)
			}
			if !rec.sawHostPrefix(bucket + "." + vhostDomain) {
				t.Errorf("minio-go did not send virtual-host-style requests (hosts %v)", rec.hosts)
			}
		})
		t.Run("raw", func(t *testing.T) {
			bucket := e.bucket(t)
			e.putObject(t, bucket, "raw key", []byte("by host"))
			u, _ := url.Parse(e.srv.URL)
			u.Path, u.RawPath = "/raw key", "/raw%20key"
			req, err := http.NewRequest(http.MethodGet, u.String(), nil)
			must(t, "new request", err)
			req.Host = bucket + "." + base
			e.sign(t, req, emptySHA256, time.Now())
			resp, body := e.send(t, req)
			wantStatus(t, "virtual-host GET", resp, body, http.StatusOK)
			if string(body) != "by host" {
				t.Errorf("virtual-host GET: got %q, want %q", body, "by host")
			}
			u.Path, u.RawPath = "/", ""
			u.RawQuery = "list-type=2"
			req, _ = http.NewRequest(http.MethodGet, u.String(), nil)
			req.Host = bucket + "." + base
			e.sign(t, req, emptySHA256, time.Now())
			resp, body = e.send(t, req)
			wantStatus(t, "virtual-host list", resp, body, http.StatusOK)
			if !bytes.Contains(body, []byte("<Key>raw key</Key>")) {
				t.Errorf("virtual-host list: got %s, want it to list %q", truncate(body), "raw key")
			}
		})
	})
}
