package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func fixedVerifier() *Verifier {
	v := testVerifier()
	v.Now = func() time.Time { return testNow }
	return v
}

// signed returns a server-side request signed by SignRequest at at.
func signed(t testing.TB, method, target, body string, at time.Time, edit func(*http.Request)) *http.Request {
	t.Helper()
	r := serverRequest(method, target, "s3.example.test", strings.NewReader(body), nil)
	if edit != nil {
		edit(r)
	}
	sum := sha256.Sum256([]byte(body))
	if err := SignRequest(r, Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}, testRegion, hex.EncodeToString(sum[:]), at); err != nil {
		t.Fatal(err)
	}
	return r
}

func presigned(t testing.TB, target string, at time.Time, expires time.Duration) *http.Request {
	t.Helper()
	u, err := Presign("GET", "http://s3.example.test"+target, Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}, testRegion, expires, at)
	if err != nil {
		t.Fatal(err)
	}
	return serverRequest("GET", strings.TrimPrefix(u, "http://s3.example.test"), "s3.example.test", nil, nil)
}

func TestVerifyErrors(t *testing.T) {
	tests := []struct {
		name    string
		req     func(t *testing.T) *http.Request
		want    error
		code    string
		message string // checked when not ""
	}{
		{"missing date", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Del("X-Amz-Date")
			return r
		}, ErrAccessDenied, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header"},
		{"anonymous signed streaming", func(t *testing.T) *http.Request {
			return serverRequest("PUT", "/b/k", "h", nil, map[string]string{"X-Amz-Content-Sha256": StreamingPayload})
		}, ErrAccessDenied, "AccessDenied", ""},
		{"presigned expired", func(t *testing.T) *http.Request {
			return presigned(t, "/b/k", testNow.Add(-2*time.Hour), time.Hour)
		}, ErrExpiredRequest, "AccessDenied", "Request has expired"},
		{"presigned from the future", func(t *testing.T) *http.Request {
			return presigned(t, "/b/k", testNow.Add(time.Hour), time.Hour)
		}, ErrAccessDenied, "AccessDenied", "Request is not valid yet"},
		{"unknown access key", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), testAccessKey, "nobody", 1))
			return r
		}, ErrInvalidAccessKeyID, "InvalidAccessKeyId", ""},
		{"tampered header", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, func(r *http.Request) { r.Header.Set("X-Amz-Meta-A", "1") })
			r.Header.Set("X-Amz-Meta-A", "2")
			return r
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"tampered path", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.URL.Path, r.RequestURI = "/b/other", "/b/other"
			return r
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"tampered presigned query", func(t *testing.T) *http.Request {
			r := presigned(t, "/b/k?versionId=1", testNow, time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "versionId=1", "versionId=2", 1)
			return r
		}, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", ""},
		{"skewed clock", func(t *testing.T) *http.Request {
			return signed(t, "GET", "/b/k", "", testNow.Add(-16*time.Minute), nil)
		}, ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", ""},
		{"garbage authorization", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k", "h", nil, map[string]string{"Authorization": "AWS4-HMAC-SHA256 nonsense", "X-Amz-Date": testNow.Format(timeFormat)})
		}, ErrAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", ""},
		{"wrong region", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/us-east-1/", "/us-west-2/", 1))
			return r
		}, ErrAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed",
			"The authorization header is malformed; the region 'us-west-2' is wrong; expecting 'us-east-1'."},
		{"wrong service", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/s3/", "/sts/", 1))
			return r
		}, ErrAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", ""},
		{"credential date differs from x-amz-date", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/20260301/", "/20260302/", 1))
			return r
		}, ErrAuthorizationHeaderMalformed, "AuthorizationHeaderMalformed", ""},
		{"presigned expiry over a week", func(t *testing.T) *http.Request {
			r := presigned(t, "/b/k", testNow, time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "X-Amz-Expires=3600", "X-Amz-Expires=604801", 1)
			return r
		}, ErrAuthorizationQueryParametersError, "AuthorizationQueryParametersError",
			"X-Amz-Expires must be less than a week (in seconds) that is 604800"},
		{"presigned missing signature", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k?X-Amz-Algorithm=AWS4-HMAC-SHA256", "h", nil, nil)
		}, ErrAuthorizationQueryParametersError, "AuthorizationQueryParametersError", ""},
		{"presigned wrong region", func(t *testing.T) *http.Request {
			r := presigned(t, "/b/k", testNow, time.Hour)
			r.URL.RawQuery = strings.Replace(r.URL.RawQuery, "%2Fus-east-1%2F", "%2Feu-west-1%2F", 1)
			return r
		}, ErrAuthorizationQueryParametersError, "AuthorizationQueryParametersError",
			"Error parsing the X-Amz-Credential parameter; the region 'eu-west-1' is wrong; expecting 'us-east-1'"},
		{"streaming without decoded length", func(t *testing.T) *http.Request {
			r := serverRequest("PUT", "/b/k", "s3.example.test", strings.NewReader("0\r\n\r\n"), nil)
			sc := Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}
			SignRequest(r, sc, testRegion, StreamingUnsignedTrailer, testNow)
			return r
		}, ErrMissingContentLength, "MissingContentLength", ""},
		{"sigv2 header", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k", "h", nil, map[string]string{"Authorization": "AWS " + testAccessKey + ":c2lnbmF0dXJl"})
		}, ErrSignatureV2, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."},
		{"sigv2 presigned", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k?AWSAccessKeyId=x&Signature=y&Expires=1", "h", nil, nil)
		}, ErrSignatureV2, "InvalidRequest", ""},
		{"sigv2 presigned without signature", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k?AWSAccessKeyId=x&Expires=1", "h", nil, nil)
		}, ErrSignatureV2, "InvalidRequest", ""},
		{"sigv2 presigned without access key", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k?Signature=y", "h", nil, nil)
		}, ErrSignatureV2, "InvalidRequest", ""},
		{"other mechanism", func(t *testing.T) *http.Request {
			return serverRequest("GET", "/b/k", "h", nil, map[string]string{"Authorization": "Bearer abc"})
		}, ErrInvalidRequest, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256."},
		{"missing content sha256 with a body", func(t *testing.T) *http.Request {
			r := signed(t, "PUT", "/b/k", "data", testNow, nil)
			r.Header.Del("X-Amz-Content-Sha256")
			return r
		}, ErrInvalidRequest, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256"},
		{"two auth mechanisms", func(t *testing.T) *http.Request {
			r := presigned(t, "/b/k", testNow, time.Hour)
			r.Header.Set("Authorization", "AWS4-HMAC-SHA256 x")
			return r
		}, ErrInvalidArgument, "InvalidArgument", ""},
		{"invalid content sha256", func(t *testing.T) *http.Request {
			r := signed(t, "GET", "/b/k", "", testNow, nil)
			r.Header.Set("X-Amz-Content-Sha256", "not-a-hash")
			return r
		}, ErrInvalidArgument, "InvalidArgument", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fixedVerifier().Verify(tc.req(t))
			assertCode(t, err, tc.want, tc.code, tc.message)
		})
	}
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
	if !strings.HasPrefix(err.Error(), "sigv4: ") {
		t.Fatalf("error text %q lacks the package prefix", err)
	}
}

// manualSign signs r with the given headers and payload hash without
// adding any header, for cases SignRequest does not produce.
func manualSign(r *http.Request, signedHeaders []string, at time.Time, payloadHash string) {
	p := authParams{signedHeaders: signedHeaders, signedHeadersRaw: strings.Join(signedHeaders, ";"),
		scope: at.Format(dateFormat) + "/" + testRegion + "/s3/aws4_request"}
	_, crHash := canonicalRequestHash(nil, r, URIEncode(r.URL.Path, false), canonicalQuery(r.URL.RawQuery, ""), p.signedHeaders, p.signedHeadersRaw, payloadHash)
	key := deriveKey(testSecretKey, at.Format(dateFormat), testRegion, "s3")
	r.Header.Set("Authorization", Algorithm+" Credential="+testAccessKey+"/"+p.scope+", SignedHeaders="+p.signedHeadersRaw+
		", Signature="+hex.EncodeToString(hmacSum(key[:], string(stringToSign(nil, at.Format(timeFormat), p.scope, crHash)))))
}

func TestVerifyAccepts(t *testing.T) {
	tests := []struct {
		name string
		req  func(t *testing.T) *http.Request
		body string
	}{
		{"signed payload", func(t *testing.T) *http.Request { return signed(t, "PUT", "/b/k", "hello", testNow, nil) }, "hello"},
		{"skew just inside the limit", func(t *testing.T) *http.Request {
			return signed(t, "GET", "/b/k", "", testNow.Add(14*time.Minute), nil)
		}, ""},
		{"presigned within expiry", func(t *testing.T) *http.Request { return presigned(t, "/b/k", testNow.Add(-59*time.Minute), time.Hour) }, ""},
		{"date header instead of x-amz-date", func(t *testing.T) *http.Request {
			r := serverRequest("GET", "/b/k", "s3.example.test", nil, map[string]string{
				"Date": testNow.Format(http.TimeFormat), "X-Amz-Content-Sha256": UnsignedPayload})
			manualSign(r, []string{"date", "host", "x-amz-content-sha256"}, testNow, UnsignedPayload)
			return r
		}, ""},
		{"no x-amz-content-sha256 and no body", func(t *testing.T) *http.Request {
			r := serverRequest("DELETE", "/b/k", "s3.example.test", nil, map[string]string{"X-Amz-Date": testNow.Format(timeFormat)})
			manualSign(r, []string{"host", "x-amz-date"}, testNow, EmptySHA256)
			return r
		}, ""},
		{"repeated and spaced header values", func(t *testing.T) *http.Request {
			r := serverRequest("GET", "/b/k?b=2&a=1&a=0", "s3.example.test", nil, map[string]string{
				"X-Amz-Date": testNow.Format(timeFormat), "X-Amz-Content-Sha256": UnsignedPayload})
			r.Header.Add("X-Amz-Meta-M", "  a   b ")
			r.Header.Add("X-Amz-Meta-M", "c")
			manualSign(r, []string{"host", "x-amz-content-sha256", "x-amz-date", "x-amz-meta-m"}, testNow, UnsignedPayload)
			return r
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := fixedVerifier().Verify(tc.req(t))
			if err != nil {
				t.Fatalf("got %v, want nil", err)
			}
			got, err := io.ReadAll(res.Body)
			if err != nil || string(got) != tc.body {
				t.Fatalf("body: got %q, %v; want %q", got, err, tc.body)
			}
		})
	}
}

func TestCanonicalHeaderValues(t *testing.T) {
	r := serverRequest("GET", "/", "h", nil, nil)
	r.Header.Add("X-A", "  a   b \t c ")
	r.Header.Add("X-A", "d")
	got := string(appendCanonicalHeaders(nil, r, []string{"host", "x-a"}))
	if want := "host:h\nx-a:a b c,d\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got, want := canonicalQuery("prefix=a+b&max-keys=2&empty&x=%2F%7E", ""), "empty=&max-keys=2&prefix=a%20b&x=%2F~"; got != want {
		t.Fatalf("query: got %q, want %q", got, want)
	}
}

func TestVerifyAnonymous(t *testing.T) {
	r := serverRequest("PUT", "/b/k", "h", strings.NewReader("abc"), nil)
	res, err := fixedVerifier().Verify(r)
	if err != nil || !res.Anonymous || res.AccessKey != "" {
		t.Fatalf("got %+v, %v; want anonymous", res, err)
	}
	body, _ := io.ReadAll(res.Body)
	if string(body) != "abc" || res.ContentLength != 3 {
		t.Fatalf("got body %q length %d, want abc 3", body, res.ContentLength)
	}
}

func TestPayloadHashMismatch(t *testing.T) {
	r := signed(t, "PUT", "/b/k", "hello", testNow, nil)
	r.Body = io.NopCloser(strings.NewReader("HELLO"))
	res, err := fixedVerifier().Verify(r)
	if err != nil {
		t.Fatalf("Verify: got %v, want nil (the body is checked while read)", err)
	}
	_, err = io.ReadAll(res.Body)
	assertCode(t, err, ErrContentSHA256Mismatch, "XAmzContentSHA256Mismatch",
		"The provided 'x-amz-content-sha256' header does not match what was computed.")
}

func TestKeyCacheIsBounded(t *testing.T) {
	var c keyCache
	for i := range keyCacheSize + 50 {
		c.get("secret", "2026"+strings.Repeat("0", 4), "region-"+strings.Repeat("x", i%7)+string(rune('a'+i%26)), "s3"+string(rune(i)))
	}
	if n := c.len(); n > keyCacheSize {
		t.Fatalf("cache holds %d keys, want at most %d", n, keyCacheSize)
	}
	a := c.get("s1", "20260301", "r", "s3")
	if b := deriveKey("s1", "20260301", "r", "s3"); a != b {
		t.Fatal("cached key differs from a fresh derivation")
	}
	if c.get("s2", "20260301", "r", "s3") == a {
		t.Fatal("different secrets share a cached key")
	}
}

func TestSignRequestVerifiesWithBody(t *testing.T) {
	data := bytes.Repeat([]byte("z"), 1<<16)
	r := serverRequest("PUT", "/b/big", "s3.example.test", bytes.NewReader(data), nil)
	sum := sha256.Sum256(data)
	if err := SignRequest(r, Credentials{AccessKey: testAccessKey, SecretKey: testSecretKey}, testRegion, hex.EncodeToString(sum[:]), testNow); err != nil {
		t.Fatal(err)
	}
	res, err := fixedVerifier().Verify(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(res.Body)
	if err != nil || !bytes.Equal(got, data) {
		t.Fatalf("got %d bytes, %v; want %d", len(got), err, len(data))
	}
}

// TestSignatureV2Marker checks that SigV2 requests, and only they, are
// reported with ErrSignatureV2, which still reads as InvalidRequest for
// callers that do not route SigV2 elsewhere.
func TestSignatureV2Marker(t *testing.T) {
	tests := []struct {
		name   string
		target string
		auth   string
		want   bool
	}{
		{"header", "/b/k", "AWS " + testAccessKey + ":c2lnbmF0dXJl", true},
		{"presigned", "/b/k?AWSAccessKeyId=x&Signature=y&Expires=1", "", true},
		{"bearer", "/b/k", "Bearer abc", false},
		{"aws4 lower case", "/b/k", "aws4-hmac-sha256 x", false},
		{"AWS without space", "/b/k", "AWSx:y", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := map[string]string{}
			if tc.auth != "" {
				hdr["Authorization"] = tc.auth
			}
			_, err := fixedVerifier().Verify(serverRequest("GET", tc.target, "h", nil, hdr))
			if got := errors.Is(err, ErrSignatureV2); got != tc.want {
				t.Fatalf("errors.Is(%v, ErrSignatureV2): got %v, want %v", err, got, tc.want)
			}
			if !errors.Is(err, ErrInvalidRequest) {
				t.Fatalf("got %v, want an error wrapping ErrInvalidRequest", err)
			}
		})
	}
}
