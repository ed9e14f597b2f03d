package integration

import (
	"bytes"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestCompleteMultipartUploadRepeated: an SDK that lost the answer to
// CompleteMultipartUpload sends it again, in a cluster possibly to
// another node; as from S3 the repeat answers 200 with the first answer's
// ETag, Location, version ID, checksum, checksum type and expiration. A Complete of
// the finished upload with another part list, and every other call on
// it, answers NoSuchUpload (404).
func TestCompleteMultipartUploadRepeated(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		_, err := e.s3.PutBucketLifecycleConfiguration(ctx(t), &s3.PutBucketLifecycleConfigurationInput{Bucket: &bucket,
			LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
				ID: aws.String("expire"), Status: types.ExpirationStatusEnabled, Filter: &types.LifecycleRuleFilter{Prefix: aws.String("retried/")},
				Expiration: &types.LifecycleExpiration{Days: aws.Int32(30)},
			}}}})
		must(t, "PutBucketLifecycleConfiguration", err)
		key := "retried/object.bin"
		up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{
			Bucket: &bucket, Key: &key, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
		})
		must(t, "CreateMultipartUpload", err)
		bodies := [][]byte{data(1, 5<<20), data(2, 1000)}
		var parts []types.CompletedPart
		for i, b := range bodies {
			n := int32(i + 1)
			out, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{
				Bucket: &bucket, Key: &key, UploadId: up.UploadId, PartNumber: &n,
				Body: bytes.NewReader(b), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32c,
			})
			must(t, "UploadPart", err)
			parts = append(parts, types.CompletedPart{PartNumber: &n, ETag: out.ETag, ChecksumCRC32C: out.ChecksumCRC32C})
		}
		complete := func(c *s3.Client, parts []types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
			return c.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{
				Bucket: &bucket, Key: &key, UploadId: up.UploadId,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: parts},
			})
		}
		first, err := complete(e.s3, parts)
		must(t, "CompleteMultipartUpload", err)
		if aws.ToString(first.ETag) != quoted(compositeETag(bodies)) || aws.ToString(first.VersionId) == "" ||
			aws.ToString(first.ChecksumCRC32C) == "" || first.ChecksumType != types.ChecksumTypeComposite || aws.ToString(first.Expiration) == "" {
			t.Fatalf("first Complete: got ETag %s version %q CRC32C %q type %q", aws.ToString(first.ETag),
				aws.ToString(first.VersionId), aws.ToString(first.ChecksumCRC32C), first.ChecksumType)
		}
		for _, c := range []struct {
			name   string
			client *s3.Client
		}{{"same node", e.s3}, {"another node", e.s3b}} {
			again, err := complete(c.client, parts)
			must(t, "CompleteMultipartUpload repeated at "+c.name, err)
			got := []string{aws.ToString(again.ETag), aws.ToString(again.Location), aws.ToString(again.Bucket), aws.ToString(again.Key),
				aws.ToString(again.VersionId), aws.ToString(again.ChecksumCRC32C), string(again.ChecksumType), aws.ToString(again.Expiration)}
			want := []string{aws.ToString(first.ETag), "", bucket, key,
				aws.ToString(first.VersionId), aws.ToString(first.ChecksumCRC32C), string(first.ChecksumType), aws.ToString(first.Expiration)}
			got[1] = "" // Location names the node the request went to
			for i := range got {
				if got[i] != want[i] {
					t.Errorf("repeated at %s: got %q, want %q (ETag, -, Bucket, Key, VersionId, CRC32C, type, x-amz-expiration)", c.name, got, want)
					break
				}
			}
			if c.client == e.s3 && aws.ToString(again.Location) != aws.ToString(first.Location) {
				t.Errorf("repeated at %s: Location %q, want %q", c.name, aws.ToString(again.Location), aws.ToString(first.Location))
			}
		}
		_, err = complete(e.s3b, parts[:1])
		wantAWSError(t, "Complete of the finished upload with other parts", err, "NoSuchUpload", http.StatusNotFound)
		_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId})
		wantAWSError(t, "ListParts of the finished upload", err, "NoSuchUpload", http.StatusNotFound)
		_, err = e.s3.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId})
		wantAWSError(t, "AbortMultipartUpload of the finished upload", err, "NoSuchUpload", http.StatusNotFound)
		// One version: the repeats made none.
		vs, err := e.s3.ListObjectVersions(ctx(t), &s3.ListObjectVersionsInput{Bucket: &bucket})
		must(t, "ListObjectVersions", err)
		if len(vs.Versions) != 1 || aws.ToString(vs.Versions[0].VersionId) != aws.ToString(first.VersionId) {
			t.Errorf("versions after the repeats: got %d, want only %s", len(vs.Versions), aws.ToString(first.VersionId))
		}
	})
}
