package integration

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7/pkg/cors"
)

const appOrigin = "https://app.example.com"

// corsRules is a typical configuration: uploads from one application,
// reads from anywhere.
func corsRules() []types.CORSRule {
	return []types.CORSRule{
		{
			ID:             aws.String("uploads"),
			AllowedOrigins: []string{appOrigin},
			AllowedMethods: []string{"PUT", "POST", "DELETE"},
			AllowedHeaders: []string{"content-type", "x-amz-*"},
			ExposeHeaders:  []string{"ETag", "x-amz-request-id"},
			MaxAgeSeconds:  aws.Int32(600),
		},
		{
			ID:             aws.String("reads"),
			AllowedOrigins: []string{"*"},
			AllowedMethods: []string{"GET", "HEAD"},
		},
	}
}

// preflight sends an unsigned OPTIONS request as a browser does.
func (e *env) preflight(t testing.TB, bucket, key, origin, method, headers string) (*http.Response, []byte) {
	t.Helper()
	req := e.request(t, http.MethodOptions, bucket, key, nil, nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if method != "" {
		req.Header.Set("Access-Control-Request-Method", method)
	}
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	return e.send(t, req)
}

// wantHeaders fails t unless resp carries every header of want (an empty
// value: the header must be absent).
func wantHeaders(t testing.TB, op string, resp *http.Response, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", op, k, got, v)
		}
	}
}

// TestBucketCors sets, reads and removes a CORS configuration with both
// SDKs, and checks what browsers see: preflights answered without a
// signature, Access-Control-* headers on actual requests (errors too), and
// refusals once the configuration is gone.
func TestBucketCors(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "public/page.html", []byte("<p>hello</p>"))

		_, err := e.s3.GetBucketCors(ctx(t), &s3.GetBucketCorsInput{Bucket: &bucket})
		wantAWSError(t, "GetBucketCors before any", err, "NoSuchCORSConfiguration", http.StatusNotFound)
		resp, body := e.preflight(t, bucket, "k", appOrigin, "PUT", "")
		wantError(t, "preflight before any", resp, body, http.StatusForbidden, "AccessForbidden")

		_, err = e.s3.PutBucketCors(ctx(t), &s3.PutBucketCorsInput{Bucket: &bucket, CORSConfiguration: &types.CORSConfiguration{CORSRules: corsRules()}})
		must(t, "PutBucketCors", err)
		got, err := e.s3.GetBucketCors(ctx(t), &s3.GetBucketCorsInput{Bucket: &bucket})
		must(t, "GetBucketCors", err)
		if len(got.CORSRules) != 2 {
			t.Fatalf("GetBucketCors: %d rules, want 2", len(got.CORSRules))
		}
		r := got.CORSRules[0]
		if aws.ToString(r.ID) != "uploads" || !slices.Equal(r.AllowedOrigins, []string{appOrigin}) ||
			!slices.Equal(r.AllowedMethods, []string{"PUT", "POST", "DELETE"}) || !slices.Equal(r.AllowedHeaders, []string{"content-type", "x-amz-*"}) ||
			!slices.Equal(r.ExposeHeaders, []string{"ETag", "x-amz-request-id"}) || aws.ToInt32(r.MaxAgeSeconds) != 600 {
			t.Errorf("GetBucketCors: first rule %+v differs from what was put", r)
		}
		mconf, err := e.mc.GetBucketCors(ctx(t), bucket)
		must(t, "minio GetBucketCors", err)
		if len(mconf.CORSRules) != 2 || mconf.CORSRules[1].AllowedOrigin[0] != "*" {
			t.Errorf("minio GetBucketCors = %+v", mconf.CORSRules)
		}

		t.Run("preflight", func(t *testing.T) {
			tests := []struct {
				name, key, origin, method, headers string
				status                             int
				code                               string
				want                               map[string]string
			}{
				{"upload allowed", "up/file.bin", appOrigin, "PUT", "Content-Type, X-Amz-Date, x-amz-content-sha256", http.StatusOK, "", map[string]string{
					"Access-Control-Allow-Origin":      appOrigin,
					"Access-Control-Allow-Credentials": "true",
					"Access-Control-Allow-Methods":     "PUT, POST, DELETE",
					"Access-Control-Allow-Headers":     "content-type, x-amz-date, x-amz-content-sha256",
					"Access-Control-Expose-Headers":    "ETag, x-amz-request-id",
					"Access-Control-Max-Age":           "600",
				}},
				{"bucket level", "", appOrigin, "POST", "", http.StatusOK, "", map[string]string{"Access-Control-Allow-Origin": appOrigin}},
				{"read from anywhere", "public/page.html", "https://elsewhere.example", "GET", "", http.StatusOK, "", map[string]string{
					"Access-Control-Allow-Origin":      "*",
					"Access-Control-Allow-Credentials": "",
					"Access-Control-Allow-Methods":     "GET, HEAD",
					"Access-Control-Max-Age":           "",
				}},
				{"header not allowed", "up/file.bin", appOrigin, "PUT", "content-type, authorization", http.StatusForbidden, "AccessForbidden", nil},
				{"origin not allowed", "up/file.bin", "https://evil.example", "PUT", "", http.StatusForbidden, "AccessForbidden", nil},
				{"method not allowed", "up/file.bin", "https://elsewhere.example", "DELETE", "", http.StatusForbidden, "AccessForbidden", nil},
				{"no origin", "k", "", "GET", "", http.StatusBadRequest, "BadRequest", nil},
				{"no method", "k", appOrigin, "", "", http.StatusBadRequest, "BadRequest", nil},
			}
			for _, tt := range tests {
				resp, body := e.preflight(t, bucket, tt.key, tt.origin, tt.method, tt.headers)
				if tt.code != "" {
					wantError(t, tt.name, resp, body, tt.status, tt.code)
					continue
				}
				wantStatus(t, tt.name, resp, body, tt.status)
				wantHeaders(t, tt.name, resp, tt.want)
				if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
					t.Errorf("%s: Vary = %q, want Origin in it", tt.name, resp.Header.Get("Vary"))
				}
			}
			resp, body := e.preflight(t, e.bucketName(t), "k", appOrigin, "GET", "")
			wantError(t, "preflight to a missing bucket", resp, body, http.StatusForbidden, "AccessForbidden")
		})

		t.Run("actual requests", func(t *testing.T) {
			origin := hdr("Origin", "https://elsewhere.example")
			resp, body := e.fetch(t, http.MethodGet, e.presign(t, http.MethodGet, bucket, "public/page.html", time.Now(), "300"), origin, nil)
			wantStatus(t, "cross-origin GET", resp, body, http.StatusOK)
			if string(body) != "<p>hello</p>" {
				t.Errorf("cross-origin GET: body %q", body)
			}
			wantHeaders(t, "cross-origin GET", resp, map[string]string{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD"})

			resp, body = e.fetch(t, http.MethodPut, e.presign(t, http.MethodPut, bucket, "up/file.bin", time.Now(), "300"), hdr("Origin", appOrigin), []byte("uploaded"))
			wantStatus(t, "cross-origin PUT", resp, body, http.StatusOK)
			wantHeaders(t, "cross-origin PUT", resp, map[string]string{
				"Access-Control-Allow-Origin":   appOrigin,
				"Access-Control-Expose-Headers": "ETag, x-amz-request-id",
				"ETag":                          `"` + md5Hex([]byte("uploaded")) + `"`,
			})

			// An error answer carries the headers too, so the page can read it.
			resp, body = e.fetch(t, http.MethodGet, e.presign(t, http.MethodGet, bucket, "missing", time.Now(), "300"), origin, nil)
			wantError(t, "cross-origin GET of a missing key", resp, body, http.StatusNotFound, "NoSuchKey")
			wantHeaders(t, "cross-origin GET of a missing key", resp, map[string]string{"Access-Control-Allow-Origin": "*"})

			// A request no rule allows is served (the browser enforces
			// CORS) but gets no Access-Control-* headers.
			resp, body = e.fetch(t, http.MethodPut, e.presign(t, http.MethodPut, bucket, "up/other.bin", time.Now(), "300"), origin, []byte("x"))
			wantStatus(t, "PUT from an origin no rule allows", resp, body, http.StatusOK)
			wantHeaders(t, "PUT from an origin no rule allows", resp, map[string]string{"Access-Control-Allow-Origin": ""})
			if !strings.Contains(resp.Header.Get("Vary"), "Origin") {
				t.Errorf("PUT from an origin no rule allows: Vary = %q", resp.Header.Get("Vary"))
			}
		})

		t.Run("refused configurations", func(t *testing.T) {
			valid := `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>`
			tests := []struct {
				name, doc string
				noMD5     bool
				code      string
			}{
				{"unsupported method", strings.Replace(valid, "GET", "PATCH", 1), false, "InvalidRequest"},
				{"two wildcards", strings.Replace(valid, "<AllowedOrigin>*", "<AllowedOrigin>https://*.*", 1), false, "InvalidRequest"},
				{"no rules", `<CORSConfiguration></CORSConfiguration>`, false, "MalformedXML"},
				{"not XML", `{"CORSRules": []}`, false, "MalformedXML"},
				{"no Content-MD5", valid, true, "InvalidRequest"},
			}
			for _, tt := range tests {
				h := hdr("Content-MD5", md5B64([]byte(tt.doc)))
				if tt.noMD5 {
					h = nil
				}
				resp, body := e.do(t, http.MethodPut, bucket, "", query("cors", ""), h, []byte(tt.doc))
				wantError(t, tt.name, resp, body, http.StatusBadRequest, tt.code)
			}
			resp, body := e.do(t, http.MethodPut, bucket, "", query("cors", ""), hdr("Content-MD5", md5B64([]byte("x"))), []byte(valid))
			wantError(t, "wrong Content-MD5", resp, body, http.StatusBadRequest, "BadDigest")
			// None of them replaced the configuration.
			got, err := e.s3.GetBucketCors(ctx(t), &s3.GetBucketCorsInput{Bucket: &bucket})
			must(t, "GetBucketCors after refusals", err)
			if len(got.CORSRules) != 2 {
				t.Errorf("GetBucketCors after refusals: %d rules, want 2", len(got.CORSRules))
			}
			missing := e.bucketName(t)
			_, err = e.s3.PutBucketCors(ctx(t), &s3.PutBucketCorsInput{Bucket: &missing, CORSConfiguration: &types.CORSConfiguration{CORSRules: corsRules()}})
			wantAWSError(t, "PutBucketCors on a missing bucket", err, "NoSuchBucket", http.StatusNotFound)
			req := e.request(t, http.MethodPut, bucket, "", query("cors", ""), []byte(valid))
			resp, body = e.send(t, req)
			wantError(t, "anonymous PutBucketCors", resp, body, http.StatusForbidden, "AccessDenied")
		})

		// minio-go replaces the whole configuration.
		err = e.mc.SetBucketCors(ctx(t), bucket, cors.NewConfig([]cors.Rule{{AllowedOrigin: []string{"https://other.example"}, AllowedMethod: []string{"GET"}}}))
		must(t, "minio SetBucketCors", err)
		resp, body = e.preflight(t, bucket, "k", appOrigin, "PUT", "")
		wantError(t, "preflight after the configuration changed", resp, body, http.StatusForbidden, "AccessForbidden")
		resp, body = e.preflight(t, bucket, "k", "https://other.example", "GET", "")
		wantStatus(t, "preflight the new configuration allows", resp, body, http.StatusOK)

		_, err = e.s3.DeleteBucketCors(ctx(t), &s3.DeleteBucketCorsInput{Bucket: &bucket})
		must(t, "DeleteBucketCors", err)
		_, err = e.s3.GetBucketCors(ctx(t), &s3.GetBucketCorsInput{Bucket: &bucket})
		wantAWSError(t, "GetBucketCors after delete", err, "NoSuchCORSConfiguration", http.StatusNotFound)
		resp, body = e.preflight(t, bucket, "k", "https://other.example", "GET", "")
		wantError(t, "preflight after delete", resp, body, http.StatusForbidden, "AccessForbidden")
		_, err = e.s3.DeleteBucketCors(ctx(t), &s3.DeleteBucketCorsInput{Bucket: &bucket})
		must(t, "DeleteBucketCors again", err)
	})
}
