package integration

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// standardHeaders are the stored HTTP headers of TestObjectMetadata.
var standardHeaders = map[string]string{
	"Content-Type":        "text/x-hoard; charset=utf-8",
	"Cache-Control":       "max-age=3600, must-revalidate",
	"Content-Disposition": `attachment; filename="report.txt"`,
	"Content-Encoding":    "gzip",
	"Content-Language":    "de-CH",
	"Expires":             "Wed, 21 Oct 2037 07:28:00 GMT",
}

// getObject reads a whole object with aws-sdk-go-v2.
func (e *env) getObject(t testing.TB, bucket, key string) ([]byte, *s3.GetObjectOutput) {
	t.Helper()
	out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: &key})
	must(t, "GetObject "+key, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	must(t, "read "+key, err)
	return b, out
}

// putObject stores body under key with aws-sdk-go-v2 and returns its ETag.
func (e *env) putObject(t testing.TB, bucket, key string, body []byte) string {
	t.Helper()
	out, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
	must(t, "PutObject "+key, err)
	return aws.ToString(out.ETag)
}

// TestObjectCRUD puts, gets, heads, overwrites and deletes objects with
// both clients, including the empty object and missing keys.
func TestObjectCRUD(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		sizes := []int{0, 1, 1000, 128 << 10, 1<<20 + 7}
		for _, size := range sizes {
			body := data(uint64(size), size)
			key := "obj-" + strconv.Itoa(size)
			t.Run("aws/"+strconv.Itoa(size), func(t *testing.T) {
				etag := e.putObject(t, bucket, key+"-aws", body)
				if want := quoted(md5Hex(body)); etag != want {
					t.Errorf("PutObject ETag: got %s, want %s", etag, want)
				}
				got, out := e.getObject(t, bucket, key+"-aws")
				if !bytes.Equal(got, body) {
					t.Errorf("GetObject: got %d bytes, want %d (content differs)", len(got), len(body))
				}
				if aws.ToInt64(out.ContentLength) != int64(size) || aws.ToString(out.ETag) != etag {
					t.Errorf("GetObject: got length %d etag %s, want %d %s", aws.ToInt64(out.ContentLength), aws.ToString(out.ETag), size, etag)
				}
				if lm := aws.ToTime(out.LastModified); time.Since(lm) > time.Minute || time.Until(lm) > time.Minute {
					t.Errorf("GetObject: got Last-Modified %v, want about now", lm)
				}
				head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String(key + "-aws")})
				must(t, "HeadObject", err)
				if aws.ToInt64(head.ContentLength) != int64(size) || aws.ToString(head.ETag) != etag {
					t.Errorf("HeadObject: got length %d etag %s, want %d %s", aws.ToInt64(head.ContentLength), aws.ToString(head.ETag), size, etag)
				}
			})
			t.Run("minio/"+strconv.Itoa(size), func(t *testing.T) {
				info, err := e.mc.PutObject(ctx(t), bucket, key+"-mc", bytes.NewReader(body), int64(size), minio.PutObjectOptions{})
				must(t, "minio PutObject", err)
				if info.ETag != md5Hex(body) {
					t.Errorf("minio PutObject ETag: got %s, want %s", info.ETag, md5Hex(body))
				}
				obj, err := e.mc.GetObject(ctx(t), bucket, key+"-mc", minio.GetObjectOptions{})
				must(t, "minio GetObject", err)
				got, err := io.ReadAll(obj)
				obj.Close()
				must(t, "minio read", err)
				if !bytes.Equal(got, body) {
					t.Errorf("minio GetObject: got %d bytes, want %d (content differs)", len(got), len(body))
				}
				st, err := e.mc.StatObject(ctx(t), bucket, key+"-mc", minio.StatObjectOptions{})
				must(t, "minio StatObject", err)
				if st.Size != int64(size) || st.ETag != md5Hex(body) {
					t.Errorf("minio StatObject: got size %d etag %s, want %d %s", st.Size, st.ETag, size, md5Hex(body))
				}
			})
		}
		t.Run("overwrite", func(t *testing.T) {
			e.putObject(t, bucket, "over", []byte("first version"))
			e.putObject(t, bucket, "over", []byte("second"))
			if got, _ := e.getObject(t, bucket, "over"); string(got) != "second" {
				t.Errorf("GetObject after overwrite: got %q, want %q", got, "second")
			}
		})
		t.Run("delete", func(t *testing.T) {
			e.putObject(t, bucket, "gone", []byte("x"))
			_, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("gone")})
			must(t, "DeleteObject", err)
			_, err = e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("gone")})
			wantAWSError(t, "GetObject deleted", err, "NoSuchKey", http.StatusNotFound)
			_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("gone")})
			wantAWSError(t, "HeadObject deleted", err, "NotFound", http.StatusNotFound)
			// Deleting a missing key succeeds with 204, as in S3.
			resp, body := e.do(t, http.MethodDelete, bucket, "gone", nil, nil, nil)
			wantStatus(t, "DELETE missing key", resp, body, http.StatusNoContent)
			e.putObject(t, bucket, "gone-mc", []byte("x"))
			must(t, "minio RemoveObject", e.mc.RemoveObject(ctx(t), bucket, "gone-mc", minio.RemoveObjectOptions{}))
			_, err = e.mc.StatObject(ctx(t), bucket, "gone-mc", minio.StatObjectOptions{})
			wantMinioError(t, "minio StatObject deleted", err, "NoSuchKey", http.StatusNotFound)
		})
		t.Run("no-such-key", func(t *testing.T) {
			resp, body := e.do(t, http.MethodGet, bucket, "never/written", nil, nil, nil)
			wantError(t, "GET missing", resp, body, http.StatusNotFound, "NoSuchKey")
			obj, err := e.mc.GetObject(ctx(t), bucket, "never/written", minio.GetObjectOptions{})
			must(t, "minio GetObject", err)
			_, err = io.ReadAll(obj)
			obj.Close()
			wantMinioError(t, "minio read missing", err, "NoSuchKey", http.StatusNotFound)
		})
	})
}

// TestObjectMetadata checks that user metadata and the standard headers
// are stored and returned by GET and HEAD, with both clients.
func TestObjectMetadata(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		meta := map[string]string{"color": "blue", "multi-word": "Hello World", "empty-ish": "-"}
		expires, _ := time.Parse(http.TimeFormat, standardHeaders["Expires"])
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{
			Bucket: &bucket, Key: aws.String("aws"), Body: strings.NewReader("payload"),
			ContentType:        aws.String(standardHeaders["Content-Type"]),
			CacheControl:       aws.String(standardHeaders["Cache-Control"]),
			ContentDisposition: aws.String(standardHeaders["Content-Disposition"]),
			ContentEncoding:    aws.String(standardHeaders["Content-Encoding"]),
			ContentLanguage:    aws.String(standardHeaders["Content-Language"]),
			Expires:            &expires,
			Metadata:           meta,
		})
		must(t, "PutObject", err)
		_, err = e.mc.PutObject(ctx(t), bucket, "minio", strings.NewReader("payload"), 7, minio.PutObjectOptions{
			ContentType:        standardHeaders["Content-Type"],
			CacheControl:       standardHeaders["Cache-Control"],
			ContentDisposition: standardHeaders["Content-Disposition"],
			ContentEncoding:    standardHeaders["Content-Encoding"],
			ContentLanguage:    standardHeaders["Content-Language"],
			Expires:            expires,
			UserMetadata:       meta,
		})
		must(t, "minio PutObject", err)

		for _, key := range []string{"aws", "minio"} {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				t.Run(key+"/"+method, func(t *testing.T) {
					resp, body := e.do(t, method, bucket, key, nil, nil, nil)
					wantStatus(t, method, resp, body, http.StatusOK)
					for name, want := range standardHeaders {
						if got := resp.Header.Get(name); got != want {
							t.Errorf("%s: got %q, want %q", name, got, want)
						}
					}
					for name, want := range meta {
						if got := resp.Header.Get("X-Amz-Meta-" + name); got != want {
							t.Errorf("x-amz-meta-%s: got %q, want %q", name, got, want)
						}
					}
					if method == http.MethodGet && string(body) != "payload" {
						t.Errorf("body: got %q, want %q", body, "payload")
					}
				})
			}
		}
		t.Run("sdk-view", func(t *testing.T) {
			out, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("minio")})
			must(t, "HeadObject", err)
			for k, v := range meta {
				if out.Metadata[k] != v {
					t.Errorf("HeadObject Metadata[%s]: got %q, want %q", k, out.Metadata[k], v)
				}
			}
			if aws.ToString(out.ContentType) != standardHeaders["Content-Type"] {
				t.Errorf("HeadObject ContentType: got %q, want %q", aws.ToString(out.ContentType), standardHeaders["Content-Type"])
			}
			st, err := e.mc.StatObject(ctx(t), bucket, "aws", minio.StatObjectOptions{})
			must(t, "minio StatObject", err)
			for k, v := range meta {
				if got := st.UserMetadata[http.CanonicalHeaderKey(k)]; got != v {
					t.Errorf("minio UserMetadata[%s]: got %q, want %q (all %v)", k, got, v, st.UserMetadata)
				}
			}
		})
		t.Run("default-content-type", func(t *testing.T) {
			resp, body := e.do(t, http.MethodPut, bucket, "untyped", nil, nil, []byte("x"))
			wantStatus(t, "PUT", resp, body, http.StatusOK)
			resp, _ = e.do(t, http.MethodHead, bucket, "untyped", nil, nil, nil)
			if got := resp.Header.Get("Content-Type"); got != "binary/octet-stream" && got != "application/octet-stream" {
				t.Errorf("Content-Type of an untyped PUT: got %q, want binary/octet-stream", got)
			}
		})
	})
}

// TestObjectResponseOverrides checks the response-* query parameters of
// GET, through the SDK, minio-go and a raw request.
func TestObjectResponseOverrides(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "doc", []byte("override me"))
		want := map[string]string{
			"Content-Type":        "application/x-override",
			"Content-Language":    "fr",
			"Expires":             "Thu, 01 Jan 2037 00:00:00 GMT",
			"Cache-Control":       "no-store",
			"Content-Disposition": `inline; filename="x.txt"`,
			"Content-Encoding":    "identity",
		}
		q := url.Values{}
		for h, v := range want {
			q.Set("response-"+strings.ToLower(h), v)
		}
		resp, body := e.do(t, http.MethodGet, bucket, "doc", q, nil, nil)
		wantStatus(t, "GET with overrides", resp, body, http.StatusOK)
		for h, v := range want {
			if got := resp.Header.Get(h); got != v {
				t.Errorf("raw %s: got %q, want %q", h, got, v)
			}
		}
		out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{
			Bucket: &bucket, Key: aws.String("doc"),
			ResponseContentType:        aws.String(want["Content-Type"]),
			ResponseContentDisposition: aws.String(want["Content-Disposition"]),
			ResponseCacheControl:       aws.String(want["Cache-Control"]),
		})
		must(t, "GetObject with overrides", err)
		out.Body.Close()
		if aws.ToString(out.ContentType) != want["Content-Type"] || aws.ToString(out.ContentDisposition) != want["Content-Disposition"] || aws.ToString(out.CacheControl) != want["Cache-Control"] {
			t.Errorf("GetObject overrides: got %q %q %q, want %q %q %q",
				aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition), aws.ToString(out.CacheControl),
				want["Content-Type"], want["Content-Disposition"], want["Cache-Control"])
		}
		opts := minio.GetObjectOptions{}
		opts.SetReqParam("response-content-type", "text/minio")
		rc, info, _, err := e.core.GetObject(ctx(t), bucket, "doc", opts)
		must(t, "minio GetObject with override", err)
		rc.Close()
		if info.ContentType != "text/minio" {
			t.Errorf("minio override: got Content-Type %q, want text/minio", info.ContentType)
		}
	})
}

// TestObjectContentMD5 checks Content-MD5: a correct one is accepted, a
// wrong one is BadDigest and stores nothing, a malformed one InvalidDigest.
func TestObjectContentMD5(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := []byte("content md5 body")
		tests := []struct {
			name, md5, code string
			status          int
		}{
			{"correct", md5B64(body), "", http.StatusOK},
			{"wrong", md5B64([]byte("something else")), "BadDigest", http.StatusBadRequest},
			{"malformed", "not-base64!", "InvalidDigest", http.StatusBadRequest},
			{"short", "AAAA", "InvalidDigest", http.StatusBadRequest},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				key := "md5-" + tt.name
				_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body), ContentMD5: aws.String(tt.md5)})
				if tt.code == "" {
					must(t, "PutObject", err)
					return
				}
				wantAWSError(t, "PutObject", err, tt.code, tt.status)
				_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
				wantAWSError(t, "HeadObject after rejected PUT", err, "NotFound", http.StatusNotFound)
			})
		}
		t.Run("minio-send-md5", func(t *testing.T) {
			_, err := e.mc.PutObject(ctx(t), bucket, "md5-minio", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{SendContentMd5: true})
			must(t, "minio PutObject with Content-MD5", err)
		})
	})
}
