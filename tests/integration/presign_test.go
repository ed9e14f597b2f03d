package integration

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// presign returns a presigned URL for method on bucket/key, signed at
// signedAt and valid for expires seconds (as a string, so invalid values
// can be sent).
func (e *env) presign(t testing.TB, method, bucket, key string, signedAt time.Time, expires string) string {
	t.Helper()
	req := e.request(t, method, bucket, key, query("X-Amz-Expires", expires), nil)
	u, _, err := signer().PresignHTTP(ctx(t), e.srv.Credentials(), req, unsignedPayload, "s3", e.srv.Region, signedAt)
	must(t, "PresignHTTP", err)
	return u
}

// fetch performs a plain, unsigned request to u.
func (e *env) fetch(t testing.TB, method, u string, header http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	must(t, "new request", err)
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	}
	for k, v := range header {
		req.Header[k] = v
	}
	return e.send(t, req)
}

// TestPresignedURLs uses presigned GET and PUT URLs from aws-sdk-go-v2,
// minio-go and the SigV4 signer with plain net/http, including response
// overrides, expiry, the 7-day limit and tampering.
func TestPresignedURLs(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		pc := s3.NewPresignClient(e.s3)
		body := data(71, 70<<10)
		t.Run("aws", func(t *testing.T) {
			put, err := pc.PresignPutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("pre sign/aws")}, s3.WithPresignExpires(10*time.Minute))
			must(t, "PresignPutObject", err)
			resp, rb := e.fetch(t, put.Method, put.URL, put.SignedHeader, body)
			wantStatus(t, "presigned PUT", resp, rb, http.StatusOK)
			if resp.Header.Get("ETag") != quoted(md5Hex(body)) {
				t.Errorf("presigned PUT ETag: got %s, want %s", resp.Header.Get("ETag"), quoted(md5Hex(body)))
			}
			get, err := pc.PresignGetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("pre sign/aws"), ResponseContentDisposition: aws.String("attachment; filename=x.bin")})
			must(t, "PresignGetObject", err)
			resp, rb = e.fetch(t, get.Method, get.URL, get.SignedHeader, nil)
			wantStatus(t, "presigned GET", resp, rb, http.StatusOK)
			if !bytes.Equal(rb, body) || resp.Header.Get("Content-Disposition") != "attachment; filename=x.bin" {
				t.Errorf("presigned GET: got %d bytes, disposition %q; want the body and the override", len(rb), resp.Header.Get("Content-Disposition"))
			}
			head, err := pc.PresignHeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("pre sign/aws")})
			must(t, "PresignHeadObject", err)
			resp, _ = e.fetch(t, head.Method, head.URL, head.SignedHeader, nil)
			if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(body)) {
				t.Errorf("presigned HEAD: got %d length %d, want 200 %d", resp.StatusCode, resp.ContentLength, len(body))
			}
		})
		t.Run("minio", func(t *testing.T) {
			put, err := e.mc.PresignedPutObject(ctx(t), bucket, "mc+presigned", 5*time.Minute)
			must(t, "minio PresignedPutObject", err)
			resp, rb := e.fetch(t, http.MethodPut, put.String(), nil, body)
			wantStatus(t, "minio presigned PUT", resp, rb, http.StatusOK)
			get, err := e.mc.PresignedGetObject(ctx(t), bucket, "mc+presigned", 5*time.Minute, url.Values{"response-content-type": {"text/presigned"}})
			must(t, "minio PresignedGetObject", err)
			resp, rb = e.fetch(t, http.MethodGet, get.String(), nil, nil)
			wantStatus(t, "minio presigned GET", resp, rb, http.StatusOK)
			if !bytes.Equal(rb, body) || resp.Header.Get("Content-Type") != "text/presigned" {
				t.Errorf("minio presigned GET: got %d bytes, type %q", len(rb), resp.Header.Get("Content-Type"))
			}
		})
		t.Run("expired", func(t *testing.T) {
			e.putObject(t, bucket, "old", []byte("x"))
			u := e.presign(t, http.MethodGet, bucket, "old", time.Now().Add(-2*time.Hour), "60")
			resp, rb := e.fetch(t, http.MethodGet, u, nil, nil)
			wantError(t, "expired presigned GET", resp, rb, http.StatusForbidden, "AccessDenied")
			u = e.presign(t, http.MethodPut, bucket, "old", time.Now().Add(-2*time.Hour), "3600")
			resp, rb = e.fetch(t, http.MethodPut, u, nil, []byte("overwrite"))
			wantError(t, "expired presigned PUT", resp, rb, http.StatusForbidden, "AccessDenied")
			if got, _ := e.getObject(t, bucket, "old"); string(got) != "x" {
				t.Errorf("expired PUT changed the object: got %q", got)
			}
		})
		t.Run("seven-day-limit", func(t *testing.T) {
			e.putObject(t, bucket, "week", []byte("x"))
			u := e.presign(t, http.MethodGet, bucket, "week", time.Now(), "604800")
			resp, rb := e.fetch(t, http.MethodGet, u, nil, nil)
			wantStatus(t, "presigned GET valid 7 days", resp, rb, http.StatusOK)
			u = e.presign(t, http.MethodGet, bucket, "week", time.Now(), "604801")
			resp, rb = e.fetch(t, http.MethodGet, u, nil, nil)
			wantError(t, "presigned GET valid 7 days + 1 s", resp, rb, http.StatusBadRequest, "AuthorizationQueryParametersError")
		})
		t.Run("tampered", func(t *testing.T) {
			e.putObject(t, bucket, "t1", []byte("one"))
			e.putObject(t, bucket, "t2", []byte("two"))
			u := e.presign(t, http.MethodGet, bucket, "t1", time.Now(), "300")
			resp, rb := e.fetch(t, http.MethodGet, strings.Replace(u, "/t1?", "/t2?", 1), nil, nil)
			wantError(t, "presigned GET for another key", resp, rb, http.StatusForbidden, "SignatureDoesNotMatch")
			resp, rb = e.fetch(t, http.MethodGet, strings.Replace(u, "X-Amz-Expires=300", "X-Amz-Expires=301", 1), nil, nil)
			wantError(t, "presigned GET with a changed expiry", resp, rb, http.StatusForbidden, "SignatureDoesNotMatch")
			resp, rb = e.fetch(t, http.MethodDelete, u, nil, nil)
			wantError(t, "presigned GET used for DELETE", resp, rb, http.StatusForbidden, "SignatureDoesNotMatch")
			resp, rb = e.fetch(t, http.MethodGet, u, nil, nil)
			wantStatus(t, "untouched presigned GET", resp, rb, http.StatusOK)
			if string(rb) != "one" {
				t.Errorf("presigned GET: got %q, want one", rb)
			}
		})
	})
}
