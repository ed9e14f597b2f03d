package sigv2

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestXAmzDateForms checks both readings of x-amz-date in AWS's guide: its
// text (empty Date line, x-amz-date among the amz headers, as s3cmd and
// boto sign) and its worked example (TestAWSExamples), and that the clock
// check uses x-amz-date over Date.
func TestXAmzDateForms(t *testing.T) {
	e := awsExamples[4]
	if e.name != "delete with x-amz-date" {
		t.Fatalf("example 4: got %q, want the delete example", e.name)
	}
	r := e.serverRequest("")
	const want = "DELETE\n\n\n\nx-amz-date:Tue, 27 Mar 2007 21:20:26 +0000\n/awsexamplebucket1/photos/puppy.jpg"
	if got := StringToSign(r, ""); got != want {
		t.Fatalf("StringToSign: got %q, want %q", got, want)
	}
	Sign(r, Credentials{exampleAccessKey, exampleSecretKey}, "", time.Time{})
	xdate := time.Date(2007, 3, 27, 21, 20, 26, 0, time.UTC)
	tests := []struct {
		name string
		now  time.Time
		ok   bool
	}{
		{"now is x-amz-date", xdate, true},
		{"x-amz-date 14 minutes ago", xdate.Add(14 * time.Minute), true},
		{"x-amz-date 16 minutes ago", xdate.Add(16 * time.Minute), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Lookup: exampleLookup, Now: func() time.Time { return tc.now }}
			_, err := v.Verify(r, "")
			if tc.ok && err != nil {
				t.Fatalf("got %v, want success", err)
			}
			if !tc.ok {
				assertCode(t, err, ErrRequestTimeTooSkewed, "RequestTimeTooSkewed", "")
			}
		})
	}
	t.Run("Date far off, x-amz-date current", func(t *testing.T) {
		r := clientRequest(t, "GET", "http://"+testHost+"/b/k", "", map[string][]string{
			"Date":       {testNow.Add(-48 * time.Hour).Format(http.TimeFormat)},
			"X-Amz-Date": {testNow.Format(time.RFC1123Z)},
		})
		Sign(r, testCred, "", testNow)
		if _, err := fixedVerifier().Verify(onTheWire(t, r), ""); err != nil {
			t.Fatalf("got %v, want success", err)
		}
	})
}

// TestDateFormats checks the date formats clients send.
func TestDateFormats(t *testing.T) {
	for _, layout := range []string{http.TimeFormat, time.RFC1123Z, time.RFC850, time.ANSIC, "20060102T150405Z"} {
		t.Run(layout, func(t *testing.T) {
			h := http.Header{"Date": {testNow.Format(layout)}}
			got, err := requestTime(h)
			if err != nil || !got.Equal(testNow) {
				t.Fatalf("requestTime(%q): got %v, %v, want %v", h.Get("Date"), got, err, testNow)
			}
		})
	}
}

// TestClientForms checks StringToSign forms that real clients produce
// and AWS's text does not spell out.
func TestClientForms(t *testing.T) {
	sign := func(sts string) string { return "AWS " + testAccessKey + ":" + signString(testSecretKey, sts) }
	date := testNow.Format(http.TimeFormat)
	tests := []struct {
		name, method, target, sts string
	}{
		// minio-go sends "?uploads=" and signs "?uploads".
		{"empty sub-resource value signed without =", "POST", "/b/k?uploads=", "POST\n\n\n" + date + "\n/b/k?uploads"},
		// botocore sends "?uploads" and signs it as sent.
		{"sub-resource without value", "POST", "/b/k?uploads", "POST\n\n\n" + date + "\n/b/k?uploads"},
		{"empty sub-resource value signed with =", "GET", "/b/k?acl=", "GET\n\n\n" + date + "\n/b/k?acl="},
		// Some clients sign the key decoded.
		{"decoded key", "GET", "/b/caf%C3%A9%20x", "GET\n\n\n" + date + "\n/b/café x"},
		{"sub-resources sorted, values decoded", "GET", "/b/k?versionId=a%2Fb&response-content-type=text%2Fplain&x=1",
			"GET\n\n\n" + date + "\n/b/k?response-content-type=text/plain&versionId=a/b"},
		{"repeated sub-resource kept in order", "GET", "/b/k?tagging&acl&versionId=2&versionId=1",
			"GET\n\n\n" + date + "\n/b/k?acl&tagging&versionId=2&versionId=1"},
		{"unknown parameters ignored", "GET", "/b?list-type=2&prefix=x&encoding-type=url", "GET\n\n\n" + date + "\n/b"},
		// botocore signs a path-style bucket request with a trailing slash.
		{"bucket with trailing slash", "PUT", "/b", "PUT\n\n\n" + date + "\n/b/"},
		{"bucket sub-resource with trailing slash", "GET", "/b?acl", "GET\n\n\n" + date + "\n/b/?acl"},
		// Older botocore glues the operation's fixed query to the path.
		{"botocore 1.29 bucket acl", "GET", "/b?acl", "GET\n\n\n" + date + "\n/b?acl?acl"},
		{"botocore 1.29 list v2", "GET", "/b?list-type=2&prefix=d%2F&encoding-type=url", "GET\n\n\n" + date + "\n/b?list-type=2"},
		{"botocore 1.29 object uploads", "POST", "/b/k?uploads", "POST\n\n\n" + date + "\n/b/k?uploads?uploads"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Header.Set("Date", date)
			r.Header.Set("Authorization", sign(tc.sts))
			if _, err := fixedVerifier().Verify(r, ""); err != nil {
				t.Fatalf("got %v, want success for StringToSign %q (forms %q)", err, tc.sts, forms(newCanon(r, "", nil)))
			}
		})
	}
}

// TestAmbiguousForms checks that a signature cannot move between requests
// whose forms would read alike: a key with an encoded "?" and a
// sub-resource of another key.
func TestAmbiguousForms(t *testing.T) {
	date := testNow.Format(http.TimeFormat)
	tests := []struct {
		name, method, target, signedFor string
	}{
		{"acl of k signed, object k?acl asked", "GET", "/b/k%3Facl", "GET\n\n\n" + date + "\n/b/k?acl"},
		{"object k?acl signed, acl of k asked", "GET", "/b/k?acl", "GET\n\n\n" + date + "\n/b/k%3Facl"},
		{"acl of k?acl signed the old botocore way, object asked", "GET", "/b/k%3Facl?acl", "GET\n\n\n" + date + "\n/b/k?acl?acl"},
		{"bucket listing signed, other bucket asked", "GET", "/c?list-type=2", "GET\n\n\n" + date + "\n/b?list-type=2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, tc.target, nil)
			r.Header.Set("Date", date)
			r.Header.Set("Authorization", "AWS "+testAccessKey+":"+signString(testSecretKey, tc.signedFor))
			_, err := fixedVerifier().Verify(r, "")
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		})
	}
}

// TestPresignedHeadersInQuery checks query authentication where the client
// moved signed headers into the query, as botocore does for Content-Type,
// Content-MD5 and x-amz- headers.
func TestPresignedHeadersInQuery(t *testing.T) {
	const expires = "1772370000" // testNow + 1h
	sts := "PUT\nXUFAKrxLKna5cZ2REBfFkg==\ntext/plain\n" + expires + "\nx-amz-acl:private\nx-amz-meta-a:b c\n/b/k"
	sig := signString(testSecretKey, sts)
	q := "content-type=text%2Fplain&content-md5=XUFAKrxLKna5cZ2REBfFkg%3D%3D&x-amz-acl=private&x-amz-meta-a=b%20c" +
		"&AWSAccessKeyId=" + testAccessKey + "&Signature=" + urlQueryEscape(sig) + "&Expires=" + expires
	r := httptest.NewRequest("PUT", "/b/k?"+q, nil)
	if _, err := fixedVerifier().Verify(r, ""); err != nil {
		t.Fatalf("got %v, want success", err)
	}
	for name, want := range map[string]string{"Content-Type": "text/plain", "Content-Md5": "XUFAKrxLKna5cZ2REBfFkg==",
		"X-Amz-Acl": "private", "X-Amz-Meta-A": "b c"} {
		if got := r.Header.Values(name); len(got) != 1 || got[0] != want {
			t.Errorf("header %s after Verify: got %q, want [%q]", name, got, want)
		}
	}
	tests := []struct {
		name   string
		header [2]string
		extra  string
		ok     bool
	}{
		{"same header beside the parameter", [2]string{"X-Amz-Acl", "private"}, "", true},
		{"same content type header", [2]string{"Content-Type", "text/plain"}, "", true},
		{"other amz header value", [2]string{"X-Amz-Acl", "public-read"}, "", false},
		{"other content type", [2]string{"Content-Type", "text/html"}, "", false},
		{"other content md5", [2]string{"Content-Md5", "1B2M2Y8AsgTpgAmY7PhCfg=="}, "", false},
		{"unsigned amz header", [2]string{"X-Amz-Copy-Source", "/b/other"}, "", false},
		{"unsigned amz parameter", [2]string{}, "&x-amz-meta-z=1", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "/b/k?"+q+tc.extra, nil)
			if tc.header[0] != "" {
				r.Header.Set(tc.header[0], tc.header[1])
			}
			_, err := fixedVerifier().Verify(r, "")
			if tc.ok {
				if err != nil {
					t.Fatalf("got %v, want success", err)
				}
				return
			}
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
			if tc.header[0] != "Content-Type" && r.Header.Get("Content-Type") != "" {
				t.Fatalf("a refused request got headers from its query: %v", r.Header)
			}
		})
	}
}
