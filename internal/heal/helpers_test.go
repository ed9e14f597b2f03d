package heal

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

// payload is a storage.Payload over a byte slice.
type payload struct {
	r    *bytes.Reader
	size int64
	etag string
}

func newPayload(b []byte) *payload {
	s := md5.Sum(b)
	return &payload{r: bytes.NewReader(b), size: int64(len(b)), etag: hex.EncodeToString(s[:])}
}

func (p *payload) Read(b []byte) (int, error) { return p.r.Read(b) }
func (p *payload) Size() int64                { return p.size }
func (p *payload) ETag() string               { return p.etag }
func (p *payload) Checksum() storage.Checksum { return storage.Checksum{} }
func randBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// openDirs opens the engine over n fresh drive folders; it reports the
// objects to heal to the returned queue, as the server wires them.
func openDirs(t testing.TB, n int) (*erasure.Layer, []string, *Queue) {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	q := NewQueue(DefaultQueueSize)
	l, err := erasure.Open(context.Background(), erasure.Config{Drives: dirs, HealQueue: q})
	if err != nil {
		t.Fatalf("Open: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, dirs, q
}

// openFaulty opens the engine over n fresh drive folders, each wrapped in
// a drive.Faulty, reporting to the returned queue.
func openFaulty(t testing.TB, n int) (*erasure.Layer, []*drive.Faulty, *Queue) {
	t.Helper()
	drives := make([]drive.Drive, n)
	faulty := make([]*drive.Faulty, n)
	for i := range drives {
		d, err := drive.OpenLocal(t.TempDir(), drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		faulty[i] = drive.NewFaulty(d)
		drives[i] = faulty[i]
	}
	q := NewQueue(DefaultQueueSize)
	l, err := erasure.New(context.Background(), erasure.Config{HealQueue: q}, drives)
	if err != nil {
		t.Fatalf("New: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	return l, faulty, q
}

func mustPut(t testing.TB, l *erasure.Layer, bucket, key string, body []byte) {
	t.Helper()
	if _, err := l.PutObject(context.Background(), bucket, key, newPayload(body), storage.PutOptions{}); err != nil {
		t.Fatalf("PutObject(%s/%s): got %v", bucket, key, err)
	}
}

// fill creates bucket with n objects of assorted sizes (inline, one
// block, several blocks) and returns their bodies.
func fill(t testing.TB, l *erasure.Layer, bucket string, n int) map[string][]byte {
	t.Helper()
	if err := l.MakeBucket(context.Background(), bucket); err != nil {
		t.Fatal(err)
	}
	bodies := map[string][]byte{}
	for i := range n {
		k := fmt.Sprintf("obj-%03d", i)
		bodies[k] = randBytes([]int{300, 90 << 10, 1<<20 + 11}[i%3], uint64(i+1))
		mustPut(t, l, bucket, k, bodies[k])
	}
	return bodies
}

// verify checks every object shard by shard (a deep dry-run heal reads
// every drive's shard and checks its bitrot hashes) and reads it back.
func verify(t testing.TB, l *erasure.Layer, bucket string, bodies map[string][]byte) {
	t.Helper()
	ctx := context.Background()
	for k, want := range bodies {
		res, err := l.HealObjectWith(ctx, bucket, k, repair.Options{Deep: true, DryRun: true})
		if err != nil || res.Damaged() || !res.Exists {
			t.Errorf("%s/%s: got %+v, %v; want every drive's copy intact", bucket, k, res.Drives, err)
		}
		got, err := readObject(l, bucket, k)
		if err != nil && got == nil {
			t.Errorf("open %s: %v", k, err)
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GET %s: got %d bytes, %v; want %d", k, len(got), err, len(want))
		}
	}
}

// readObject reads bucket/key whole. A nil slice with an error means the
// object could not be opened; otherwise the error is the read's.
func readObject(l *erasure.Layer, bucket, key string) ([]byte, error) {
	o, err := l.OpenObject(context.Background(), bucket, key, storage.GetOptions{})
	if err != nil {
		return nil, err
	}
	defer o.Close()
	got := []byte{}
	r, err := o.Reader(0, o.Info().Size)
	if err == nil {
		got, err = io.ReadAll(r)
		r.Close()
		if got == nil {
			got = []byte{}
		}
	}
	return got, err
}

// flipShards flips a few random bytes in every shard file on a drive folder.
func flipShards(t testing.TB, dir string, r *rand.Rand) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, ".hoard.sys", "data", "*", "*", "part.*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for range 1 + r.IntN(4) {
			b[r.IntN(len(b))] ^= byte(1 + r.IntN(255))
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return len(files)
}

// waitFor polls cond every 20 ms until it holds or timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startHealer starts a Healer over l and stops it when the test ends.
func startHealer(t testing.TB, cfg Config) *Healer {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.Start()
	t.Cleanup(func() { h.Close() })
	return h
}
