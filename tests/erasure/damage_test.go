package erasure

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestMetadataTablesFlipped reproduces issue 14 with the real binary: a
// 4-drive server (2+2) holding enough objects that every drive's metadata
// store has flushed tables is stopped, 16 bytes are flipped in the middle
// of every table (*.sst), blob file (*.blob) and write-ahead log (*.log)
// of two drives, as a decaying disk does, and the server is started again. It must stay up, serve every object
// byte-exact, show the two drives as damaged, move their stores aside and
// rebuild them until every drive is online again.
func TestMetadataTablesFlipped(t *testing.T) {
	bin := testserver.BuildHoard(t)
	drives := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
	opts := testserver.ProcessOptions{Binary: bin, Drives: drives}
	p := testserver.StartProcess(t, opts)
	c := p.S3Client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("data")}); err != nil {
		t.Fatal(err)
	}
	// 100 inline objects of 200 KiB put 10 MiB into each drive's 8 MiB
	// memtable: it flushes tables and blob files. A few shard-file objects
	// and small ones complete the set.
	want := map[string][]byte{}
	for i := range 100 {
		want[fmt.Sprintf("inline/%03d", i)] = body(i, 200<<10)
	}
	for i, n := range []int{0, 10, 3000, 3 << 20, 9<<20 + 5} {
		want[fmt.Sprintf("other/%d", i)] = body(1000+i, n)
	}
	for k, b := range want {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("data"), Key: aws.String(k), Body: bytes.NewReader(b)}); err != nil {
			t.Fatalf("PUT %s: %v", k, err)
		}
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for _, d := range drives[:2] {
		meta := filepath.Join(d, ".hoard.sys", "meta")
		tables, _ := filepath.Glob(filepath.Join(meta, "*.sst"))
		blobs, _ := filepath.Glob(filepath.Join(meta, "*.blob"))
		logs, _ := filepath.Glob(filepath.Join(meta, "*.log"))
		if len(tables) == 0 || len(blobs) == 0 || len(logs) == 0 {
			t.Fatalf("%s: %d tables, %d blob files and %d logs after the writes; the test needs flushed tables and a log", d, len(tables), len(blobs), len(logs))
		}
		for _, f := range slices.Concat(tables, blobs, logs) {
			flip16(t, f)
		}
	}
	p = testserver.StartProcess(t, opts)
	c = p.S3Client(t)
	for k, b := range want {
		getExact(t, c, k, b)
	}
	// The damage is found (at once, or by the reads above), the stores
	// are moved aside and rebuilt: every drive comes back online.
	deadline := time.Now().Add(60 * time.Second)
	for {
		info := adminInfo(t, p.Endpoint)
		online := 0
		for _, d := range info.Drives {
			if d.State == "online" {
				online++
			}
		}
		if online == len(drives) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("drives after 60 s: %+v; want all online", info.Drives)
		}
		select {
		case <-p.Exited():
			t.Fatalf("server exited:\n%s", p.Logs())
		case <-time.After(200 * time.Millisecond):
		}
	}
	if n := strings.Count(p.Logs(), "drive taken out of service"); n < 2 {
		t.Errorf("the server's logs report %d drives taken out of service, want 2", n)
	}
	for _, d := range drives[:2] {
		kept, _ := filepath.Glob(filepath.Join(d, ".hoard.sys", "meta.damaged-*"))
		if len(kept) != 1 {
			t.Errorf("%s: damaged stores kept: %v; want one", d, kept)
		}
	}
	for k, b := range want {
		getExact(t, c, k, b)
	}
	select {
	case <-p.Exited():
		t.Fatalf("server exited:\n%s", p.Logs())
	default:
	}
}

// flip16 flips 16 bytes in the middle of a file.
func flip16(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for i := max(len(b)/2-8, 0); i < len(b)/2+8 && i < len(b); i++ {
		b[i] ^= 0xa5
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// getExact fails the test unless data/key reads back as want.
func getExact(t *testing.T, c *s3.Client, key string, want []byte) {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("data"), Key: aws.String(key)})
	if err != nil {
		t.Errorf("GET %s: %v", key, err)
		return
	}
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("GET %s: got %d bytes, %v; want %d bytes", key, len(got), err, len(want))
	}
}
