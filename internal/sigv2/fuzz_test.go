package sigv2

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS AKIAIOSFODNN7EXAMPLE:qgk2+6Sv9/oM7G3qLEjTH1a1l1g=")
	f.Add("AWS a:b:c")
	f.Add("AWS :")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00")
	f.Add("  AWS   key:sig  ")
	f.Fuzz(func(t *testing.T, h string) {
		p, err := parseAuthorization(h)
		if err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
			return
		}
		if p.accessKey == "" || p.signature == "" || strings.Contains(p.signature, ":") {
			t.Fatalf("accepted incomplete header %q: %+v", h, p)
		}
	})
}

func FuzzParsePresigned(f *testing.F) {
	f.Add("AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620")
	f.Add("AWSAccessKeyId=a&Signature=b&Expires=-1")
	f.Add("AWSAccessKeyId=a&Signature=b&Expires=99999999999999999999")
	f.Add("Signature=&Signature=x")
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := parsePresigned(q)
		if err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
			return
		}
		if p.accessKey == "" || p.signature == "" || p.expires.Unix() < 0 {
			t.Fatalf("accepted out-of-range parameters %q: %+v", raw, p)
		}
	})
}

// FuzzVerify feeds arbitrary targets, Authorization headers and dates to
// Verify: it must never panic, must answer with an S3 code, and must
// accept only what was signed with the right secret.
func FuzzVerify(f *testing.F) {
	f.Add("GET", "/b/k?acl", "AWS "+testAccessKey+":c2lnbmF0dXJl", testNow.Format(http.TimeFormat), "x")
	f.Add("PUT", "/b/k?uploadId=1&partNumber=2&AWSAccessKeyId="+testAccessKey+"&Expires=1900000000&Signature=a%2Bb", "", "", "")
	f.Add("POST", "/b?delete=&uploads", "AWS x:", "", "v")
	f.Fuzz(func(t *testing.T, method, target, auth, date, meta string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t") ||
			strings.ContainsAny(method+auth+date+meta, "\r\n\x00") {
			return
		}
		if _, err := url.ParseRequestURI(target); err != nil {
			return
		}
		for _, r := range method {
			if r <= ' ' || r >= 0x7f || strings.ContainsRune("()<>@,;:\\\"/[]?={}", r) {
				return
			}
		}
		if method == "" || method == "CONNECT" {
			return
		}
		r := httptest.NewRequest(method, target, nil)
		r.Header.Set("Authorization", auth)
		r.Header.Set("Date", date)
		r.Header.Set("X-Amz-Meta-F", meta)
		if _, err := fixedVerifier().Verify(r, ""); err != nil {
			if _, ok := Code(err); !ok {
				t.Fatalf("error without an S3 code: %v", err)
			}
		} else if !strings.HasPrefix(auth, "AWS ") && r.URL.Query().Get("AWSAccessKeyId") == "" {
			t.Fatalf("accepted a request without SigV2 credentials: %q %q", target, auth)
		}
		// Signing the same request with the secret must verify, and with
		// another secret must not.
		r.Header.Del("Authorization")
		if strings.Contains(r.URL.RawQuery, "AWSAccessKeyId") || strings.Contains(r.URL.RawQuery, "Signature") {
			return
		}
		r.Header.Del("Date")
		Sign(r, testCred, "", testNow)
		if _, err := fixedVerifier().Verify(r, ""); err != nil {
			t.Fatalf("signed %s %q: got %v, want success (StringToSign %q)", method, target, err, StringToSign(r, ""))
		}
		Sign(r, Credentials{testAccessKey, "other"}, "", time.Time{})
		if _, err := fixedVerifier().Verify(r, ""); err == nil {
			t.Fatalf("signed %s %q with another secret: got success, want an error", method, target)
		}
	})
}
