package sigv2

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// presignedTarget returns the request target of a URL presigned with
// Presign for method on target (whose query may carry header parameters),
// with header set on the signing request, valid until expires.
func presignedTarget(t *testing.T, method, target string, header http.Header, expires time.Time) string {
	t.Helper()
	r := httptest.NewRequest(method, target, nil)
	for k, v := range header {
		r.Header[k] = v
	}
	return Presign(r, testCred, "", expires).RequestURI()
}

// TestPresignedQueryHeadersAreTheSignedOnes checks that what Verify copies
// from a presigned query into headers is exactly what was signed.
func TestPresignedQueryHeadersAreTheSignedOnes(t *testing.T) {
	exp := testNow.Add(time.Hour)
	t.Run("unsigned Content-Type appended", func(t *testing.T) {
		r := httptest.NewRequest("PUT", presignedTarget(t, "PUT", "/b/k", nil, exp)+"&Content-Type=text/html", nil)
		_, err := fixedVerifier().Verify(r, "")
		assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		if got := r.Header.Values("Content-Type"); len(got) != 0 {
			t.Fatalf("Content-Type after a refused Verify: got %q, want none", got)
		}
	})
	t.Run("unsigned Content-MD5 and x-amz header appended", func(t *testing.T) {
		for _, extra := range []string{"&Content-MD5=1B2M2Y8AsgTpgAmY7PhCfg%3D%3D", "&X-Amz-Copy-Source=/b/secret", "&X-AMZ-META-OWNER=mallory"} {
			r := httptest.NewRequest("PUT", presignedTarget(t, "PUT", "/b/k", nil, exp)+extra, nil)
			_, err := fixedVerifier().Verify(r, "")
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		}
	})
	t.Run("signed parameters in any case", func(t *testing.T) {
		target := presignedTarget(t, "PUT", "/b/k?Content-Type=text%2Fplain&X-Amz-Meta-Owner=alice", nil, exp)
		r := httptest.NewRequest("PUT", target, nil)
		if _, err := fixedVerifier().Verify(r, ""); err != nil {
			t.Fatalf("Verify: %v", err)
		}
		for name, want := range map[string]string{"Content-Type": "text/plain", "X-Amz-Meta-Owner": "alice"} {
			if got := r.Header.Values(name); len(got) != 1 || got[0] != want {
				t.Errorf("%s after Verify: got %q, want [%q]", name, got, want)
			}
		}
	})
	t.Run("a header beside the parameter wins, and is the signed value", func(t *testing.T) {
		target := presignedTarget(t, "PUT", "/b/k?content-type=text%2Fplain", nil, exp)
		r := httptest.NewRequest("PUT", target, nil)
		r.Header.Set("Content-Type", "text/html")
		_, err := fixedVerifier().Verify(r, "")
		assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
	})
}

// TestPresignedCaseVariantDuplicates checks that two parameters naming the
// same header are refused, every time (no dependence on map order).
func TestPresignedCaseVariantDuplicates(t *testing.T) {
	exp := testNow.Add(time.Hour)
	tests := []struct{ name, target string }{
		{"metadata", "/b/k?x-amz-meta-owner=alice&X-Amz-Meta-Owner=mallory"},
		{"metadata, the other order", "/b/k?X-Amz-Meta-Owner=mallory&x-amz-meta-owner=alice"},
		{"content type", "/b/k?content-type=text%2Fplain&Content-Type=text%2Fhtml"},
		{"repeated content type", "/b/k?content-type=text%2Fplain&content-type=text%2Fhtml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Signed by the key's owner with both parameters: still refused.
			target := presignedTarget(t, "PUT", tc.target, nil, exp)
			for range 20 {
				r := httptest.NewRequest("PUT", target, nil)
				_, err := fixedVerifier().Verify(r, "")
				assertCode(t, err, ErrInvalidArgument, "InvalidArgument", "")
				if len(r.Header) != 0 {
					t.Fatalf("headers after a refused Verify: %v", r.Header)
				}
			}
		})
	}
	t.Run("duplicate appended to a signed parameter", func(t *testing.T) {
		target := presignedTarget(t, "PUT", "/b/k?x-amz-meta-owner=alice", nil, exp) + "&X-Amz-Meta-Owner=mallory"
		for range 20 {
			_, err := fixedVerifier().Verify(httptest.NewRequest("PUT", target, nil), "")
			assertCode(t, err, ErrInvalidArgument, "InvalidArgument", "")
		}
	})
}

// TestPresignedLifetimeBound checks the 7-day bound on Expires.
func TestPresignedLifetimeBound(t *testing.T) {
	v := fixedVerifier()
	tests := []struct {
		name    string
		expires time.Time
		ok      bool
	}{
		{"an hour", testNow.Add(time.Hour), true},
		{"7 days", testNow.Add(MaxPresignedLifetime), true},
		{"7 days and the clock skew", testNow.Add(MaxPresignedLifetime + DefaultMaxSkew), true},
		{"a second more", testNow.Add(MaxPresignedLifetime + DefaultMaxSkew + time.Second), false},
		{"years", testNow.AddDate(10, 0, 0), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", presignedTarget(t, "GET", "/b/k", nil, tc.expires), nil)
			_, err := v.Verify(r, "")
			if tc.ok {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				return
			}
			assertCode(t, err, ErrAccessDenied, "AccessDenied", "Presigned URLs are valid for at most 7 days (604800 seconds).")
		})
	}
}

// TestAmzHeadersSignedByConstruction checks that SigV2 signs every x-amz-
// header present, header-signed or presigned: one added after signing
// breaks the signature.
func TestAmzHeadersSignedByConstruction(t *testing.T) {
	for _, name := range []string{"X-Amz-Copy-Source", "X-Amz-Meta-Owner", "X-Amz-Acl", "X-Amz-Tagging"} {
		t.Run("header "+name, func(t *testing.T) {
			r := clientRequest(t, "PUT", "http://"+testHost+"/b/k", "data", nil)
			Sign(r, testCred, "", testNow)
			r.Header.Set(name, "added")
			_, err := fixedVerifier().Verify(onTheWire(t, r), "")
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		})
		t.Run("presigned "+name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", presignedTarget(t, "PUT", "/b/k", nil, testNow.Add(time.Hour)), nil)
			r.Header.Set(name, "added")
			_, err := fixedVerifier().Verify(r, "")
			assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
		})
	}
}
