package integration

import (
	"encoding/base64"
	"mime"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// b64Word is the RFC 2047 encoded word S3 answers for a non-ASCII value.
func b64Word(v string) string {
	return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(v)) + "?="
}

// TestUserMetadataNonASCII: user metadata beyond US-ASCII, as AWS
// documents it: values arrive raw (aws-sdk-go-v2 sends UTF-8 bytes) or as
// RFC 2047 encoded words (what botocore users send), are stored decoded,
// and come back on GET, HEAD and copies as one encoded word
// "=?UTF-8?B?...?="; ASCII values come back as they are; the 2 KB limit
// counts the decoded UTF-8.
func TestUserMetadataNonASCII(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		meta := map[string]string{
			"greeting": "Grüße, 中文 ö",
			"plain":    "ascii only",
			"q-word":   "=?UTF-8?Q?caf=C3=A9?=",
			"b-word":   b64Word("naïve"),
		}
		want := map[string]string{
			"greeting": b64Word("Grüße, 中文 ö"),
			"plain":    "ascii only",
			"q-word":   b64Word("café"),
			"b-word":   b64Word("naïve"),
		}
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("k"), Body: strings.NewReader("x"), Metadata: meta})
		must(t, "PutObject with non-ASCII metadata", err)
		check := func(what string, got map[string]string) {
			t.Helper()
			for k, w := range want {
				if got[k] != w {
					t.Errorf("%s: metadata %s: got %q, want %q", what, k, got[k], w)
				}
			}
		}
		head, err := e.s3b.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("k")})
		must(t, "HeadObject", err)
		check("HeadObject", head.Metadata)
		var dec mime.WordDecoder
		if got, err := dec.DecodeHeader(head.Metadata["greeting"]); err != nil || got != meta["greeting"] {
			t.Errorf("decoding the answer: got %q, %v; want %q", got, err, meta["greeting"])
		}
		resp, body := e.do(t, http.MethodGet, bucket, "k", nil, nil, nil)
		wantStatus(t, "GET", resp, body, http.StatusOK)
		check("GET raw headers", map[string]string{
			"greeting": resp.Header.Get("x-amz-meta-greeting"), "plain": resp.Header.Get("x-amz-meta-plain"),
			"q-word": resp.Header.Get("x-amz-meta-q-word"), "b-word": resp.Header.Get("x-amz-meta-b-word"),
		})

		_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy"), CopySource: aws.String(bucket + "/k")})
		must(t, "CopyObject", err)
		got, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("copy")})
		must(t, "HeadObject of the copy", err)
		check("HeadObject of the copy", got.Metadata)

		up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("mp"), Metadata: meta})
		must(t, "CreateMultipartUpload", err)
		etag := e.uploadPart(t, bucket, "mp", aws.ToString(up.UploadId), 1, []byte("part"))
		_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("mp"), UploadId: up.UploadId,
			MultipartUpload: completed([]int32{1}, []string{etag})})
		must(t, "CompleteMultipartUpload", err)
		got, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("mp")})
		must(t, "HeadObject of the multipart object", err)
		check("HeadObject of the multipart object", got.Metadata)

		// 1,100 "ü" are 2,200 bytes of UTF-8: over the 2 KB limit.
		_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("big"), Body: strings.NewReader("x"),
			Metadata: map[string]string{"m": strings.Repeat("ü", 1100)}})
		wantAWSError(t, "PutObject with 2,200 bytes of metadata", err, "MetadataTooLarge", http.StatusBadRequest)
	})
}
