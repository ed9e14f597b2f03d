package testserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"
)

// Health endpoints every Hoard server answers.
const (
	LivePath  = "/hoard/health/live"
	ReadyPath = "/hoard/health/ready"
)

// Endpoint is where a server listens and the credentials it accepts; its
// methods build clients for it.
type Endpoint struct {
	// URL is the base URL, "http://127.0.0.1:PORT".
	URL string
	// Region is the region the server signs for.
	Region string
	// AccessKey and SecretKey are the root credentials.
	AccessKey, SecretKey string
	// TLS is the client configuration of an https URL (nil: plain HTTP).
	TLS *tls.Config
}

// Host returns the host:port part of URL.
func (e Endpoint) Host() string {
	u, err := url.Parse(e.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Credentials returns the root credentials as the AWS SDK holds them.
func (e Endpoint) Credentials() aws.Credentials {
	return aws.Credentials{AccessKeyID: e.AccessKey, SecretAccessKey: e.SecretKey, Source: "testserver"}
}

// NewTransport returns an HTTP transport for loopback tests: no proxy, no
// transparent compression, enough idle connections for parallel tests.
func NewTransport() *http.Transport {
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:          128,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       30 * time.Second,
		DisableCompression:    true,
		ResponseHeaderTimeout: 2 * time.Minute,
	}
}

// transport returns NewTransport with the endpoint's TLS configuration.
func (e Endpoint) transport() *http.Transport {
	tr := NewTransport()
	tr.TLSClientConfig = e.TLS
	return tr
}

// HTTPClient returns a plain HTTP client whose idle connections are closed
// when the test ends. It does not follow redirects, so a redirect shows up
// as the response it is.
func (e Endpoint) HTTPClient(tb testing.TB) *http.Client {
	tr := e.transport()
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{
		Transport:     tr,
		Timeout:       5 * time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// S3Client returns an aws-sdk-go-v2 client for the endpoint: path style,
// static root credentials, the server's region, no retries (so an error is
// the server's first answer). optFns adjust the options last.
func (e Endpoint) S3Client(tb testing.TB, optFns ...func(*s3.Options)) *s3.Client {
	tb.Helper()
	opts := s3.Options{
		BaseEndpoint: aws.String(e.URL),
		Region:       e.Region,
		UsePathStyle: true,
		Credentials:  awscreds.NewStaticCredentialsProvider(e.AccessKey, e.SecretKey, ""),
		HTTPClient:   e.HTTPClient(tb),
		Retryer:      aws.NopRetryer{},
		// A GET without a stored checksum is normal; do not log about it.
		DisableLogOutputChecksumValidationSkipped: true,
	}
	for _, fn := range optFns {
		fn(&opts)
	}
	return s3.New(opts)
}

// MinioOptions returns minio-go options for the endpoint: path-style
// lookups, static V4 root credentials, the server's region, one attempt.
func (e Endpoint) MinioOptions(tb testing.TB) *minio.Options {
	tr := NewTransport()
	tb.Cleanup(tr.CloseIdleConnections)
	return &minio.Options{
		Creds:        miniocreds.NewStaticV4(e.AccessKey, e.SecretKey, ""),
		Secure:       false,
		Region:       e.Region,
		BucketLookup: minio.BucketLookupPath,
		Transport:    tr,
		MaxRetries:   1,
	}
}

// MinioClient returns a minio-go client for the endpoint; optFns adjust the
// options (for example TrailingHeaders) before it is built.
func (e Endpoint) MinioClient(tb testing.TB, optFns ...func(*minio.Options)) *minio.Client {
	tb.Helper()
	opts := e.MinioOptions(tb)
	for _, fn := range optFns {
		fn(opts)
	}
	c, err := minio.New(e.Host(), opts)
	if err != nil {
		tb.Fatalf("testserver: minio client: %v", err)
	}
	return c
}

// MinioCore returns minio-go's low-level client (single requests, manual
// multipart) for the endpoint.
func (e Endpoint) MinioCore(tb testing.TB, optFns ...func(*minio.Options)) *minio.Core {
	tb.Helper()
	opts := e.MinioOptions(tb)
	for _, fn := range optFns {
		fn(opts)
	}
	c, err := minio.NewCore(e.Host(), opts)
	if err != nil {
		tb.Fatalf("testserver: minio core client: %v", err)
	}
	return c
}

// errNotReady is returned by WaitReady when the server never answered 200.
var errNotReady = errors.New("testserver: server not ready")

// WaitReady polls ReadyPath until it answers 200, ctx ends or exited (which
// may be nil) is closed, polling every 20 ms.
func (e Endpoint) WaitReady(ctx context.Context, exited <-chan struct{}) error {
	tr := e.transport()
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 2 * time.Second}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var last string
	for {
		resp, err := client.Get(e.URL + ReadyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w at %s (last answer: %s): %w", errNotReady, e.URL, last, ctx.Err())
		case <-exited:
			return fmt.Errorf("%w: the process exited (last answer: %s)", errNotReady, last)
		case <-tick.C:
		}
	}
}
