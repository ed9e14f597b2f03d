package crash

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// Shape of the versioned storm: fewer keys, many versions each.
const (
	vWorkers = 4
	vKeys    = 2 // per worker
	vKills   = 2
	vBucket  = "versions"
)

// ackedVersion is one acknowledged write of a versioned key: a new
// version (v) or a delete marker (v.deleted), with the ID the server gave.
type ackedVersion struct {
	v  version
	id string
}

// versionedRun is a storm of versioned overwrites and deletes on one
// layout, killed and restarted; each key's acknowledged versions are kept
// in the order they were acknowledged (one worker writes each key).
type versionedRun struct {
	t      *testing.T
	bin    string
	drives []string
	dig    digests
	seeds  atomic.Uint64
	ids    atomic.Int64
	// killed is set just before SIGKILL (errors after it are expected).
	killed atomic.Bool
	mu     sync.Mutex
	acked  map[string][]ackedVersion
}

// TestCrashVersioned SIGKILLs the server during a storm of versioned
// overwrites (inline-sized and multi-MiB) and delete markers, restarts it
// and checks that every acknowledged version and marker of every key is
// listed by ListObjectVersions, in the order it was acknowledged (newest
// first), and that every acknowledged version reads back whole by its ID.
func TestCrashVersioned(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test is skipped in -short mode")
	}
	bin := testserver.BuildHoard(t)
	for _, n := range driveCounts {
		t.Run(strconv.Itoa(n)+"drives", func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			if s := os.Getenv(SeedEnv); s != "" {
				seed, _ = strconv.ParseUint(s, 10, 64)
			}
			t.Logf("seed %d (replay with %s=%d)", seed, SeedEnv, seed)
			r := &versionedRun{t: t, bin: bin, acked: map[string][]ackedVersion{}}
			root := t.TempDir()
			for i := range n {
				d := filepath.Join(root, fmt.Sprintf("drive%d", i+1))
				if err := os.MkdirAll(d, 0o755); err != nil {
					t.Fatal(err)
				}
				r.drives = append(r.drives, d)
			}
			r.seeds.Store(seed << 16)
			r.run(rand.New(rand.NewPCG(seed, 0x76657273)))
		})
	}
}

func (r *versionedRun) start() *testserver.Process {
	return testserver.StartProcess(r.t, testserver.ProcessOptions{Binary: r.bin, Drives: r.drives})
}

func (r *versionedRun) run(rng *rand.Rand) {
	t := r.t
	p := r.start()
	c := p.S3Client(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(vBucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(vBucket),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	for round := 1; round <= vKills; round++ {
		load := minLoad + time.Duration(rng.Int64N(int64(maxLoad-minLoad)))
		n := r.storm(p, load, rng.Uint64())
		t.Logf("round %d: killed after %v; %d writes acknowledged", round, load.Round(time.Millisecond), n)
		p = r.start()
		r.verify(p, fmt.Sprintf("after kill %d", round))
		if t.Failed() {
			return
		}
	}
	if err := p.Stop(30 * time.Second); err != nil {
		t.Errorf("SIGTERM: got exit %v, want status 0", err)
	}
}

// storm runs the workers against p for d, then SIGKILLs p and waits for
// them; it returns how many writes were acknowledged.
func (r *versionedRun) storm(p *testserver.Process, d time.Duration, seed uint64) int64 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := p.S3Client(r.t)
	var wg sync.WaitGroup
	var acked atomic.Int64
	r.killed.Store(false)
	for w := range vWorkers {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil {
				key := fmt.Sprintf("w%d/key-%d", w, rng.IntN(vKeys))
				if r.write(ctx, c, key, rng) {
					acked.Add(1)
				}
			}
		}(w)
	}
	timer := time.NewTimer(d)
	<-timer.C
	r.killed.Store(true)
	p.Kill()
	cancel()
	wg.Wait()
	return acked.Load()
}

// write sends one versioned write or delete to key and records it if the
// server acknowledged it.
func (r *versionedRun) write(ctx context.Context, c *s3.Client, key string, rng *rand.Rand) bool {
	v := version{id: int(r.ids.Add(1)), seed: r.seeds.Add(1)}
	switch op := rng.IntN(100); {
	case op < 70:
		v.size = rng.Int64N(64 << 10)
	case op < 90:
		v.size = 1<<20 + rng.Int64N(1<<20)
	default:
		v.deleted = true
	}
	var id string
	if v.deleted {
		out, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(vBucket), Key: &key})
		if err != nil {
			r.unexpected(ctx, key, v, err)
			return false
		}
		if !aws.ToBool(out.DeleteMarker) {
			r.t.Errorf("%s %s: answer without x-amz-delete-marker", key, v)
		}
		id = aws.ToString(out.VersionId)
	} else {
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(vBucket), Key: &key, Body: v.reader(), ContentLength: aws.Int64(v.size)})
		if err != nil {
			r.unexpected(ctx, key, v, err)
			return false
		}
		id = aws.ToString(out.VersionId)
	}
	if id == "" || id == "null" {
		r.t.Errorf("%s %s: acknowledged without a version ID (%q)", key, v, id)
	}
	r.mu.Lock()
	r.acked[key] = append(r.acked[key], ackedVersion{v: v, id: id})
	r.mu.Unlock()
	return true
}

func (r *versionedRun) unexpected(ctx context.Context, key string, v version, err error) {
	if !r.killed.Load() && ctx.Err() == nil {
		r.t.Errorf("%s %s failed while the server was healthy: %v", key, v, err)
	}
}

// verify lists every version of the bucket and checks each key's
// acknowledged versions appear in it, newest first in the order they were
// acknowledged (writes in flight at a kill may appear between them), then
// reads every acknowledged version by its ID.
func (r *versionedRun) verify(p *testserver.Process, when string) {
	t := r.t
	c := p.S3Client(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// minio-go keeps versions and delete markers in the answer's order
	// (the AWS SDK splits them into two lists).
	listed := map[string][]string{} // key -> version IDs, newest first ("*" after markers)
	mc := p.MinioClient(t)
	for o := range mc.ListObjects(ctx, vBucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true, MaxKeys: 50}) {
		if o.Err != nil {
			t.Fatalf("%s: ListObjects WithVersions: %v", when, o.Err)
		}
		id := o.VersionID
		if o.IsDeleteMarker {
			id += "*"
		}
		listed[o.Key] = append(listed[o.Key], id)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for key, acked := range r.acked {
		ids := listed[key]
		at := 0 // acked is oldest first, ids newest first: walk ids from the end
		for i := len(ids) - 1; i >= 0 && at < len(acked); i-- {
			want := acked[at].id
			if acked[at].v.deleted {
				want += "*"
			}
			if ids[i] == want {
				at++
			}
		}
		if at != len(acked) {
			t.Errorf("%s: %s: acknowledged %v (ID %s) missing from the listing or out of order; listed %v", when, key, acked[at].v, acked[at].id, ids)
			continue
		}
		for _, a := range acked {
			if a.v.deleted {
				continue
			}
			if err := r.readVersion(ctx, c, key, a); err != nil {
				t.Errorf("%s: %s %v (ID %s): %v", when, key, a.v, a.id, err)
			}
		}
	}
}

// readVersion reads one acknowledged version by ID and compares it.
func (r *versionedRun) readVersion(ctx context.Context, c *s3.Client, key string, a ackedVersion) error {
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(vBucket), Key: &key, VersionId: aws.String(a.id)})
	if err != nil {
		return fmt.Errorf("GetObject: %w", err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	dg := r.dig.of(a.v)
	if n != a.v.size || !bytes.Equal(h.Sum(nil), dg.sha[:]) {
		return fmt.Errorf("got %d bytes that differ from the %d acknowledged", n, a.v.size)
	}
	return nil
}
