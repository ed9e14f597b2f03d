package integration

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestS3Limits checks that S3's limits on keys (1,024 bytes), user
// metadata (2 KB) and tags hold on every operation that takes them, with
// S3's errors, and that a refused request changes nothing and does not
// echo what it was sent.
func TestS3Limits(t *testing.T) {
	t.Parallel()
	e := newEnv(t, modes[0], testserver.Start(t, testserver.Options{Drives: 1}))
	bucket := e.bucket(t)
	e.putObject(t, bucket, "kept", []byte("kept"))
	long := strings.Repeat("k", 1025)
	huge := strings.Repeat("x", 3000)
	str := aws.String

	t.Run("DeleteObjects with a 3 KB key", func(t *testing.T) {
		doc := `<Delete><Object><Key>kept</Key></Object><Object><Key>` + huge + `</Key></Object></Delete>`
		resp, body := e.do(t, http.MethodPost, bucket, "", url.Values{"delete": {""}},
			hdr("Content-MD5", md5B64([]byte(doc))), []byte(doc))
		wantError(t, "DeleteObjects", resp, body, http.StatusBadRequest, "KeyTooLongError")
		if bytes.Contains(body, []byte(huge[:1100])) {
			t.Errorf("DeleteObjects error echoes the key (%d bytes of answer)", len(body))
		}
		_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("kept")})
		must(t, "HeadObject kept after the refused batch", err)
	})

	// Every object operation refuses a key S3 could never hold.
	keyOps := []struct {
		name string
		send func() error
	}{
		{"PutObject", func() error {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &long, Body: strings.NewReader("x")})
			return err
		}},
		{"GetObjectTagging", func() error {
			_, err := e.s3.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: &bucket, Key: &long})
			return err
		}},
		{"PutObjectTagging", func() error {
			_, err := e.s3.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: &bucket, Key: &long,
				Tagging: &types.Tagging{TagSet: []types.Tag{{Key: str("a"), Value: str("b")}}}})
			return err
		}},
		{"GetObjectAcl", func() error {
			_, err := e.s3.GetObjectAcl(ctx(t), &s3.GetObjectAclInput{Bucket: &bucket, Key: &long})
			return err
		}},
		{"ListParts", func() error {
			_, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: &long, UploadId: str("x")})
			return err
		}},
		{"AbortMultipartUpload", func() error {
			_, err := e.s3.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &long, UploadId: str("x")})
			return err
		}},
		{"CopyObject source", func() error {
			_, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: str("dst"), CopySource: str(bucket + "/" + long)})
			return err
		}},
	}
	for _, op := range keyOps {
		t.Run("1025-byte key "+op.name, func(t *testing.T) {
			wantAWSError(t, op.name, op.send(), "KeyTooLongError", 400)
		})
	}

	bigMeta := map[string]string{"a": strings.Repeat("m", 2048)}
	metaOps := []struct {
		name string
		send func() error
	}{
		{"PutObject", func() error {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: str("meta"), Body: strings.NewReader("x"), Metadata: bigMeta})
			return err
		}},
		{"CopyObject REPLACE", func() error {
			_, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: str("meta"), CopySource: str(bucket + "/kept"),
				MetadataDirective: types.MetadataDirectiveReplace, Metadata: bigMeta})
			return err
		}},
		{"CreateMultipartUpload", func() error {
			_, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: str("meta"), Metadata: bigMeta})
			return err
		}},
	}
	for _, op := range metaOps {
		t.Run("2 KB metadata "+op.name, func(t *testing.T) {
			wantAWSError(t, op.name, op.send(), "MetadataTooLarge", 400)
			_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("meta")})
			wantAWSError(t, "HeadObject meta", err, "NotFound", 404)
		})
	}

	t.Run("PUT headers over 8 KB", func(t *testing.T) {
		h := hdr("X-Amz-Meta-A", "small")
		for i := range 9 {
			h.Set("X-Custom-"+string(rune('a'+i)), strings.Repeat("h", 1000))
		}
		resp, body := e.do(t, http.MethodPut, bucket, "big-headers", nil, h, []byte("x"))
		wantError(t, "PUT with 9 KB of headers", resp, body, http.StatusBadRequest, "RequestHeaderSectionTooLarge")
		_, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: str("big-headers")})
		wantAWSError(t, "HeadObject big-headers", err, "NotFound", 404)
	})

	t.Run("eleven tags", func(t *testing.T) {
		var q url.Values = url.Values{}
		for i := range 11 {
			q.Set("k"+string(rune('a'+i)), "v")
		}
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: str("tags"), Body: strings.NewReader("x"), Tagging: str(q.Encode())})
		wantAWSError(t, "PutObject with 11 tags", err, "BadRequest", 400)
	})
}
