package integration

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// Payload hash values of SigV4.
const (
	unsignedPayload = "UNSIGNED-PAYLOAD"
	emptySHA256     = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// awsError returns the S3 error code and HTTP status carried by an
// aws-sdk-go-v2 error ("" and 0 when err is not an API error).
func awsError(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

// wantAWSError fails t unless err is an S3 error with code and status.
func wantAWSError(t testing.TB, op string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got success, want %s (%d)", op, code, status)
		return
	}
	gotCode, gotStatus := awsError(err)
	if gotCode != code || gotStatus != status {
		t.Errorf("%s: got %s (%d) [%v], want %s (%d)", op, gotCode, gotStatus, err, code, status)
	}
}

// wantMinioError fails t unless err is an S3 error with code and status.
func wantMinioError(t testing.TB, op string, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got success, want %s (%d)", op, code, status)
		return
	}
	r := minio.ToErrorResponse(err)
	if r.Code != code || r.StatusCode != status {
		t.Errorf("%s: got %s (%d) [%v], want %s (%d)", op, r.Code, r.StatusCode, err, code, status)
	}
}

// must fails the test now if err is not nil.
func must(t testing.TB, op string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", op, err)
	}
}

// s3Error is S3's XML error body.
type s3Error struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	Resource  string   `xml:"Resource"`
	RequestID string   `xml:"RequestId"`
}

// wantError fails t unless resp has status and an XML error body with code,
// a message and the request ID of the x-amz-request-id header.
func wantError(t testing.TB, op string, resp *http.Response, body []byte, status int, code string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: got status %d, want %d (body %q)", op, resp.StatusCode, status, truncate(body))
	}
	var e s3Error
	if err := xml.Unmarshal(body, &e); err != nil {
		t.Errorf("%s: error body is not S3 XML: %v (body %q)", op, err, truncate(body))
		return
	}
	if e.Code != code {
		t.Errorf("%s: got code %q (%s), want %q", op, e.Code, e.Message, code)
	}
	if e.Message == "" {
		t.Errorf("%s: error %s has no Message", op, e.Code)
	}
	if id := resp.Header.Get("x-amz-request-id"); id == "" || e.RequestID != id {
		t.Errorf("%s: got RequestId %q, x-amz-request-id %q; want equal, non-empty", op, e.RequestID, id)
	}
}

// wantStatus fails t unless resp has status.
func wantStatus(t testing.TB, op string, resp *http.Response, body []byte, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s: got status %d, want %d (body %q)", op, resp.StatusCode, status, truncate(body))
	}
}

func truncate(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

// escapeKey percent-encodes a key for a URL path the way S3 clients do:
// everything except unreserved characters and '/'.
func escapeKey(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || c == '/' {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}

// objectURL returns the path-style URL of bucket/key on the server; an
// empty key gives the bucket's URL, an empty bucket the service's.
func (e *env) objectURL(bucket, key string, query url.Values) *url.URL {
	u, _ := url.Parse(e.srv.URL)
	p, raw := "/", "/"
	if bucket != "" {
		p, raw = "/"+bucket, "/"+bucket
		if key != "" {
			p += "/" + key
			raw += "/" + escapeKey(key)
		}
	}
	u.Path, u.RawPath = p, raw
	if query != nil {
		u.RawQuery = query.Encode()
	}
	return u
}

// request builds an unsigned request for bucket/key with body.
func (e *env) request(t testing.TB, method, bucket, key string, query url.Values, body []byte) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, e.objectURL(bucket, key, query).String(), bytes.NewReader(body))
	must(t, "new request", err)
	req.URL = e.objectURL(bucket, key, query)
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return req
}

// signer returns a SigV4 signer configured for S3 (no double path escaping).
func signer() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

// sign signs req with the root credentials at time at; payloadHash is the
// x-amz-content-sha256 value (the body's hex SHA-256, UNSIGNED-PAYLOAD, or
// a STREAMING-* marker).
func (e *env) sign(t testing.TB, req *http.Request, payloadHash string, at time.Time) {
	t.Helper()
	req.Header.Set("X-Amz-Content-Sha256", payloadHash)
	err := signer().SignHTTP(ctx(t), e.srv.Credentials(), req, payloadHash, "s3", e.srv.Region, at)
	must(t, "sign", err)
}

// sha256Hex returns the hex SHA-256 of b.
func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// md5Hex and md5B64 return the MD5 of b in hex and base64.
func md5Hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

func md5B64(b []byte) string {
	s := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(s[:])
}

// send performs req and returns the response with its whole body read.
func (e *env) send(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := e.http.Do(req)
	must(t, req.Method+" "+req.URL.String(), err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, "read body", err)
	return resp, body
}

// do signs (payload hash of body, current time) and sends a request with
// the given headers.
func (e *env) do(t testing.TB, method, bucket, key string, query url.Values, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req := e.request(t, method, bucket, key, query, body)
	for k, v := range header {
		req.Header[k] = v
	}
	e.sign(t, req, sha256Hex(body), time.Now())
	return e.send(t, req)
}

// hdr builds an http.Header from name, value pairs.
func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

// query builds url.Values from name, value pairs.
func query(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

// quoted returns the ETag form of a hex digest.
func quoted(s string) string { return `"` + s + `"` }

// data returns n deterministic pseudo-random bytes for seed.
func data(seed uint64, n int) []byte {
	b := make([]byte, n)
	g := &testserver.Pattern{Seed: seed, Size: int64(n)}
	_, _ = io.ReadFull(g, b)
	return b
}

// onlyReader hides every method but Read, making a body unseekable.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// newBody returns a request body over b.
func newBody(b []byte) io.ReadCloser { return io.NopCloser(bytes.NewReader(b)) }

// skewedSigner is the SDK's SigV4 signer with a clock off by skew.
type skewedSigner struct{ skew time.Duration }

// SignHTTP signs r as if the time were signingTime+skew.
func (s skewedSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, service, region string, signingTime time.Time, optFns ...func(*v4.SignerOptions)) error {
	return signer().SignHTTP(ctx, creds, r, payloadHash, service, region, signingTime.Add(s.skew), optFns...)
}
