package integration

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// largeSize is the size of each large object.
const largeSize = 64 << 20

// verifyStream reads r to the end and fails t unless it equals the
// generator's bytes; it compares in 1 MiB blocks, never holding the object.
func verifyStream(t *testing.T, what string, r io.Reader, g *testserver.Pattern) {
	t.Helper()
	want := make([]byte, 1<<20)
	got := make([]byte, 1<<20)
	var off int64
	for {
		n, err := io.ReadFull(r, got)
		if n > 0 {
			if _, werr := g.ReadAt(want[:n], off); werr != nil && werr != io.EOF {
				t.Fatalf("%s: generator: %v", what, werr)
			}
			if !bytes.Equal(got[:n], want[:n]) {
				t.Fatalf("%s: content differs in the MiB at offset %d", what, off)
			}
			off += int64(n)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: read at %d: %v", what, off, err)
		}
	}
	if off != g.Size {
		t.Fatalf("%s: got %d bytes, want %d", what, off, g.Size)
	}
}

// genMD5 returns the hex MD5 of bytes [off, off+n) of g.
func genMD5(g *testserver.Pattern, off, n int64) string {
	h := md5.New()
	io.Copy(h, io.NewSectionReader(g, off, n))
	return hex.EncodeToString(h.Sum(nil))
}

// TestLargeObjects stores a 64 MiB object by one PUT (minio-go, streaming
// signature) and one by a 4-part multipart upload (aws-sdk-go-v2), and
// reads both back byte-exact, whole and by a range across a part boundary.
func TestLargeObjects(t *testing.T) {
	if testing.Short() {
		t.Skip("large objects are skipped in -short mode")
	}
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		single := &testserver.Pattern{Seed: 1001, Size: largeSize}
		t.Run("single-put", func(t *testing.T) {
			info, err := e.mc.PutObject(ctx(t), bucket, "single", &testserver.Pattern{Seed: single.Seed, Size: single.Size}, largeSize,
				minio.PutObjectOptions{PartSize: 2 * largeSize})
			must(t, "minio PutObject 64 MiB", err)
			if want := genMD5(single, 0, largeSize); info.ETag != want {
				t.Errorf("ETag: got %s, want %s (single PUT)", info.ETag, want)
			}
			out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("single")})
			must(t, "GetObject", err)
			defer out.Body.Close()
			verifyStream(t, "single", out.Body, single)
		})
		multi := &testserver.Pattern{Seed: 2002, Size: largeSize}
		t.Run("multipart", func(t *testing.T) {
			const partSize = largeSize / 4
			id := e.createUpload(t, bucket, "multi")
			var done []types.CompletedPart
			var partMD5s []byte
			for i := int64(0); i < 4; i++ {
				n := int32(i + 1)
				sec := io.NewSectionReader(&testserver.Pattern{Seed: multi.Seed, Size: multi.Size}, i*partSize, partSize)
				up, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("multi"), UploadId: &id, PartNumber: &n, Body: sec})
				must(t, fmt.Sprintf("UploadPart %d", n), err)
				done = append(done, types.CompletedPart{PartNumber: &n, ETag: up.ETag})
				sum, _ := hex.DecodeString(genMD5(multi, i*partSize, partSize))
				partMD5s = append(partMD5s, sum...)
			}
			co, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("multi"), UploadId: &id,
				MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
			must(t, "CompleteMultipartUpload", err)
			if want := quoted(fmt.Sprintf("%x-4", md5.Sum(partMD5s))); aws.ToString(co.ETag) != want {
				t.Errorf("ETag: got %s, want %s", aws.ToString(co.ETag), want)
			}
			obj, err := e.mc.GetObject(ctx(t), bucket, "multi", minio.GetObjectOptions{})
			must(t, "minio GetObject", err)
			defer obj.Close()
			verifyStream(t, "multi", obj, multi)

			start, end := int64(partSize-1000), int64(2*partSize+1000)
			out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("multi"), Range: aws.String(fmt.Sprintf("bytes=%d-%d", start, end-1))})
			must(t, "GetObject range across parts", err)
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			want := make([]byte, end-start)
			multi.ReadAt(want, start)
			if !bytes.Equal(got, want) {
				t.Errorf("range across part boundaries: got %d bytes, content differs", len(got))
			}
		})
	})
}
