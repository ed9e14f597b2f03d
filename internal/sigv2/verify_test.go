package sigv2

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

const (
	testAccessKey = "hoard-test-access"
	testSecretKey = "hoard-test-secret/with+base64=chars"
	testHost      = "127.0.0.1:9000"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var testCred = Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}

func testLookup(k string) (Credentials, bool) { return testCred, k == testAccessKey }

func fixedVerifier() *Verifier {
	return &Verifier{Lookup: testLookup, Now: func() time.Time { return testNow }}
}

// clientRequest returns a client-side request for rawURL (which keeps its
// encoding) with headers.
func clientRequest(t testing.TB, method, rawURL string, body string, headers map[string][]string) *http.Request {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r, err := http.NewRequest(method, rawURL, rd)
	if err != nil {
		t.Fatal(err)
	}
	for k, vv := range headers {
		for _, v := range vv {
			r.Header.Add(k, v)
		}
	}
	return r
}

// onTheWire sends r through its wire form and returns it as a server reads
// it, so tests see exactly what a server sees.
func onTheWire(t testing.TB, r *http.Request) *http.Request {
	t.Helper()
	var buf bytes.Buffer
	if err := r.Write(&buf); err != nil {
		t.Fatal(err)
	}
	s, err := http.ReadRequest(bufio.NewReader(&buf))
	if err != nil {
		t.Fatalf("reading %q: %v", buf.String(), err)
	}
	return s
}

func assertCode(t *testing.T, err, want error, code, message string) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if got, ok := Code(err); !ok || got != code {
		t.Fatalf("code: got %q, want %q", got, code)
	}
	if message != "" && Message(err) != message {
		t.Fatalf("message: got %q, want %q", Message(err), message)
	}
	if !strings.HasPrefix(err.Error(), "sigv2: ") {
		t.Fatalf("error text %q lacks the package prefix", err)
	}
}

// roundTrip is a request to sign with Sign or Presign and verify.
type roundTrip struct {
	name        string
	method      string
	url         string
	vhostBucket string
	body        string
	headers     map[string][]string
}

var roundTrips = []roundTrip{
	{name: "path-style get", method: "GET", url: "http://" + testHost + "/bucket/key.txt"},
	{name: "list buckets", method: "GET", url: "http://" + testHost + "/"},
	{name: "list with params", method: "GET", url: "http://" + testHost + "/bucket?prefix=a%2Fb&max-keys=5&delimiter=%2F"},
	{name: "virtual host", method: "GET", url: "http://bucket.s3.hoard.test:9000/dir/key", vhostBucket: "bucket"},
	{name: "virtual host bucket root", method: "GET", url: "http://bucket.s3.hoard.test:9000/?versioning", vhostBucket: "bucket"},
	{name: "put with md5, type and metadata", method: "PUT", url: "http://" + testHost + "/bucket/obj", body: "hello",
		headers: map[string][]string{
			"Content-Md5":   {"XUFAKrxLKna5cZ2REBfFkg=="},
			"Content-Type":  {"text/plain"},
			"X-Amz-Meta-A":  {"1", " 2 "},
			"x-amz-acl":     {"private"},
			"X-Amz-Tagging": {"k=v&x=y"},
		}},
	{name: "x-amz-date instead of Date", method: "DELETE", url: "http://" + testHost + "/bucket/obj",
		headers: map[string][]string{"X-Amz-Date": {testNow.Format(http.TimeFormat)}}},
	{name: "multipart part", method: "PUT", url: "http://" + testHost + "/bucket/obj?uploadId=abc%2Bdef&partNumber=3", body: "part"},
	{name: "multipart create", method: "POST", url: "http://" + testHost + "/bucket/obj?uploads"},
	{name: "delete objects", method: "POST", url: "http://" + testHost + "/bucket?delete", body: "<Delete/>"},
	{name: "response overrides", method: "GET",
		url: "http://" + testHost + "/bucket/obj?response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22&response-content-type=text%2Fplain&versionId=v1"},
	{name: "unicode and reserved key", method: "GET", url: "http://" + testHost + "/bucket/fran%C3%A7ais/a%20b%2Bc%3Fd"},
	{name: "lower-case escapes", method: "GET", url: "http://" + testHost + "/bucket/pr%c3%a9f%c3%a8re"},
	{name: "tagging and acl", method: "GET", url: "http://" + testHost + "/bucket/obj?tagging&acl"},
}

// TestSignVerifyRoundTrip signs each request with Sign (header) and Presign
// (query), sends it through its wire form and verifies it.
func TestSignVerifyRoundTrip(t *testing.T) {
	for _, rt := range roundTrips {
		t.Run(rt.name+"/header", func(t *testing.T) {
			r := clientRequest(t, rt.method, rt.url, rt.body, rt.headers)
			Sign(r, testCred, rt.vhostBucket, testNow)
			res, err := fixedVerifier().Verify(onTheWire(t, r), rt.vhostBucket)
			if err != nil {
				t.Fatalf("Verify: got %v, want success (StringToSign %q)", err, StringToSign(r, rt.vhostBucket))
			}
			if res.AccessKey != testAccessKey || res.Presigned || !res.SignedAt.Equal(testNow) {
				t.Fatalf("result: got %+v, want signed by %s at %v", res, testAccessKey, testNow)
			}
			got, err := io.ReadAll(res.Body)
			if err != nil || string(got) != rt.body || res.ContentLength != int64(len(rt.body)) {
				t.Fatalf("body: got %q (%d, %v), want %q", got, res.ContentLength, err, rt.body)
			}
		})
		t.Run(rt.name+"/presigned", func(t *testing.T) {
			r := clientRequest(t, rt.method, rt.url, rt.body, rt.headers)
			expires := testNow.Add(time.Hour)
			r.URL = Presign(r, testCred, rt.vhostBucket, expires)
			res, err := fixedVerifier().Verify(onTheWire(t, r), rt.vhostBucket)
			if err != nil {
				t.Fatalf("Verify %s: got %v, want success", r.URL, err)
			}
			if !res.Presigned || !res.Expires.Equal(expires) || res.AccessKey != testAccessKey {
				t.Fatalf("result: got %+v, want presigned by %s until %v", res, testAccessKey, expires)
			}
		})
	}
}

// TestTamperedRequests changes one signed part of a signed request at a
// time and expects SignatureDoesNotMatch; changes to unsigned parts pass.
func TestTamperedRequests(t *testing.T) {
	base := func(t *testing.T) *http.Request {
		r := clientRequest(t, "PUT", "http://"+testHost+"/bucket/obj?uploadId=u1&partNumber=1", "data",
			map[string][]string{"Content-Md5": {"jXd/OF09/siBXSD3SWAm3A=="}, "Content-Type": {"a/b"}, "X-Amz-Meta-K": {"v"}})
		Sign(r, testCred, "", testNow)
		return r
	}
	tests := []struct {
		name   string
		change func(r *http.Request)
		ok     bool
	}{
		{"method", func(r *http.Request) { r.Method = "POST" }, false},
		{"key", func(r *http.Request) { r.URL.Path = "/bucket/obj2" }, false},
		{"bucket", func(r *http.Request) { r.URL.Path = "/bucket2/obj" }, false},
		{"part number", func(r *http.Request) { r.URL.RawQuery = "uploadId=u1&partNumber=2" }, false},
		{"upload id", func(r *http.Request) { r.URL.RawQuery = "uploadId=u2&partNumber=1" }, false},
		{"added sub-resource", func(r *http.Request) { r.URL.RawQuery += "&acl" }, false},
		{"content-md5", func(r *http.Request) { r.Header.Set("Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg==") }, false},
		{"content-type", func(r *http.Request) { r.Header.Set("Content-Type", "a/c") }, false},
		{"metadata value", func(r *http.Request) { r.Header.Set("X-Amz-Meta-K", "w") }, false},
		{"added amz header", func(r *http.Request) { r.Header.Set("X-Amz-Acl", "public-read") }, false},
		{"date", func(r *http.Request) { r.Header.Set("Date", testNow.Add(time.Second).Format(http.TimeFormat)) }, false},
		{"added x-amz-date", func(r *http.Request) { r.Header.Set("X-Amz-Date", testNow.Add(time.Second).Format(http.TimeFormat)) }, false},
		{"unsigned query parameter", func(r *http.Request) { r.URL.RawQuery += "&x-id=UploadPart" }, true},
		{"unsigned header", func(r *http.Request) { r.Header.Set("User-Agent", "other") }, true},
		{"parameter order", func(r *http.Request) { r.URL.RawQuery = "partNumber=1&uploadId=u1" }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := base(t)
			tc.change(r)
			_, err := fixedVerifier().Verify(onTheWire(t, r), "")
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		})
	}
}

// TestVerifyErrors covers every error Verify returns, with its S3 code.
func TestVerifyErrors(t *testing.T) {
	signed := func(t *testing.T, at time.Time, secret string) *http.Request {
		r := clientRequest(t, "GET", "http://"+testHost+"/bucket/obj", "", nil)
		Sign(r, Credentials{testAccessKey, secret}, "", at)
		return onTheWire(t, r)
	}
	presigned := func(t *testing.T, query string) *http.Request {
		return onTheWire(t, clientRequest(t, "GET", "http://"+testHost+"/bucket/obj?"+query, "", nil))
	}
	withAuth := func(auth string) func(t *testing.T) *http.Request {
		return func(t *testing.T) *http.Request {
			r := signed(t, testNow, testSecretKey)
			r.Header.Set("Authorization", auth)
			return r
		}
	}
	goodSig := func(t *testing.T) string {
		return strings.TrimPrefix(signed(t, testNow, testSecretKey).Header.Get("Authorization"), "AWS "+testAccessKey+":")
	}
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		want    error
		code    string
		message string
	}{
		{"no colon", withAuth("AWS " + testAccessKey), ErrInvalidArgument, "InvalidArgument",
			"AWS authorization header is invalid.  Expected AwsAccessKeyId:signature"},
		{"empty access key", withAuth("AWS :c2ln"), ErrInvalidArgument, "InvalidArgument", ""},
		{"empty signature", withAuth("AWS " + testAccessKey + ":"), ErrInvalidArgument, "InvalidArgument", ""},
		{"not AWS", withAuth("AWS4-HMAC-SHA256 Credential=x"), ErrInvalidArgument, "InvalidArgument", ""},
		{"unknown access key", withAuth("AWS NOSUCHKEY:c2lnbmF0dXJl"), ErrInvalidAccessKeyID, "InvalidAccessKeyId",
			"The AWS Access Key Id you provided does not exist in our records."},
		{"wrong secret", func(t *testing.T) *http.Request { return signed(t, testNow, "wrong-secret") },
			ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"signature not base64", withAuth("AWS " + testAccessKey + ":not*base64"),
			ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"signature too short", withAuth("AWS " + testAccessKey + ":c2lnbmF0dXJl"),
			ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"no date", func(t *testing.T) *http.Request {
			r := signed(t, testNow, testSecretKey)
			r.Header.Del("Date")
			return r
		}, ErrAccessDenied, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"unparseable date", func(t *testing.T) *http.Request {
			r := signed(t, testNow, testSecretKey)
			r.Header.Set("Date", "yesterday")
			return r
		}, ErrAccessDenied, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"date 16 minutes behind", func(t *testing.T) *http.Request { return signed(t, testNow.Add(-16*time.Minute), testSecretKey) },
			ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", ""},
		{"date 16 minutes ahead", func(t *testing.T) *http.Request { return signed(t, testNow.Add(16*time.Minute), testSecretKey) },
			ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", ""},
		{"both mechanisms", func(t *testing.T) *http.Request {
			r := signed(t, testNow, testSecretKey)
			r.URL.RawQuery = "AWSAccessKeyId=" + testAccessKey + "&Expires=1&Signature=x"
			return r
		}, ErrInvalidArgument, "InvalidArgument", ""},
		{"no authentication", func(t *testing.T) *http.Request { return presigned(t, "acl") },
			ErrAccessDenied, "AccessDenied", ""},
		{"presigned without signature", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Expires=2000000000")
		}, ErrAccessDenied, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"},
		{"presigned without access key", func(t *testing.T) *http.Request {
			return presigned(t, "Signature=abc&Expires=2000000000")
		}, ErrAccessDenied, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"},
		{"presigned without expires", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature=abc")
		}, ErrAccessDenied, "AccessDenied", "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters"},
		{"presigned expires not a number", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature=abc&Expires=tomorrow")
		}, ErrAccessDenied, "AccessDenied", "Invalid date (should be seconds since epoch): tomorrow"},
		{"presigned expires negative", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature=abc&Expires=-5")
		}, ErrAccessDenied, "AccessDenied", "Invalid date (should be seconds since epoch): -5"},
		{"presigned repeated signature", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature=a&Signature=b&Expires=2000000000")
		}, ErrInvalidArgument, "InvalidArgument", ""},
		{"presigned unknown access key", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId=NOSUCHKEY&Signature=abc&Expires=2000000000")
		}, ErrInvalidAccessKeyID, "InvalidAccessKeyId", ""},
		{"presigned expired", func(t *testing.T) *http.Request {
			r := clientRequest(t, "GET", "http://"+testHost+"/bucket/obj", "", nil)
			r.URL = Presign(r, testCred, "", testNow.Add(-time.Second))
			return onTheWire(t, r)
		}, ErrExpiredRequest, "AccessDenied", "Request has expired"},
		{"presigned wrong signature", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature="+strings.ReplaceAll(goodSig(t), "+", "%2B")+"&Expires=1772370000")
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"presigned bad query", func(t *testing.T) *http.Request {
			return presigned(t, "AWSAccessKeyId="+testAccessKey+"&Signature=abc&Expires=2000000000&x=%zz")
		}, ErrAccessDenied, "AccessDenied", ""},
		{"streaming payload", func(t *testing.T) *http.Request {
			r := clientRequest(t, "PUT", "http://"+testHost+"/bucket/obj", "0\r\n\r\n",
				map[string][]string{"X-Amz-Content-Sha256": {"STREAMING-UNSIGNED-PAYLOAD-TRAILER"}})
			Sign(r, testCred, "", testNow)
			return onTheWire(t, r)
		}, ErrInvalidRequest, "InvalidRequest", "Streaming (aws-chunked) uploads require AWS Signature Version 4."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := fixedVerifier().Verify(tc.req(t), "")
			if res != nil {
				t.Fatalf("result: got %+v, want nil", res)
			}
			assertCode(t, err, tc.want, tc.code, tc.message)
		})
	}
}

// TestSkewBoundary checks that a request exactly MaxSkew away passes, in
// both directions, and that MaxSkew is configurable.
func TestSkewBoundary(t *testing.T) {
	for _, d := range []time.Duration{-DefaultMaxSkew, DefaultMaxSkew} {
		r := clientRequest(t, "GET", "http://"+testHost+"/bucket/obj", "", nil)
		Sign(r, testCred, "", testNow.Add(d))
		if _, err := fixedVerifier().Verify(onTheWire(t, r), ""); err != nil {
			t.Fatalf("skew %v: got %v, want success", d, err)
		}
	}
	r := clientRequest(t, "GET", "http://"+testHost+"/bucket/obj", "", nil)
	Sign(r, testCred, "", testNow.Add(2*time.Minute))
	v := fixedVerifier()
	v.MaxSkew = time.Minute
	_, err := v.Verify(onTheWire(t, r), "")
	assertCode(t, err, ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", "")
}

// TestNilLookup checks that a Verifier without a Lookup knows no key.
func TestNilLookup(t *testing.T) {
	r := clientRequest(t, "GET", "http://"+testHost+"/bucket/obj", "", nil)
	Sign(r, testCred, "", testNow)
	_, err := (&Verifier{Now: func() time.Time { return testNow }}).Verify(onTheWire(t, r), "")
	assertCode(t, err, ErrInvalidAccessKeyID, "InvalidAccessKeyId", "")
}

// TestCodeOfForeignError checks Code and Message on errors of other
// packages.
func TestCodeOfForeignError(t *testing.T) {
	if code, ok := Code(io.EOF); ok || code != "" {
		t.Fatalf("Code(io.EOF): got %q, %v, want \"\", false", code, ok)
	}
	if m := Message(io.EOF); m != "" {
		t.Fatalf("Message(io.EOF): got %q, want \"\"", m)
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
