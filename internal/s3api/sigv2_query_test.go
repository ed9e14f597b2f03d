package s3api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/sigv2"
)

// TestSigV2PresignedQueryHeaders checks over HTTP that a SigV2 presigned
// PUT stores exactly the header parameters that were signed: an appended
// Content-Type or case-variant duplicate is refused and stores nothing, a
// signed one is stored, and a URL valid for more than 7 days is refused.
func TestSigV2PresignedQueryHeaders(t *testing.T) {
	s := startV2Server(t)
	hc := &http.Client{}
	cred := sigv2.Credentials{AccessKey: v2Access, SecretKey: v2Secret}
	setup, _ := http.NewRequest(http.MethodPut, s.url+"/qhead", nil)
	signV2(setup)
	if status, e, _ := do(t, hc, setup); status != http.StatusOK {
		t.Fatalf("create bucket: got %d %s, want 200", status, e.Code)
	}
	// presign returns a presigned URL for method on target (whose query may
	// carry header parameters), valid until expires.
	presign := func(method, target string, expires time.Time) string {
		r, err := http.NewRequest(method, s.url+target, nil)
		if err != nil {
			t.Fatal(err)
		}
		return sigv2.Presign(r, cred, "", expires).String()
	}
	send := func(method, u, body string) (int, s3ErrorBody) {
		status, e, _ := do(t, hc, mustRequest(t, method, u, body))
		return status, e
	}
	head := func(key string) (int, http.Header) {
		r, _ := http.NewRequest(http.MethodHead, s.url+"/qhead/"+key, nil)
		signV2(r)
		resp, err := hc.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	hour := time.Now().Add(time.Hour)

	refused := []struct {
		name, url string
		status    int
		code      string
	}{
		{"appended Content-Type", presign("PUT", "/qhead/typed", hour) + "&Content-Type=text%2Fhtml", 403, "SignatureDoesNotMatch"},
		{"appended metadata", presign("PUT", "/qhead/typed", hour) + "&X-Amz-Meta-Owner=mallory", 403, "SignatureDoesNotMatch"},
		{"case-variant duplicate appended", presign("PUT", "/qhead/typed?x-amz-meta-owner=alice", hour) + "&X-Amz-Meta-Owner=mallory", 400, "InvalidArgument"},
		{"case-variant duplicate signed", presign("PUT", "/qhead/typed?x-amz-meta-owner=alice&X-Amz-Meta-Owner=mallory", hour), 400, "InvalidArgument"},
		{"more than 7 days", presign("PUT", "/qhead/typed", time.Now().Add(8*24*time.Hour)), 403, "AccessDenied"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			status, e := send("PUT", tc.url, "<h1>hi</h1>")
			if status != tc.status || e.Code != tc.code {
				t.Fatalf("got %d %s, want %d %s", status, e.Code, tc.status, tc.code)
			}
			if status, _ := head("typed"); status != http.StatusNotFound {
				t.Fatalf("HEAD after the refused PUT: got %d, want 404", status)
			}
		})
	}
	t.Run("signed parameters stored", func(t *testing.T) {
		u := presign("PUT", "/qhead/typed?Content-Type=text%2Fplain&x-amz-meta-owner=alice", hour)
		if status, e := send("PUT", u, "plain"); status != http.StatusOK {
			t.Fatalf("got %d %s, want 200", status, e.Code)
		}
		status, h := head("typed")
		if status != http.StatusOK || h.Get("Content-Type") != "text/plain" || h.Get("X-Amz-Meta-Owner") != "alice" {
			t.Fatalf("HEAD: got %d, Content-Type %q, owner %q; want 200 text/plain alice", status, h.Get("Content-Type"), h.Get("X-Amz-Meta-Owner"))
		}
	})
}

func mustRequest(t *testing.T, method, u, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
