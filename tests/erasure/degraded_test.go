package erasure

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestTwoDrivesLost: a single-node server on four drives (2+2) keeps
// accepting writes over S3 after two of its drive folders are removed
// while it runs (inline objects, shard-file objects, multipart, deletes,
// bucket creation); every object reads back byte-exact, a deleted one
// stays deleted, and the server formats the two folders again and heals
// them until every drive is online.
func TestTwoDrivesLost(t *testing.T) {
	srv := testserver.Start(t, testserver.Options{Drives: 4})
	c := srv.S3Client(t)
	ctx := context.Background()
	put := func(key string, b []byte) error {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(key), Body: bytes.NewReader(b)})
		return err
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"before/small": body(1, 2000), "before/big": body(2, 3<<20), "doomed": body(3, 100)}
	for k, b := range want {
		if err := put(k, b); err != nil {
			t.Fatalf("PUT %s: %v", k, err)
		}
	}
	for _, d := range srv.DriveDirs[2:] {
		if err := os.RemoveAll(d); err != nil {
			t.Fatal(err)
		}
	}
	for i, size := range []int{10, 5000, 200 << 10, 4 << 20} {
		k := fmt.Sprintf("during/%d", i)
		want[k] = body(10+i, size)
		if err := put(k, want[k]); err != nil {
			t.Errorf("PUT %s (%d bytes) with two drive folders removed: got %v, want success", k, size, err)
		}
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("data"), Key: aws.String("doomed")}); err != nil {
		t.Errorf("DELETE with two drive folders removed: got %v, want success", err)
	}
	delete(want, "doomed")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("made-degraded")}); err != nil {
		t.Errorf("CreateBucket with two drive folders removed: got %v, want success", err)
	}
	mp := body(20, 6<<20)
	if err := multipart(ctx, c, "during/mp", mp); err != nil {
		t.Errorf("multipart upload with two drive folders removed: got %v, want success", err)
	} else {
		want["during/mp"] = mp
	}
	check := func(when string) {
		t.Helper()
		for k, b := range want {
			got, err := getBody(ctx, c, "data", k)
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("%s: GET %s: got %d bytes, %v; want %d bytes", when, k, len(got), err, len(b))
			}
		}
		if _, err := getBody(ctx, c, "data", "doomed"); err == nil {
			t.Errorf("%s: GET of the deleted object: got it, want NoSuchKey", when)
		}
	}
	check("two drive folders removed")

	deadline := time.Now().Add(90 * time.Second)
	for {
		info := adminInfo(t, srv.Endpoint)
		online := 0
		for _, d := range info.Drives {
			if d.State == "online" {
				online++
			}
		}
		if online == len(info.Drives) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drives after 90 s: got %+v, want all online (healed)", info.Drives)
		}
		time.Sleep(200 * time.Millisecond)
	}
	check("after healing")
	for _, d := range srv.DriveDirs[2:] {
		if _, err := os.Stat(d + "/.hoard.sys/format.json"); err != nil {
			t.Errorf("healed drive %s: got %v, want a format record", d, err)
		}
	}
}

// multipart uploads b in two parts under key in bucket "data".
func multipart(ctx context.Context, c *s3.Client, key string, b []byte) error {
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key)})
	if err != nil {
		return err
	}
	half := min(len(b), 5<<20) // every part but the last: at least 5 MiB
	var parts []types.CompletedPart
	for i, p := range [][]byte{b[:half], b[half:]} {
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			return err
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("data"), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}
