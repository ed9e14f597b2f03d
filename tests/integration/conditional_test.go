package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// TestConditionalGet checks If-Match, If-None-Match, If-Modified-Since and
// If-Unmodified-Since on GET and HEAD with S3's precedence rules: 304 for
// not-modified (with the ETag), 412 for failed preconditions, HEAD without
// a body.
func TestConditionalGet(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		etag := e.putObject(t, bucket, "c", []byte("conditional"))
		head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("c")})
		must(t, "HeadObject", err)
		lm := aws.ToTime(head.LastModified).UTC()
		at := lm.Format(http.TimeFormat)
		before := lm.Add(-time.Hour).Format(http.TimeFormat)
		other := `"0123456789abcdef0123456789abcdef"`
		tests := []struct {
			name   string
			header http.Header
			status int
		}{
			{"if-match", hdr("If-Match", etag), 200},
			{"if-match-star", hdr("If-Match", "*"), 200},
			{"if-match-list", hdr("If-Match", other+", "+etag), 200},
			{"if-match-fails", hdr("If-Match", other), 412},
			{"if-none-match", hdr("If-None-Match", other), 200},
			{"if-none-match-fails", hdr("If-None-Match", etag), 304},
			{"if-none-match-star", hdr("If-None-Match", "*"), 304},
			{"if-modified-since", hdr("If-Modified-Since", before), 200},
			{"if-modified-since-fails", hdr("If-Modified-Since", at), 304},
			{"if-unmodified-since", hdr("If-Unmodified-Since", at), 200},
			{"if-unmodified-since-fails", hdr("If-Unmodified-Since", before), 412},
			// S3: If-Match true and If-Unmodified-Since false gives 200.
			{"match-beats-unmodified", hdr("If-Match", etag, "If-Unmodified-Since", before), 200},
			// If-Match false fails whatever the dates say.
			{"match-fails-with-unmodified-true", hdr("If-Match", other, "If-Unmodified-Since", at), 412},
			// S3: If-None-Match false and If-Modified-Since true gives 304.
			{"none-match-beats-modified", hdr("If-None-Match", etag, "If-Modified-Since", before), 304},
			// If-None-Match true: If-Modified-Since is ignored.
			{"none-match-true-ignores-modified", hdr("If-None-Match", other, "If-Modified-Since", at), 200},
			// A failed If-Match wins over If-None-Match.
			{"match-fails-before-none-match", hdr("If-Match", other, "If-None-Match", etag), 412},
			{"unmodified-fails-before-modified", hdr("If-Unmodified-Since", before, "If-Modified-Since", at), 412},
		}
		for _, tt := range tests {
			for _, method := range []string{http.MethodGet, http.MethodHead} {
				t.Run(tt.name+"/"+method, func(t *testing.T) {
					resp, body := e.do(t, method, bucket, "c", nil, tt.header, nil)
					switch {
					case tt.status == 412 && method == http.MethodGet:
						wantError(t, method, resp, body, http.StatusPreconditionFailed, "PreconditionFailed")
					default:
						wantStatus(t, method, resp, body, tt.status)
					}
					if tt.status == 304 {
						if resp.Header.Get("ETag") != etag || len(body) != 0 {
							t.Errorf("304: got ETag %q and %d body bytes, want %s and none", resp.Header.Get("ETag"), len(body), etag)
						}
					}
					if tt.status == 200 && method == http.MethodGet && string(body) != "conditional" {
						t.Errorf("200: got body %q", body)
					}
				})
			}
		}
		t.Run("aws", func(t *testing.T) {
			_, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("c"), IfMatch: aws.String(other)})
			wantAWSError(t, "GetObject If-Match", err, "PreconditionFailed", http.StatusPreconditionFailed)
			_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("c"), IfNoneMatch: aws.String(etag)})
			wantAWSError(t, "HeadObject If-None-Match", err, "NotModified", http.StatusNotModified)
		})
		t.Run("minio", func(t *testing.T) {
			opts := minio.GetObjectOptions{}
			must(t, "SetMatchETag", opts.SetMatchETag(strings.Trim(other, `"`)))
			_, _, _, err := e.core.GetObject(ctx(t), bucket, "c", opts)
			wantMinioError(t, "minio GetObject If-Match", err, "PreconditionFailed", http.StatusPreconditionFailed)
			opts = minio.GetObjectOptions{}
			must(t, "SetMatchETag", opts.SetMatchETag(strings.Trim(etag, `"`)))
			rc, _, _, err := e.core.GetObject(ctx(t), bucket, "c", opts)
			must(t, "minio GetObject matching If-Match", err)
			got, _ := io.ReadAll(rc)
			rc.Close()
			if string(got) != "conditional" {
				t.Errorf("minio GetObject: got %q", got)
			}
		})
	})
}

// TestConditionalPut checks conditional writes: If-None-Match: * creates
// only new keys, If-Match overwrites only the expected version; failures are
// 412 PreconditionFailed and leave the object unchanged, and If-Match on a
// missing key is 404 NoSuchKey.
func TestConditionalPut(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		put := func(key, body string, in s3.PutObjectInput) (string, error) {
			in.Bucket, in.Key, in.Body = &bucket, &key, strings.NewReader(body)
			out, err := e.s3.PutObject(ctx(t), &in)
			if err != nil {
				return "", err
			}
			return aws.ToString(out.ETag), nil
		}
		etag1, err := put("k", "v1", s3.PutObjectInput{IfNoneMatch: aws.String("*")})
		must(t, "PutObject If-None-Match * on a new key", err)
		_, err = put("k", "v2", s3.PutObjectInput{IfNoneMatch: aws.String("*")})
		wantAWSError(t, "PutObject If-None-Match * on an existing key", err, "PreconditionFailed", http.StatusPreconditionFailed)
		_, err = put("k", "v2", s3.PutObjectInput{IfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)})
		wantAWSError(t, "PutObject If-Match with a stale ETag", err, "PreconditionFailed", http.StatusPreconditionFailed)
		if got, _ := e.getObject(t, bucket, "k"); string(got) != "v1" {
			t.Errorf("after refused writes: got %q, want v1", got)
		}
		etag2, err := put("k", "v2", s3.PutObjectInput{IfMatch: aws.String(etag1)})
		must(t, "PutObject If-Match with the current ETag", err)
		if got, _ := e.getObject(t, bucket, "k"); string(got) != "v2" || etag2 != quoted(md5Hex([]byte("v2"))) {
			t.Errorf("after If-Match write: got %q etag %s, want v2 %s", got, etag2, quoted(md5Hex([]byte("v2"))))
		}
		_, err = put("missing", "x", s3.PutObjectInput{IfMatch: aws.String(etag1)})
		wantAWSError(t, "PutObject If-Match on a missing key", err, "NoSuchKey", http.StatusNotFound)

		// minio-go sets the same headers through PutObjectOptions.
		opts := minio.PutObjectOptions{}
		opts.SetMatchETagExcept("*")
		_, err = e.mc.PutObject(ctx(t), bucket, "k", strings.NewReader("v3"), 2, opts)
		wantMinioError(t, "minio PutObject If-None-Match *", err, "PreconditionFailed", http.StatusPreconditionFailed)
		opts = minio.PutObjectOptions{}
		opts.SetMatchETag(strings.Trim(etag2, `"`))
		_, err = e.mc.PutObject(ctx(t), bucket, "k", strings.NewReader("v3"), 2, opts)
		must(t, "minio PutObject If-Match", err)
		if got, _ := e.getObject(t, bucket, "k"); string(got) != "v3" {
			t.Errorf("after minio If-Match write: got %q, want v3", got)
		}
	})
}
