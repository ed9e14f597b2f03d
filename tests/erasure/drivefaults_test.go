package erasure

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/admin"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
	"github.com/hoardstore/hoard/internal/testserver"
)

// startHeal asks the server to heal bucket at once (admin API).
func startHeal(t *testing.T, e testserver.Endpoint, bucket string) {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, e.URL+admin.Prefix+"heal?bucket="+bucket, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sigv4.SignRequest(r, sigv4.Credentials{AccessKey: e.AccessKey, SecretKey: e.SecretKey}, e.Region, sigv4.UnsignedPayload, time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := e.HTTPClient(t).Do(r)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusConflict { // 409: one runs already
		t.Fatalf("start heal: got status %d, want 202", resp.StatusCode)
	}
}

// shardFiles counts the shard files of single-part objects on a drive.
func shardFiles(t *testing.T, dir string) int {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".hoard.sys", "data", "*", "*", "part.1"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// driveState returns the state and reason admin info reports for drive dir.
func driveState(t *testing.T, e testserver.Endpoint, dir string) storage.DriveInfo {
	t.Helper()
	for _, d := range adminInfo(t, e).Drives {
		if d.Endpoint == dir {
			return d
		}
	}
	t.Fatalf("admin info names no drive %s", dir)
	return storage.DriveInfo{}
}

// TestDriveFillsUnderWrites runs the real binary on four drives, one of
// them a small tmpfs that fills under writes: every write succeeds (the
// full drive is skipped while the write quorum holds) and the drive stays
// online; once space returns (the tmpfs grows, as when an operator frees
// or adds space) healing puts the missing shards on it, without a
// restart, and every object reads byte-exact.
func TestDriveFillsUnderWrites(t *testing.T) {
	small := mountTmpfs(t, 76) // the drive keeps 64 MiB free: some 12 MiB for its store and data
	drives := []string{filepath.Join(small, "drive"), t.TempDir(), t.TempDir(), t.TempDir()}
	p := testserver.StartProcess(t, testserver.ProcessOptions{Binary: testserver.BuildHoard(t), Drives: drives})
	c := p.S3Client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	const objects = 32 // 16 MiB of shards per drive: more than the small one takes
	want := map[string][]byte{}
	for i := range objects {
		k := fmt.Sprintf("o%02d", i)
		want[k] = body(i, 1<<20)
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: bytes.NewReader(want[k])}); err != nil {
			t.Fatalf("PUT %s while one drive of four fills: got %v, want success", k, err)
		}
	}
	held := shardFiles(t, drives[0])
	if held >= objects {
		t.Fatalf("the small drive holds all %d shards: it never filled", held)
	}
	t.Logf("the small drive took %d of %d objects before it filled", held, objects)
	if d := driveState(t, p.Endpoint, drives[0]); d.State != "online" {
		t.Errorf("full drive: %s (%s), want online (full is not a fault)", d.State, d.Reason)
	}
	for k, b := range want {
		getExact(t, c, k, b)
	}

	if err := syscall.Mount("tmpfs", small, "tmpfs", syscall.MS_REMOUNT, "size=200m"); err != nil {
		t.Fatalf("grow the tmpfs: %v", err)
	}
	startHeal(t, p.Endpoint, "data")
	deadline := time.Now().Add(30 * time.Second)
	for shardFiles(t, drives[0]) < objects {
		if time.Now().After(deadline) {
			t.Fatalf("the drive holds %d of %d shards 30 s after space returned, want all (healed)", shardFiles(t, drives[0]), objects)
		}
		select {
		case <-p.Exited():
			t.Fatalf("server exited:\n%s", p.Logs())
		case <-time.After(200 * time.Millisecond):
		}
	}
	for k, b := range want {
		getExact(t, c, k, b)
	}
}

// TestDriveFolderDeleted runs the real binary on four drives and deletes
// one drive's folder while clients write and read. Every write succeeds,
// every object reads byte-exact, the drive shows out of service with a
// reason, the server formats the folder again in place (a wiped drive is
// rebuilt by the healer) and heals it until it is online; the rebuilt
// drive then carries the data: with two other drives wiped, everything
// still reads byte-exact.
func TestDriveFolderDeleted(t *testing.T) {
	drives := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	opts := testserver.ProcessOptions{Binary: testserver.BuildHoard(t), Drives: drives}
	p := testserver.StartProcess(t, opts)
	c := p.S3Client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	sizes := []int{0, 100, 5000, 300 << 10, 2 << 20}
	const doomed = 1
	var seen storage.DriveInfo
	for i := range 40 {
		k := fmt.Sprintf("o%02d", i)
		want[k] = body(i, sizes[i%len(sizes)])
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: bytes.NewReader(want[k])}); err != nil {
			t.Errorf("PUT %s (drive folder deleted after 15): got %v, want success", k, err)
			delete(want, k)
		}
		if i%4 == 0 {
			getExact(t, c, fmt.Sprintf("o%02d", i/2), want[fmt.Sprintf("o%02d", i/2)])
		}
		if i == 15 {
			if err := os.RemoveAll(drives[doomed]); err != nil {
				t.Fatal(err)
			}
		}
		if d := driveState(t, p.Endpoint, drives[doomed]); i > 15 && d.State != "online" && seen.State == "" {
			seen = d
		}
	}
	for k, b := range want {
		getExact(t, c, k, b)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		d := driveState(t, p.Endpoint, drives[doomed])
		if d.State != "online" && seen.State == "" {
			seen = d
		}
		if d.State == "online" && seen.State != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deleted drive after 60 s: %s (%s), out of service seen as %+v; want it shown out of service, then online (rebuilt)", d.State, d.Reason, seen)
		}
		select {
		case <-p.Exited():
			t.Fatalf("server exited:\n%s", p.Logs())
		case <-time.After(100 * time.Millisecond):
		}
	}
	if seen.Reason == "" || (seen.State != "offline" && seen.State != "healing") {
		t.Errorf("deleted drive shown as %q with reason %q, want offline or healing with a reason", seen.State, seen.Reason)
	}
	t.Logf("deleted drive shown as %s: %s", seen.State, seen.Reason)
	for k, b := range want {
		getExact(t, c, k, b)
	}

	// The rebuilt drive and one other now hold everything.
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, i := range []int{2, 3} {
		if err := os.RemoveAll(drives[i]); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(drives[i], 0o700); err != nil {
			t.Fatal(err)
		}
	}
	p = testserver.StartProcess(t, opts)
	c = p.S3Client(t)
	for k, b := range want {
		getExact(t, c, k, b)
	}
}
