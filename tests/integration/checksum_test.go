package integration

import (
	"bytes"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/crc64nvme"
)

// algorithms are S3's additional checksum algorithms.
var algorithms = []types.ChecksumAlgorithm{
	types.ChecksumAlgorithmCrc32, types.ChecksumAlgorithmCrc32c, types.ChecksumAlgorithmCrc64nvme,
	types.ChecksumAlgorithmSha1, types.ChecksumAlgorithmSha256,
}

// newHash returns a hash for an S3 checksum algorithm.
func newHash(algo types.ChecksumAlgorithm) hash.Hash {
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		return crc32.NewIEEE()
	case types.ChecksumAlgorithmCrc32c:
		return crc32.New(crc32.MakeTable(crc32.Castagnoli))
	case types.ChecksumAlgorithmCrc64nvme:
		return crc64nvme.New()
	case types.ChecksumAlgorithmSha1:
		return sha1.New()
	default:
		return sha256.New()
	}
}

// rawChecksum returns the binary checksum of b.
func rawChecksum(algo types.ChecksumAlgorithm, b []byte) []byte {
	h := newHash(algo)
	h.Write(b)
	return h.Sum(nil)
}

// checksum returns the base64 checksum of b, as S3 headers carry it.
func checksum(algo types.ChecksumAlgorithm, b []byte) string {
	return base64.StdEncoding.EncodeToString(rawChecksum(algo, b))
}

// compositeChecksum returns the checksum of the parts' binary checksums
// with the "-N" suffix, S3's COMPOSITE multipart checksum.
func compositeChecksum(algo types.ChecksumAlgorithm, parts [][]byte) string {
	var all []byte
	for _, p := range parts {
		all = append(all, rawChecksum(algo, p)...)
	}
	return fmt.Sprintf("%s-%d", checksum(algo, all), len(parts))
}

// checksumHeader is the x-amz-checksum-* header of algo.
func checksumHeader(algo types.ChecksumAlgorithm) string {
	return "x-amz-checksum-" + strings.ToLower(string(algo))
}

// checksumField picks algo's value out of the SDK's per-algorithm fields.
func checksumField(algo types.ChecksumAlgorithm, crc32v, crc32c, crc64, sha1v, sha256v *string) string {
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		return aws.ToString(crc32v)
	case types.ChecksumAlgorithmCrc32c:
		return aws.ToString(crc32c)
	case types.ChecksumAlgorithmCrc64nvme:
		return aws.ToString(crc64)
	case types.ChecksumAlgorithmSha1:
		return aws.ToString(sha1v)
	default:
		return aws.ToString(sha256v)
	}
}

// TestChecksums puts an object with each additional checksum (computed and
// sent by aws-sdk-go-v2), reads it back with x-amz-checksum-mode ENABLED,
// and checks that wrong or malformed checksums are refused.
func TestChecksums(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := data(41, 300<<10+3)
		for _, algo := range algorithms {
			t.Run(string(algo), func(t *testing.T) {
				key := "sum-" + string(algo)
				want := checksum(algo, body)
				out, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body), ChecksumAlgorithm: algo})
				must(t, "PutObject", err)
				if got := checksumField(algo, out.ChecksumCRC32, out.ChecksumCRC32C, out.ChecksumCRC64NVME, out.ChecksumSHA1, out.ChecksumSHA256); got != want {
					t.Errorf("PutObject response checksum: got %q, want %q", got, want)
				}
				head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
				must(t, "HeadObject", err)
				if got := checksumField(algo, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != want || head.ChecksumType != types.ChecksumTypeFullObject {
					t.Errorf("HeadObject checksum: got %q type %q, want %q FULL_OBJECT", got, head.ChecksumType, want)
				}
				get, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
				must(t, "GetObject", err)
				got, err := io.ReadAll(get.Body) // the SDK verifies the body against the returned checksum
				get.Body.Close()
				must(t, "read with checksum validation", err)
				if !bytes.Equal(got, body) {
					t.Errorf("GetObject: content differs")
				}
				if sum := checksumField(algo, get.ChecksumCRC32, get.ChecksumCRC32C, get.ChecksumCRC64NVME, get.ChecksumSHA1, get.ChecksumSHA256); sum != want {
					t.Errorf("GetObject checksum: got %q, want %q", sum, want)
				}
				resp, _ := e.do(t, http.MethodHead, bucket, key, nil, nil, nil)
				if v := resp.Header.Get(checksumHeader(algo)); v != "" {
					t.Errorf("HEAD without checksum mode: got %s %q, want no checksum header", checksumHeader(algo), v)
				}

				wrong := checksum(algo, []byte("other content"))
				bad := key + "-wrong"
				resp, rb := e.do(t, http.MethodPut, bucket, bad, nil, hdr(checksumHeader(algo), wrong), body)
				wantError(t, "PUT with a wrong "+string(algo), resp, rb, http.StatusBadRequest, "BadDigest")
				_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &bad})
				wantAWSError(t, "HeadObject after a refused PUT", err, "NotFound", http.StatusNotFound)
				resp, rb = e.do(t, http.MethodPut, bucket, bad, nil, hdr(checksumHeader(algo), "not*base64"), body)
				wantError(t, "PUT with a malformed "+string(algo), resp, rb, http.StatusBadRequest, "InvalidRequest")
			})
		}
		t.Run("sdk-explicit-wrong-value", func(t *testing.T) {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("explicit"), Body: bytes.NewReader(body),
				ChecksumCRC32: aws.String(checksum(types.ChecksumAlgorithmCrc32, []byte("nope")))})
			wantAWSError(t, "PutObject with a wrong CRC32", err, "BadDigest", http.StatusBadRequest)
		})
	})
}

// TestChecksumsMultipart checks checksums of multipart uploads: COMPOSITE
// SHA256 and CRC32C (checksum of the parts' checksums, "-N"), FULL_OBJECT
// CRC64NVME and CRC32 (the whole object's CRC), per part and on the object.
func TestChecksumsMultipart(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		parts := [][]byte{data(51, 5<<20), data(52, 123)}
		whole := bytes.Join(parts, nil)
		tests := []struct {
			algo types.ChecksumAlgorithm
			typ  types.ChecksumType
		}{
			{types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite},
			{types.ChecksumAlgorithmCrc32c, types.ChecksumTypeComposite},
			{types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeFullObject},
			{types.ChecksumAlgorithmCrc32, types.ChecksumTypeFullObject},
		}
		for _, tt := range tests {
			t.Run(string(tt.algo)+"-"+string(tt.typ), func(t *testing.T) {
				key := "mp-" + string(tt.algo) + "-" + string(tt.typ)
				cr, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key, ChecksumAlgorithm: tt.algo, ChecksumType: tt.typ})
				must(t, "CreateMultipartUpload", err)
				if cr.ChecksumAlgorithm != tt.algo {
					t.Errorf("CreateMultipartUpload: got algorithm %q, want %q", cr.ChecksumAlgorithm, tt.algo)
				}
				var done []types.CompletedPart
				for i, p := range parts {
					n := int32(i + 1)
					up, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: cr.UploadId, PartNumber: &n, Body: bytes.NewReader(p), ChecksumAlgorithm: tt.algo})
					must(t, "UploadPart", err)
					sum := checksumField(tt.algo, up.ChecksumCRC32, up.ChecksumCRC32C, up.ChecksumCRC64NVME, up.ChecksumSHA1, up.ChecksumSHA256)
					if want := checksum(tt.algo, p); sum != want {
						t.Errorf("UploadPart %d checksum: got %q, want %q", n, sum, want)
					}
					cp := types.CompletedPart{PartNumber: &n, ETag: up.ETag}
					setPartChecksum(&cp, tt.algo, sum)
					done = append(done, cp)
				}
				lp, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: cr.UploadId})
				must(t, "ListParts", err)
				for i, p := range lp.Parts {
					if got := checksumField(tt.algo, p.ChecksumCRC32, p.ChecksumCRC32C, p.ChecksumCRC64NVME, p.ChecksumSHA1, p.ChecksumSHA256); got != checksum(tt.algo, parts[i]) {
						t.Errorf("ListParts part %d checksum: got %q, want %q", i+1, got, checksum(tt.algo, parts[i]))
					}
				}
				want := compositeChecksum(tt.algo, parts)
				if tt.typ == types.ChecksumTypeFullObject {
					want = checksum(tt.algo, whole)
				}
				in := &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key, UploadId: cr.UploadId,
					MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}
				if tt.typ == types.ChecksumTypeFullObject {
					// The whole object's CRC in the Complete header: a wrong
					// one is BadDigest and leaves the upload to be completed,
					// the right one is accepted.
					in.ChecksumType = tt.typ
					setCompleteChecksum(in, tt.algo, checksum(tt.algo, []byte("not the object")))
					_, err := e.s3.CompleteMultipartUpload(ctx(t), in)
					wantAWSError(t, "CompleteMultipartUpload with a wrong FULL_OBJECT checksum", err, "BadDigest", 400)
					setCompleteChecksum(in, tt.algo, checksum(tt.algo, whole))
				}
				co, err := e.s3.CompleteMultipartUpload(ctx(t), in)
				must(t, "CompleteMultipartUpload", err)
				if got := checksumField(tt.algo, co.ChecksumCRC32, co.ChecksumCRC32C, co.ChecksumCRC64NVME, co.ChecksumSHA1, co.ChecksumSHA256); got != want {
					t.Errorf("Complete checksum: got %q, want %q", got, want)
				}
				head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
				must(t, "HeadObject", err)
				if got := checksumField(tt.algo, head.ChecksumCRC32, head.ChecksumCRC32C, head.ChecksumCRC64NVME, head.ChecksumSHA1, head.ChecksumSHA256); got != want || head.ChecksumType != tt.typ {
					t.Errorf("HeadObject checksum: got %q type %q, want %q %q", got, head.ChecksumType, want, tt.typ)
				}
				get, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: &key, ChecksumMode: types.ChecksumModeEnabled})
				must(t, "GetObject", err)
				got, err := io.ReadAll(get.Body)
				get.Body.Close()
				if err != nil || !bytes.Equal(got, whole) {
					t.Errorf("GetObject: got %d bytes, err %v; want the whole object", len(got), err)
				}
			})
		}
	})
}

// setPartChecksum sets algo's checksum field of a completed part.
// setCompleteChecksum sets the whole object's checksum of a Complete.
func setCompleteChecksum(in *s3.CompleteMultipartUploadInput, algo types.ChecksumAlgorithm, v string) {
	*checksumSlot(algo, &in.ChecksumCRC32, &in.ChecksumCRC32C, &in.ChecksumCRC64NVME, &in.ChecksumSHA1, &in.ChecksumSHA256) = &v
}

func setPartChecksum(cp *types.CompletedPart, algo types.ChecksumAlgorithm, v string) {
	*checksumSlot(algo, &cp.ChecksumCRC32, &cp.ChecksumCRC32C, &cp.ChecksumCRC64NVME, &cp.ChecksumSHA1, &cp.ChecksumSHA256) = &v
}

// checksumSlot returns the field of algo among a request's checksum fields.
func checksumSlot(algo types.ChecksumAlgorithm, crc32, crc32c, crc64nvme, sha1, sha256 **string) **string {
	switch algo {
	case types.ChecksumAlgorithmCrc32:
		return crc32
	case types.ChecksumAlgorithmCrc32c:
		return crc32c
	case types.ChecksumAlgorithmCrc64nvme:
		return crc64nvme
	case types.ChecksumAlgorithmSha1:
		return sha1
	}
	return sha256
}
