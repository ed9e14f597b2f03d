package sigv4

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsv4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// sdkSigner is aws-sdk-go-v2's SigV4 signer set up as its S3 client uses it.
func sdkSigner() *awsv4.Signer {
	return awsv4.NewSigner(func(o *awsv4.SignerOptions) { o.DisableURIPathEscaping = true })
}

var sdkCreds = aws.Credentials{AccessKeyID: testAccessKey, SecretAccessKey: testSecretKey}

// sdkPresigned returns the server-side form of a request to target
// presigned by aws-sdk-go-v2 at testNow with the headers in header (signed
// or hoisted into the query by the SDK) and payloadHash; send lists extra
// headers added after signing.
func sdkPresigned(t testing.TB, method, target string, header http.Header, payloadHash, body string, send http.Header) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://s3.example.test"+target, nil)
	if err != nil {
		t.Fatal(err)
	}
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "600")
	req.URL.RawQuery = q.Encode()
	for k, v := range header {
		req.Header[k] = v
	}
	u, signedHeader, err := sdkSigner().PresignHTTP(context.Background(), sdkCreds, req, payloadHash, "s3", testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	r := serverRequest(method, pu.RequestURI(), "s3.example.test", strings.NewReader(body), nil)
	for k, v := range signedHeader {
		if k != "Host" {
			r.Header[k] = v
		}
	}
	for k, v := range send {
		r.Header[k] = v
	}
	return r
}

// sdkSigned returns the server-side form of a request to target signed by
// aws-sdk-go-v2 with an Authorization header at testNow, with the headers
// in header, then extra headers added after signing.
func sdkSigned(t testing.TB, method, target string, header http.Header, body string, send http.Header) *http.Request {
	t.Helper()
	r := serverRequest(method, target, "s3.example.test", strings.NewReader(body), nil)
	for k, v := range header {
		r.Header[k] = v
	}
	sum := sha256.Sum256([]byte(body))
	hash := hex.EncodeToString(sum[:])
	r.Header.Set("X-Amz-Content-Sha256", hash)
	if err := sdkSigner().SignHTTP(context.Background(), sdkCreds, r, hash, "s3", testRegion, testNow); err != nil {
		t.Fatal(err)
	}
	for k, v := range send {
		r.Header[k] = v
	}
	return r
}

func TestUnsignedAmzHeadersRefused(t *testing.T) {
	attacks := []struct {
		name string
		send http.Header
		want []string
	}{
		{"copy source", http.Header{"X-Amz-Copy-Source": {"/private/secret.txt"}}, []string{"x-amz-copy-source"}},
		{"metadata", http.Header{"X-Amz-Meta-Owner": {"mallory"}}, []string{"x-amz-meta-owner"}},
		{"acl", http.Header{"X-Amz-Acl": {"public-read"}}, []string{"x-amz-acl"}},
		{"tagging", http.Header{"X-Amz-Tagging": {"a=b"}}, []string{"x-amz-tagging"}},
		{"several, listed sorted", http.Header{"X-Amz-Tagging": {"a=b"}, "X-Amz-Acl": {"private"}, "X-Amz-Meta-Z": {"1"}},
			[]string{"x-amz-acl", "x-amz-meta-z", "x-amz-tagging"}},
	}
	modes := []struct {
		name string
		req  func(t *testing.T, send http.Header) *http.Request
	}{
		{"header", func(t *testing.T, send http.Header) *http.Request {
			return sdkSigned(t, "PUT", "/uploads/up.bin", nil, "data", send)
		}},
		{"header, signing only host, x-amz-content-sha256 and x-amz-date", func(t *testing.T, send http.Header) *http.Request {
			r := serverRequest("PUT", "/uploads/up.bin", "s3.example.test", strings.NewReader("data"), map[string]string{
				"X-Amz-Date": testNow.Format(timeFormat), "X-Amz-Content-Sha256": UnsignedPayload})
			manualSign(r, []string{"host", "x-amz-content-sha256", "x-amz-date"}, testNow, UnsignedPayload)
			for k, v := range send {
				r.Header[k] = v
			}
			return r
		}},
		{"presigned PUT", func(t *testing.T, send http.Header) *http.Request {
			return sdkPresigned(t, "PUT", "/uploads/up.bin", nil, UnsignedPayload, "data", send)
		}},
		{"presigned UploadPart", func(t *testing.T, send http.Header) *http.Request {
			return sdkPresigned(t, "PUT", "/uploads/up.bin?partNumber=1&uploadId=u1", nil, UnsignedPayload, "data", send)
		}},
		{"presigned by this package", func(t *testing.T, send http.Header) *http.Request {
			r := presigned(t, "/uploads/up.bin", testNow, time.Hour)
			for k, v := range send {
				r.Header[k] = v
			}
			return r
		}},
	}
	for _, m := range modes {
		for _, a := range attacks {
			t.Run(m.name+"/"+a.name, func(t *testing.T) {
				_, err := fixedVerifier().Verify(m.req(t, a.send))
				assertCode(t, err, ErrHeadersNotSigned, "AccessDenied", "There were headers present in the request which were not signed")
				if !errors.Is(err, ErrAccessDenied) {
					t.Fatalf("got %v, want it to wrap ErrAccessDenied", err)
				}
				if got := HeadersNotSigned(err); !slices.Equal(got, a.want) {
					t.Fatalf("HeadersNotSigned: got %q, want %q", got, a.want)
				}
			})
		}
	}
}

func TestUnsignedHeadersAccepted(t *testing.T) {
	// Headers S3 lets go unsigned: anything outside x-amz-*, and on a
	// presigned request x-amz-content-sha256.
	benign := http.Header{"User-Agent": {"test"}, "Content-Type": {"text/plain"}, "Expect": {"100-continue"},
		"Content-Md5": {"jbrSwb3wv+ZhTA/ppJ/2SQ=="}, "X-Amzn-Trace-Id": {"Root=1"}, "Cache-Control": {"no-cache"}}
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
	}{
		{"header", func(t *testing.T) *http.Request { return sdkSigned(t, "PUT", "/b/k", nil, "data", benign) }},
		{"presigned", func(t *testing.T) *http.Request {
			return sdkPresigned(t, "PUT", "/b/k", nil, UnsignedPayload, "data", benign)
		}},
		{"presigned, unsigned x-amz-content-sha256", func(t *testing.T) *http.Request {
			return sdkPresigned(t, "PUT", "/b/k", nil, UnsignedPayload, "data", http.Header{"X-Amz-Content-Sha256": {UnsignedPayload}})
		}},
		{"presigned with signed metadata", func(t *testing.T) *http.Request {
			return sdkPresigned(t, "PUT", "/b/k", http.Header{"X-Amz-Meta-Owner": {"alice"}, "X-Amz-Acl": {"private"}}, UnsignedPayload, "data", nil)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := fixedVerifier().Verify(tc.req(t))
			if err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			if b, err := io.ReadAll(res.Body); err != nil || string(b) != "data" {
				t.Fatalf("body: got %q, %v; want data", b, err)
			}
		})
	}
}

func TestHeaderSignedContentSHA256MustBeSigned(t *testing.T) {
	r := serverRequest("PUT", "/b/k", "s3.example.test", strings.NewReader("data"), map[string]string{
		"X-Amz-Date": testNow.Format(timeFormat), "X-Amz-Content-Sha256": UnsignedPayload})
	manualSign(r, []string{"host", "x-amz-date"}, testNow, UnsignedPayload)
	_, err := fixedVerifier().Verify(r)
	assertCode(t, err, ErrHeadersNotSigned, "AccessDenied", "")
	if got := HeadersNotSigned(err); !slices.Equal(got, []string{"x-amz-content-sha256"}) {
		t.Fatalf("HeadersNotSigned: got %q, want [x-amz-content-sha256]", got)
	}
}

// pinnedPresign returns a presigned PUT of target whose signed query
// carries X-Amz-Content-Sha256 = the SHA256 of signedBody, sent with body.
func pinnedPresign(t *testing.T, signedBody, body string, send http.Header) *http.Request {
	t.Helper()
	sum := sha256.Sum256([]byte(signedBody))
	hash := hex.EncodeToString(sum[:])
	return sdkPresigned(t, "PUT", "/b/k?X-Amz-Content-Sha256="+hash, nil, hash, body, send)
}

func TestPresignedPinnedPayloadHash(t *testing.T) {
	t.Run("matching body", func(t *testing.T) {
		res, err := fixedVerifier().Verify(pinnedPresign(t, "the signed body", "the signed body", nil))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		if b, err := io.ReadAll(res.Body); err != nil || string(b) != "the signed body" {
			t.Fatalf("body: got %q, %v; want the signed body", b, err)
		}
	})
	t.Run("other body", func(t *testing.T) {
		res, err := fixedVerifier().Verify(pinnedPresign(t, "the signed body", "another body", nil))
		if err != nil {
			t.Fatalf("Verify: got %v, want nil (the body is checked while read)", err)
		}
		_, err = io.ReadAll(res.Body)
		assertCode(t, err, ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch", "")
	})
	t.Run("unsigned header asking for no check", func(t *testing.T) {
		_, err := fixedVerifier().Verify(pinnedPresign(t, "the signed body", "another body",
			http.Header{"X-Amz-Content-Sha256": {UnsignedPayload}}))
		assertCode(t, err, ErrInvalidArgument, "InvalidArgument", "")
	})
	t.Run("unsigned header repeating the signed hash", func(t *testing.T) {
		sum := sha256.Sum256([]byte("the signed body"))
		res, err := fixedVerifier().Verify(pinnedPresign(t, "the signed body", "another body",
			http.Header{"X-Amz-Content-Sha256": {hex.EncodeToString(sum[:])}}))
		if err != nil {
			t.Fatalf("Verify: %v", err)
		}
		_, err = io.ReadAll(res.Body)
		assertCode(t, err, ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch", "")
	})
}
