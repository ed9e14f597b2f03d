package integration

import (
	"bytes"
	"maps"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// copySource returns the x-amz-copy-source value for bucket/key.
func copySource(bucket, key string) *string { return aws.String(bucket + "/" + escapeKey(key)) }

// tagsOf returns an object's tags as a map.
func (e *env) tagsOf(t testing.TB, bucket, key string) map[string]string {
	t.Helper()
	out, err := e.s3.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: &bucket, Key: &key})
	must(t, "GetObjectTagging "+key, err)
	m := map[string]string{}
	for _, tag := range out.TagSet {
		m[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	return m
}

// TestCopyObject checks CopyObject's metadata and tagging directives, copy
// onto itself, odd source keys and missing sources, with both clients.
func TestCopyObject(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket, other := e.bucket(t), e.bucket(t)
		src := "dir/sóurce +%.txt"
		body := data(7, 200<<10)
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{
			Bucket: &bucket, Key: &src, Body: bytes.NewReader(body),
			ContentType: aws.String("text/plain"), Metadata: map[string]string{"a": "1"}, Tagging: aws.String("t=1"),
		})
		must(t, "PutObject source", err)
		check := func(t *testing.T, b, key, ctype string, meta, tags map[string]string) {
			t.Helper()
			got, out := e.getObject(t, b, key)
			if !bytes.Equal(got, body) {
				t.Errorf("%s: content differs from the source", key)
			}
			if aws.ToString(out.ETag) != quoted(md5Hex(body)) || aws.ToString(out.ContentType) != ctype || !maps.Equal(out.Metadata, meta) {
				t.Errorf("%s: got ETag %s type %q meta %v, want %s %q %v", key, aws.ToString(out.ETag), aws.ToString(out.ContentType), out.Metadata, quoted(md5Hex(body)), ctype, meta)
			}
			if got := e.tagsOf(t, b, key); !maps.Equal(got, tags) {
				t.Errorf("%s: got tags %v, want %v", key, got, tags)
			}
		}
		t.Run("copy-directive", func(t *testing.T) {
			out, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &other, Key: aws.String("copy"), CopySource: copySource(bucket, src),
				Metadata: map[string]string{"ignored": "yes"}})
			must(t, "CopyObject", err)
			if r := out.CopyObjectResult; r == nil || aws.ToString(r.ETag) != quoted(md5Hex(body)) || time.Since(aws.ToTime(r.LastModified)) > time.Minute {
				t.Errorf("CopyObjectResult: got %+v, want ETag %s and a recent LastModified", r, quoted(md5Hex(body)))
			}
			check(t, other, "copy", "text/plain", map[string]string{"a": "1"}, map[string]string{"t": "1"})
		})
		t.Run("replace-directive", func(t *testing.T) {
			_, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("replaced"), CopySource: copySource(bucket, src),
				MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("application/new"), Metadata: map[string]string{"b": "2"},
				TaggingDirective: types.TaggingDirectiveReplace, Tagging: aws.String("n=2&m=3")})
			must(t, "CopyObject REPLACE", err)
			check(t, bucket, "replaced", "application/new", map[string]string{"b": "2"}, map[string]string{"n": "2", "m": "3"})
		})
		t.Run("onto-itself", func(t *testing.T) {
			e.putObject(t, bucket, "self", body)
			_, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("self"), CopySource: copySource(bucket, "self")})
			wantAWSError(t, "CopyObject onto itself without REPLACE", err, "InvalidRequest", http.StatusBadRequest)
			_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("self"), CopySource: copySource(bucket, "self"),
				MetadataDirective: types.MetadataDirectiveReplace, ContentType: aws.String("text/self"), Metadata: map[string]string{"s": "1"}})
			must(t, "CopyObject onto itself with REPLACE", err)
			check(t, bucket, "self", "text/self", map[string]string{"s": "1"}, map[string]string{})
		})
		t.Run("missing-source", func(t *testing.T) {
			_, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("x"), CopySource: copySource(bucket, "nope")})
			wantAWSError(t, "CopyObject missing key", err, "NoSuchKey", http.StatusNotFound)
			_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("x"), CopySource: copySource(e.bucketName(t), "nope")})
			wantAWSError(t, "CopyObject missing bucket", err, "NoSuchBucket", http.StatusNotFound)
		})
		t.Run("bad-arguments", func(t *testing.T) {
			resp, rb := e.do(t, http.MethodPut, bucket, "x", nil, hdr("X-Amz-Copy-Source", *copySource(bucket, src), "X-Amz-Metadata-Directive", "BOGUS"), nil)
			wantError(t, "unknown metadata directive", resp, rb, http.StatusBadRequest, "InvalidArgument")
			resp, rb = e.do(t, http.MethodPut, bucket, "x", nil, hdr("X-Amz-Copy-Source", bucket), nil)
			wantError(t, "copy source without key", resp, rb, http.StatusBadRequest, "InvalidArgument")
		})
		t.Run("minio", func(t *testing.T) {
			_, err := e.mc.CopyObject(ctx(t), minio.CopyDestOptions{Bucket: other, Object: "mc-copy"}, minio.CopySrcOptions{Bucket: bucket, Object: src})
			must(t, "minio CopyObject", err)
			check(t, other, "mc-copy", "text/plain", map[string]string{"a": "1"}, map[string]string{"t": "1"})
			_, err = e.mc.CopyObject(ctx(t),
				minio.CopyDestOptions{Bucket: other, Object: "mc-replace", ReplaceMetadata: true, UserMetadata: map[string]string{"c": "3"}},
				minio.CopySrcOptions{Bucket: bucket, Object: src, MatchETag: md5Hex(body)})
			must(t, "minio CopyObject REPLACE", err)
			st, err := e.mc.StatObject(ctx(t), other, "mc-replace", minio.StatObjectOptions{})
			must(t, "minio StatObject", err)
			if st.UserMetadata["C"] != "3" || st.UserMetadata["A"] != "" {
				t.Errorf("minio copy with REPLACE: got metadata %v, want only C=3", st.UserMetadata)
			}
			_, err = e.mc.CopyObject(ctx(t), minio.CopyDestOptions{Bucket: other, Object: "mc-cond"},
				minio.CopySrcOptions{Bucket: bucket, Object: src, MatchETag: "0123456789abcdef0123456789abcdef"})
			wantMinioError(t, "minio CopyObject If-Match mismatch", err, "PreconditionFailed", http.StatusPreconditionFailed)
		})
	})
}

// TestCopyObjectConditions checks x-amz-copy-source-if-* with S3's
// precedence rules: if-match true beats if-unmodified-since false, and
// if-none-match false beats if-modified-since true.
func TestCopyObjectConditions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		etag := e.putObject(t, bucket, "src", []byte("conditional copy"))
		head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("src")})
		must(t, "HeadObject", err)
		lm := aws.ToTime(head.LastModified)
		before := lm.Add(-time.Hour)
		tests := []struct {
			name string
			in   s3.CopyObjectInput
			ok   bool
		}{
			{"if-match", s3.CopyObjectInput{CopySourceIfMatch: aws.String(etag)}, true},
			{"if-match-unquoted", s3.CopyObjectInput{CopySourceIfMatch: aws.String(etag[1 : len(etag)-1])}, true},
			{"if-match-fails", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)}, false},
			{"if-none-match", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"0123456789abcdef0123456789abcdef"`)}, true},
			{"if-none-match-fails", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(etag)}, false},
			{"if-modified-since", s3.CopyObjectInput{CopySourceIfModifiedSince: &before}, true},
			{"if-modified-since-fails", s3.CopyObjectInput{CopySourceIfModifiedSince: &lm}, false},
			{"if-unmodified-since", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &lm}, true},
			{"if-unmodified-since-fails", s3.CopyObjectInput{CopySourceIfUnmodifiedSince: &before}, false},
			{"match-true-beats-unmodified-false", s3.CopyObjectInput{CopySourceIfMatch: aws.String(etag), CopySourceIfUnmodifiedSince: &before}, true},
			{"none-match-false-beats-modified-true", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(etag), CopySourceIfModifiedSince: &before}, false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := tt.in
				in.Bucket, in.Key, in.CopySource = &bucket, aws.String("dst-"+tt.name), copySource(bucket, "src")
				_, err := e.s3.CopyObject(ctx(t), &in)
				if tt.ok {
					must(t, "CopyObject", err)
					return
				}
				wantAWSError(t, "CopyObject", err, "PreconditionFailed", http.StatusPreconditionFailed)
				_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: in.Key})
				wantAWSError(t, "HeadObject of a refused copy", err, "NotFound", http.StatusNotFound)
			})
		}
	})
}
