package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/testserver"
)

// mountTmpfs mounts a tmpfs of size MiB on a fresh folder and unmounts it
// when the test ends (after the servers registered later have stopped).
// It skips the test where mounting is not allowed.
func mountTmpfs(t *testing.T, mib int) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, fmt.Sprintf("size=%dm,mode=0755", mib)); err != nil {
		t.Skipf("needs permission to mount a tmpfs (root): %v", err)
	}
	t.Cleanup(func() {
		for range 50 {
			err := syscall.Unmount(dir, 0)
			if err == nil || !errors.Is(err, syscall.EBUSY) {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		syscall.Unmount(dir, syscall.MNT_DETACH)
	})
	return dir
}

// awsError returns the S3 error code and HTTP status of an SDK error.
func awsError(err error) (code string, status int) {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	return code, status
}

func body(seed, n int) []byte {
	b := make([]byte, n)
	x := uint64(seed)*0x9e3779b97f4a7c15 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	return b
}

func getBody(ctx context.Context, c *s3.Client, bucket, key string) ([]byte, error) {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// TestFullDrives fills a 4-drive server whose drives are small tmpfs
// mounts: PUT fails with 507 XHoardStorageFull before anything is
// damaged, every stored object still reads back, deletes work and free
// the space, and PUT works again afterwards.
func TestFullDrives(t *testing.T) {
	// Each drive keeps its reserve (64 MiB at least) free, so 100 MiB
	// mounts leave some 15-20 MiB per drive for data.
	var drives []string
	for range 4 {
		drives = append(drives, filepath.Join(mountTmpfs(t, 100), "drive"))
	}
	for _, d := range drives {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	srv := testserver.Start(t, testserver.Options{Drives: 4, Configure: func(c *config.Server) { c.Drives = drives }})
	c := srv.S3Client(t)
	ctx := context.Background()
	bucket := "fill"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	stored := map[string][]byte{}
	const size = 1 << 20
	var fullKey string
	for i := range 400 { // 400 MiB could never fit: the loop ends on 507
		key := fmt.Sprintf("obj-%03d", i)
		b := body(i, size)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(b)})
		if err == nil {
			stored[key] = b
			continue
		}
		code, status := awsError(err)
		if code != "XHoardStorageFull" || status != 507 {
			t.Fatalf("PUT %s: got %s (%d) [%v], want XHoardStorageFull (507)", key, code, status, err)
		}
		fullKey = key
		break
	}
	if fullKey == "" || len(stored) < 4 {
		t.Fatalf("filled with %d objects, full at %q: want some objects stored, then 507", len(stored), fullKey)
	}
	t.Logf("drives full after %d objects of 1 MiB", len(stored))
	// A small object (stored inline in metadata) is refused too.
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("small"), Body: bytes.NewReader([]byte("x"))})
	if code, status := awsError(err); err != nil && (code != "XHoardStorageFull" || status != 507) {
		t.Errorf("small PUT when full: got %s (%d) [%v], want success or XHoardStorageFull (507)", code, status, err)
	} else if err == nil {
		stored["small"] = []byte("x")
	}
	checkStored(t, c, bucket, stored, fullKey)

	// Deletes work when full, and free room for new writes.
	for _, k := range slices.Sorted(maps.Keys(stored))[:4] {
		if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(k)}); err != nil {
			t.Fatalf("DELETE %s when full: got %v, want success", k, err)
		}
		delete(stored, k)
	}
	again := body(1000, size)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(fullKey), Body: bytes.NewReader(again)}); err != nil {
		t.Fatalf("PUT after deletes: got %v, want success", err)
	}
	stored[fullKey] = again
	checkStored(t, c, bucket, stored, "")
}

// checkStored reads every stored object back byte for byte, lists the
// bucket, and checks that the refused key left nothing visible.
func checkStored(t *testing.T, c *s3.Client, bucket string, stored map[string][]byte, refused string) {
	t.Helper()
	ctx := context.Background()
	for k, want := range stored {
		got, err := getBody(ctx, c, bucket, k)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GET %s: got %d bytes, %v; want %d bytes", k, len(got), err, len(want))
		}
	}
	if refused != "" {
		_, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String(refused)})
		if _, status := awsError(err); status != 404 {
			t.Errorf("HEAD of the refused %s: got %v, want 404", refused, err)
		}
	}
	out, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("LIST: %v", err)
	}
	var keys []string
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if want := slices.Sorted(maps.Keys(stored)); !slices.Equal(keys, want) {
		t.Errorf("LIST: got %q, want %q", keys, want)
	}
}
