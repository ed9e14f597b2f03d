package integration

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

var allAttributes = []types.ObjectAttributes{
	types.ObjectAttributesEtag, types.ObjectAttributesChecksum, types.ObjectAttributesObjectParts,
	types.ObjectAttributesStorageClass, types.ObjectAttributesObjectSize,
}

// TestGetObjectAttributes checks GetObjectAttributes for a single-part
// object and a multipart object uploaded with SHA256 checksums (ETag, size,
// storage class, checksum, parts with paging), with both clients.
func TestGetObjectAttributes(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := data(61, 4096)
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("single"), Body: bytes.NewReader(body), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		must(t, "PutObject", err)
		t.Run("single", func(t *testing.T) {
			out, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("single"), ObjectAttributes: allAttributes})
			must(t, "GetObjectAttributes", err)
			if strings.Trim(aws.ToString(out.ETag), `"`) != md5Hex(body) || aws.ToInt64(out.ObjectSize) != int64(len(body)) || out.StorageClass != types.StorageClassStandard {
				t.Errorf("got ETag %s size %d class %q, want %s %d STANDARD", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize), out.StorageClass, md5Hex(body), len(body))
			}
			if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumSHA256) != checksum(types.ChecksumAlgorithmSha256, body) {
				t.Errorf("got Checksum %+v, want SHA256 %s", out.Checksum, checksum(types.ChecksumAlgorithmSha256, body))
			}
			if out.ObjectParts != nil && aws.ToInt32(out.ObjectParts.TotalPartsCount) > 1 {
				t.Errorf("single-part object: got %d parts", aws.ToInt32(out.ObjectParts.TotalPartsCount))
			}
			if time.Since(aws.ToTime(out.LastModified)) > time.Minute {
				t.Errorf("got LastModified %v, want about now", out.LastModified)
			}
			only, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("single"), ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
			must(t, "GetObjectAttributes ObjectSize only", err)
			if aws.ToInt64(only.ObjectSize) != int64(len(body)) || only.ETag != nil || only.Checksum != nil {
				t.Errorf("ObjectSize only: got size %d ETag %v Checksum %+v, want size and nothing else", aws.ToInt64(only.ObjectSize), only.ETag, only.Checksum)
			}
		})

		parts := [][]byte{data(62, 5<<20), data(63, 777)}
		cr, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("multi"), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
		must(t, "CreateMultipartUpload", err)
		var done []types.CompletedPart
		for i, p := range parts {
			n := int32(i + 1)
			up, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("multi"), UploadId: cr.UploadId, PartNumber: &n, Body: bytes.NewReader(p), ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
			must(t, "UploadPart", err)
			done = append(done, types.CompletedPart{PartNumber: &n, ETag: up.ETag, ChecksumSHA256: up.ChecksumSHA256})
		}
		_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("multi"), UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
		must(t, "CompleteMultipartUpload", err)
		t.Run("multipart", func(t *testing.T) {
			out, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("multi"), ObjectAttributes: allAttributes})
			must(t, "GetObjectAttributes", err)
			if strings.Trim(aws.ToString(out.ETag), `"`) != compositeETag(parts) || aws.ToInt64(out.ObjectSize) != int64(len(parts[0])+len(parts[1])) {
				t.Errorf("got ETag %s size %d, want %s %d", aws.ToString(out.ETag), aws.ToInt64(out.ObjectSize), compositeETag(parts), len(parts[0])+len(parts[1]))
			}
			if out.Checksum == nil || aws.ToString(out.Checksum.ChecksumSHA256) != compositeChecksum(types.ChecksumAlgorithmSha256, parts) || out.Checksum.ChecksumType != types.ChecksumTypeComposite {
				t.Errorf("got Checksum %+v, want SHA256 %s COMPOSITE", out.Checksum, compositeChecksum(types.ChecksumAlgorithmSha256, parts))
			}
			op := out.ObjectParts
			if op == nil || aws.ToInt32(op.TotalPartsCount) != 2 || len(op.Parts) != 2 {
				t.Fatalf("got ObjectParts %+v, want 2 parts listed", op)
			}
			for i, p := range op.Parts {
				if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(parts[i])) || aws.ToString(p.ChecksumSHA256) != checksum(types.ChecksumAlgorithmSha256, parts[i]) {
					t.Errorf("part %d: got number %d size %d sha256 %s", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ChecksumSHA256))
				}
			}
			page, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("multi"), ObjectAttributes: allAttributes, MaxParts: aws.Int32(1)})
			must(t, "GetObjectAttributes max-parts 1", err)
			if op := page.ObjectParts; op == nil || len(op.Parts) != 1 || !aws.ToBool(op.IsTruncated) || aws.ToString(op.NextPartNumberMarker) != "1" {
				t.Errorf("max-parts 1: got %+v, want one part, truncated, next marker 1", op)
			}
			page, err = e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("multi"), ObjectAttributes: allAttributes, PartNumberMarker: aws.String("1")})
			must(t, "GetObjectAttributes part-number-marker 1", err)
			if op := page.ObjectParts; op == nil || len(op.Parts) != 1 || aws.ToInt32(op.Parts[0].PartNumber) != 2 {
				t.Errorf("part-number-marker 1: got %+v, want part 2 only", op)
			}
		})
		t.Run("minio", func(t *testing.T) {
			a, err := e.mc.GetObjectAttributes(ctx(t), bucket, "multi", minio.ObjectAttributesOptions{})
			must(t, "minio GetObjectAttributes", err)
			if strings.Trim(a.ETag, `"`) != compositeETag(parts) || a.ObjectSize != len(parts[0])+len(parts[1]) || a.ObjectParts.PartsCount != 2 {
				t.Errorf("minio: got ETag %s size %d parts %d, want %s %d 2", a.ETag, a.ObjectSize, a.ObjectParts.PartsCount, compositeETag(parts), len(parts[0])+len(parts[1]))
			}
		})
		t.Run("missing", func(t *testing.T) {
			_, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: aws.String("missing"), ObjectAttributes: allAttributes})
			wantAWSError(t, "GetObjectAttributes", err, "NoSuchKey", http.StatusNotFound)
		})
	})
}
