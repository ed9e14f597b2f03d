package crash

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/hoardstore/hoard/internal/testserver"
)

// driveCounts are the layouts the crash test runs on: the single-drive
// backend and the erasure-coded engine.
var driveCounts = []int{1, 4}

// Shape of the test. Each round runs the load for a random time, then
// SIGKILLs the server; the whole run per layout is bounded by budget.
const (
	workers       = 6
	keysPerWorker = 6
	kills         = 4
	minLoad       = 400 * time.Millisecond
	maxLoad       = 2 * time.Second
	budget        = 75 * time.Second
	bucket        = "crash"
	// stagingDir is where a drive stages writes before the atomic rename;
	// the server empties it at start (see docs/ARCHITECTURE.md).
	stagingDir = ".hoard.sys/tmp"
	partSize   = 5 << 20
)

// SeedEnv names the environment variable that replays a run's random seed.
const SeedEnv = "HOARD_CRASH_SEED"

// crashRun is one run of the test on one layout.
type crashRun struct {
	t      *testing.T
	bin    string
	drives []string
	keys   map[string]*keyState
	owner  [][]string // keys of each worker
	dig    digests
	ids    atomic.Int64
	seeds  atomic.Uint64
	// killed is set just before SIGKILL: errors seen while it is false
	// happened while the server was healthy and are failures.
	killed atomic.Bool
	// staged holds, per staging folder, the entries left by the last kill;
	// the restarted server must remove every one of them. New entries may
	// appear at once (heals and new writes stage too), so only these count.
	staged map[string][]string
}

// TestCrashRecovery SIGKILLs the server during concurrent uploads,
// overwrites (small inline-sized, multi-MiB and multipart) and deletes,
// restarts it on the same folders and checks after every restart that each
// key holds its last acknowledged version or one sent after it, that no
// listed object is partial, and that the staging area was cleaned.
func TestCrashRecovery(t *testing.T) {
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
			newRun(t, bin, n, seed).run(rand.New(rand.NewPCG(seed, 0x68617264)))
		})
	}
}

func newRun(t *testing.T, bin string, drives int, seed uint64) *crashRun {
	r := &crashRun{t: t, bin: bin, keys: map[string]*keyState{}}
	root := t.TempDir()
	for i := 0; i < drives; i++ {
		d := filepath.Join(root, fmt.Sprintf("drive%d", i+1))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		r.drives = append(r.drives, d)
	}
	r.seeds.Store(seed << 16)
	r.owner = make([][]string, workers)
	for w := 0; w < workers; w++ {
		for k := 0; k < keysPerWorker; k++ {
			key := fmt.Sprintf("w%d/key-%d", w, k)
			r.owner[w] = append(r.owner[w], key)
			r.keys[key] = &keyState{settled: version{deleted: true}}
		}
	}
	return r
}

func (r *crashRun) start() *testserver.Process {
	return testserver.StartProcess(r.t, testserver.ProcessOptions{Binary: r.bin, Drives: r.drives})
}

func (r *crashRun) run(rng *rand.Rand) {
	t := r.t
	deadline := time.Now().Add(budget)
	p := r.start()
	c := p.S3Client(t)
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	for round := 1; round <= kills; round++ {
		if time.Now().After(deadline) {
			t.Logf("time budget reached after %d kills", round-1)
			break
		}
		load := minLoad + time.Duration(rng.Int64N(int64(maxLoad-minLoad)))
		acked, unknown := r.load(p, load, rng.Uint64())
		t.Logf("round %d: killed after %v; %d writes acknowledged, %d in flight or unanswered", round, load.Round(time.Millisecond), acked, unknown)
		r.checkStaging()
		p = r.start()
		r.verify(p, fmt.Sprintf("after kill %d", round))
		if t.Failed() {
			return
		}
	}
	// A graceful stop exits 0 and loses nothing either.
	if err := p.Stop(30 * time.Second); err != nil {
		t.Errorf("SIGTERM: got exit %v, want status 0", err)
	}
	p = r.start()
	r.verify(p, "after a graceful restart")
}

// load runs the workers against p for d, then SIGKILLs p and waits for the
// workers to notice. It returns the acknowledged and unresolved write counts.
func (r *crashRun) load(p *testserver.Process, d time.Duration, seed uint64) (acked, unknown int64) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c := p.S3Client(r.t)
	var wg sync.WaitGroup
	var nAcked, nUnknown atomic.Int64
	r.killed.Store(false)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(seed, uint64(w)))
			for ctx.Err() == nil {
				key := r.owner[w][rng.IntN(len(r.owner[w]))]
				if r.write(ctx, c, key, rng) {
					nAcked.Add(1)
				} else {
					nUnknown.Add(1)
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
	return nAcked.Load(), nUnknown.Load()
}

// write performs one random write to key and reports whether the server
// acknowledged it. Only key's owning worker calls it.
func (r *crashRun) write(ctx context.Context, c *s3.Client, key string, rng *rand.Rand) bool {
	v := version{id: int(r.ids.Add(1)), seed: r.seeds.Add(1)}
	op := rng.IntN(100)
	switch {
	case op < 60:
		v.size = rng.Int64N(100 << 10) // small: stored inline by the erasure engine
	case op < 82:
		v.size = 1<<20 + rng.Int64N(3<<20)
	case op < 94:
		v.size, v.partSize = partSize+1+rng.Int64N(1<<20), partSize
	default:
		v.deleted = true
	}
	st := r.keys[key]
	st.maybe = append(st.maybe, v)
	var err error
	switch {
	case v.deleted:
		_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: &key})
	case v.partSize > 0:
		err = r.multipart(ctx, c, key, v)
	default:
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: &key, Body: v.reader(), ContentLength: aws.Int64(v.size)})
	}
	if err != nil {
		if !r.killed.Load() && ctx.Err() == nil {
			r.t.Errorf("%s %s failed while the server was healthy: %v", key, v, err)
		}
		return false
	}
	st.settled, st.maybe = v, nil
	return true
}

func (r *crashRun) multipart(ctx context.Context, c *s3.Client, key string, v version) error {
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: &key})
	if err != nil {
		return err
	}
	var parts []types.CompletedPart
	for n, off := int32(1), int64(0); off < v.size; n, off = n+1, off+v.partSize {
		size := min(v.partSize, v.size-off)
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket), Key: &key, UploadId: cr.UploadId, PartNumber: aws.Int32(n),
			Body: io.NewSectionReader(v.reader(), off, size), ContentLength: aws.Int64(size)})
		if err != nil {
			return err
		}
		parts = append(parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: up.ETag})
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket), Key: &key, UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	return err
}

// checkStaging records what each drive's staging folder holds at the kill,
// for verify to check that the restarted server removed it.
func (r *crashRun) checkStaging() {
	r.staged = make(map[string][]string)
	for _, d := range r.drives {
		dir := filepath.Join(d, stagingDir)
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue // checked again after the restart
		}
		if err != nil {
			r.t.Errorf("read %s: %v", dir, err)
			continue
		}
		r.t.Logf("%s holds %d staged entries at the kill", dir, len(entries))
		for _, e := range entries {
			r.staged[dir] = append(r.staged[dir], e.Name())
		}
	}
}

// verify checks every key against its candidates, the listing against the
// keys, and that the restarted server cleaned the staging folders; a key
// that verifies is settled to the version found.
func (r *crashRun) verify(p *testserver.Process, when string) {
	t := r.t
	for _, d := range r.drives {
		dir := filepath.Join(d, stagingDir)
		if _, err := os.Stat(dir); err != nil {
			t.Errorf("%s: staging folder %s: %v (layout changed?)", when, dir, err)
			continue
		}
		var left []string
		for _, name := range r.staged[dir] {
			if _, err := os.Lstat(filepath.Join(dir, name)); err == nil {
				left = append(left, name)
			}
		}
		if len(left) != 0 {
			t.Errorf("%s: staging folder %s not cleaned at start: %v survived the restart", when, dir, left)
		}
	}
	c := p.S3Client(t)
	keys := make([]string, 0, len(r.keys))
	for k := range r.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var mu sync.Mutex
	var wg sync.WaitGroup
	jobs := make(chan string)
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range jobs {
				found, err := r.readBack(c, key)
				mu.Lock()
				if err != nil {
					t.Errorf("%s: %s: %v", when, key, err)
				} else {
					r.keys[key].settled, r.keys[key].maybe = found, nil
				}
				mu.Unlock()
			}
		}()
	}
	for _, k := range keys {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
	r.checkListing(c, when)
}

// readBack reads key and returns the candidate version it matches.
func (r *crashRun) readBack(c *s3.Client, key string) (version, error) {
	st := r.keys[key]
	cands := st.candidates()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: &key})
	if err != nil {
		var ae smithy.APIError
		if errors.As(err, &ae) && ae.ErrorCode() == "NoSuchKey" {
			for _, v := range cands {
				if v.deleted {
					return v, nil
				}
			}
			return version{}, fmt.Errorf("missing, but an acknowledged write must be visible; candidates %v", cands)
		}
		return version{}, fmt.Errorf("GetObject: %w", err)
	}
	defer out.Body.Close()
	h := sha256.New()
	n, err := io.Copy(h, out.Body)
	if err != nil {
		return version{}, fmt.Errorf("read body: %w", err)
	}
	etag := strings.Trim(aws.ToString(out.ETag), `"`)
	for _, v := range cands {
		if v.deleted || v.size != n {
			continue
		}
		dg := r.dig.of(v)
		if bytes.Equal(h.Sum(nil), dg.sha[:]) {
			if etag != dg.etag {
				return version{}, fmt.Errorf("content is %v but ETag %s, want %s", v, etag, dg.etag)
			}
			return v, nil
		}
	}
	return version{}, fmt.Errorf("%d bytes (ETag %s) match none of the legitimate versions %v", n, etag, cands)
}

// checkListing lists the bucket and checks it against the settled keys:
// the same key set, sizes and ETags, and nothing else.
func (r *crashRun) checkListing(c *s3.Client, when string) {
	t := r.t
	listed := map[string]types.Object{}
	pg := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), MaxKeys: aws.Int32(17)})
	for pages := 0; pg.HasMorePages() && pages < 100; pages++ {
		out, err := pg.NextPage(context.Background())
		if err != nil {
			t.Errorf("%s: ListObjectsV2: %v", when, err)
			return
		}
		for _, o := range out.Contents {
			listed[aws.ToString(o.Key)] = o
		}
	}
	for key, o := range listed {
		st, ok := r.keys[key]
		if !ok {
			t.Errorf("%s: listing shows %q, which was never written", when, key)
			continue
		}
		if st.settled.deleted {
			t.Errorf("%s: listing shows %q, which reads as missing", when, key)
			continue
		}
		dg := r.dig.of(st.settled)
		if aws.ToInt64(o.Size) != st.settled.size || strings.Trim(aws.ToString(o.ETag), `"`) != dg.etag {
			t.Errorf("%s: listing shows %q with size %d ETag %s, want %d %s (partial object?)", when, key, aws.ToInt64(o.Size), aws.ToString(o.ETag), st.settled.size, dg.etag)
		}
	}
	for key, st := range r.keys {
		if _, ok := listed[key]; !ok && !st.settled.deleted {
			t.Errorf("%s: %q reads as %v but is not listed", when, key, st.settled)
		}
	}
}
