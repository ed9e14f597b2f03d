package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

func TestMain(m *testing.M) { os.Exit(testserver.Main(m)) }

// startServer starts a one-drive test server and returns it with a base
// configuration aimed at it: small objects, few workers, bounded by an
// operation count with a generous time limit as a backstop.
func startServer(t *testing.T) (*testserver.Server, Config) {
	t.Helper()
	s := testserver.Start(t, testserver.Options{})
	return s, Config{
		Endpoint:    s.URL,
		AccessKey:   s.AccessKey,
		SecretKey:   s.SecretKey,
		Region:      s.Region,
		SizeMin:     4 << 10,
		SizeMax:     4 << 10,
		Concurrency: 4,
		Duration:    time.Minute,
		Seed:        1,
		Verify:      true,
		MaxErrors:   1,
	}
}

func run(t *testing.T, cfg Config) *Report {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if len(rep.Warnings) > 0 {
		t.Fatalf("Run warnings: %v", rep.Warnings)
	}
	return rep
}

func statsOf(t *testing.T, rep *Report, op string) OpStats {
	t.Helper()
	for _, s := range rep.Stats {
		if s.Op == op {
			return s
		}
	}
	t.Fatalf("report has no %s row: %+v", op, rep.Stats)
	return OpStats{}
}

// checkSane checks the invariants every row of a clean run keeps.
func checkSane(t *testing.T, s OpStats, seconds float64) {
	t.Helper()
	if s.Errors != 0 {
		t.Errorf("%s: got %d errors (first: %s), want 0", s.Op, s.Errors, s.FirstError)
	}
	l := s.Latency
	if !(l.P50 > 0 && l.P50 <= l.P90 && l.P90 <= l.P99 && l.P99 <= l.Max && l.Mean <= l.Max) {
		t.Errorf("%s: latencies %+v are not ordered", s.Op, l)
	}
	if got, want := s.OpsPerSec*seconds, float64(s.Ops); got < want*0.99 || got > want*1.01 {
		t.Errorf("%s: ops/s %.1f over %.2fs is %.1f ops, want %d", s.Op, s.OpsPerSec, seconds, got, s.Ops)
	}
}

// countObjects lists bucket with an independent client.
func countObjects(t *testing.T, s *testserver.Server, bucket, prefix string) (n int, sizes map[int64]int) {
	t.Helper()
	sizes = map[int64]int{}
	c := s.MinioClient(t)
	for o := range c.ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list %s: %v", bucket, o.Err)
		}
		n++
		sizes[o.Size]++
	}
	return n, sizes
}

func bucketExists(t *testing.T, s *testserver.Server, bucket string) bool {
	t.Helper()
	ok, err := s.MinioClient(t).BucketExists(context.Background(), bucket)
	if err != nil {
		t.Fatalf("bucket exists %s: %v", bucket, err)
	}
	return ok
}

func TestPutCountsMatchObjects(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Ops, cfg.Keep, cfg.Bucket = WorkloadPut, 40, true, "put-test"
	cfg.SizeMin, cfg.SizeMax = 1000, 3000
	rep := run(t, cfg)
	put := statsOf(t, rep, "PUT")
	checkSane(t, put, rep.Seconds)
	if put.Ops != 40 {
		t.Errorf("got %d PUTs, want 40", put.Ops)
	}
	n, sizes := countObjects(t, s, "put-test", rep.Prefix+"/")
	if n != 40 {
		t.Errorf("got %d objects in the bucket, want 40", n)
	}
	var bytes int64
	for size, k := range sizes {
		if size < 1000 || size > 3000 {
			t.Errorf("got an object of %d bytes, want 1000-3000", size)
		}
		bytes += size * int64(k)
	}
	if bytes != put.Bytes {
		t.Errorf("got %d bytes reported, want %d stored", put.Bytes, bytes)
	}
	if len(rep.Stats) != 1 {
		t.Errorf("got %d rows, want 1 (no TOTAL for one kind)", len(rep.Stats))
	}
}

func TestGetVerifiesContent(t *testing.T) {
	t.Parallel()
	_, cfg := startServer(t)
	cfg.Workload, cfg.Ops, cfg.Objects, cfg.Warmup = WorkloadGet, 60, 10, 100*time.Millisecond
	cfg.ServerPID = os.Getpid() // the server runs in this process
	rep := run(t, cfg)
	get := statsOf(t, rep, "GET")
	checkSane(t, get, rep.Seconds)
	if get.Ops != 60 || get.Bytes != 60*4096 {
		t.Errorf("got %d GETs of %d bytes, want 60 of %d", get.Ops, get.Bytes, 60*4096)
	}
	if rep.WarmupSeconds < 0.1 {
		t.Errorf("got a warm-up of %.3fs, want at least 0.1s", rep.WarmupSeconds)
	}
	// CPU times tick every 10 ms, too coarse to test on a run this short.
	if r := rep.Resources; r.Cores < 1 || r.GeneratorCPU < 0 || r.ServerRSSMiB <= 0 || r.ServerPeakMiB < r.ServerRSSMiB {
		t.Errorf("got resources %+v, want cores and memory figures", r)
	}
}

func TestMixedKeepsTheBooks(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Ops, cfg.Objects, cfg.Keep, cfg.Bucket = WorkloadMixed, 200, 20, true, "mixed-test"
	cfg.Mix = Mix{Get: 30, Put: 30, Delete: 25, Stat: 15}
	rep := run(t, cfg)
	var sum int64
	for _, k := range []string{"GET", "PUT", "DELETE", "STAT"} {
		st := statsOf(t, rep, k)
		checkSane(t, st, rep.Seconds)
		sum += st.Ops
	}
	total := statsOf(t, rep, "TOTAL")
	if sum != 200 || total.Ops != 200 {
		t.Errorf("got %d operations by kind and %d in TOTAL, want 200", sum, total.Ops)
	}
	want := 20 + statsOf(t, rep, "PUT").Ops - statsOf(t, rep, "DELETE").Ops
	if n, _ := countObjects(t, s, "mixed-test", rep.Prefix+"/"); int64(n) != want {
		t.Errorf("got %d objects left, want 20 prepared + PUTs - DELETEs = %d", n, want)
	}
}

func TestListPagesAndKeys(t *testing.T) {
	t.Parallel()
	_, cfg := startServer(t)
	cfg.Workload, cfg.Objects, cfg.SizeMin, cfg.SizeMax = WorkloadList, 250, 10, 10
	cfg.Concurrency, cfg.ListMaxKeys, cfg.Ops = 1, 100, 9
	rep := run(t, cfg)
	list := statsOf(t, rep, "LIST")
	checkSane(t, list, rep.Seconds)
	// Three listings of 100, 100 and 50 keys.
	if list.Ops != 9 || list.Items != 750 {
		t.Errorf("got %d pages with %d keys, want 9 with 750", list.Ops, list.Items)
	}

	cfg.ListStart, cfg.ListPages, cfg.Ops = 0.9, 1, 4
	rep = run(t, cfg)
	if list := statsOf(t, rep, "LIST"); list.Ops != 4 || list.Items != 100 {
		t.Errorf("from 90%%: got %d pages with %d keys, want 4 with 4x25", list.Ops, list.Items)
	}
}

func TestReuseKeptObjects(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Objects, cfg.Ops, cfg.Bucket, cfg.Prefix, cfg.Keep = WorkloadList, 30, 1, "reuse-test", "l", true
	cfg.SizeMin, cfg.SizeMax = 1, 100
	run(t, cfg)

	cfg.Reuse, cfg.Keep, cfg.Ops = true, false, 3
	rep := run(t, cfg)
	if list := statsOf(t, rep, "LIST"); list.Items != 90 {
		t.Errorf("got %d keys listed, want 3x30", list.Items)
	}
	if n, _ := countObjects(t, s, "reuse-test", "l/"); n != 0 {
		t.Errorf("got %d objects after the last run, want 0", n)
	}

	cfg.Objects = 31 // one more than were written
	_, err := Run(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "reuse") {
		t.Errorf("got %v, want an error about the objects to reuse", err)
	}
}

func TestMultipartUploads(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Ops, cfg.Keep, cfg.Bucket, cfg.Concurrency = WorkloadMultipart, 2, true, "mp-test", 2
	cfg.SizeMin, cfg.SizeMax, cfg.PartSize = 11<<20, 11<<20, 5<<20
	rep := run(t, cfg)
	mp, part := statsOf(t, rep, "MULTIPART"), statsOf(t, rep, "PART")
	checkSane(t, mp, rep.Seconds)
	checkSane(t, part, rep.Seconds)
	if mp.Ops != 2 || mp.Items != 6 || part.Ops != 6 || mp.Bytes != 22<<20 || part.Bytes != mp.Bytes {
		t.Errorf("got %+v and %+v, want 2 uploads of 3 parts, 22 MiB", mp, part)
	}
	if _, sizes := countObjects(t, s, "mp-test", rep.Prefix+"/"); sizes[11<<20] != 2 {
		t.Errorf("got object sizes %v, want two of 11 MiB", sizes)
	}
}

func TestDeleteEndsWithTheObjects(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Objects, cfg.Duration, cfg.Keep, cfg.Bucket = WorkloadDelete, 50, time.Minute, true, "del-test"
	rep := run(t, cfg)
	del := statsOf(t, rep, "DELETE")
	checkSane(t, del, rep.Seconds)
	if del.Ops != 50 {
		t.Errorf("got %d DELETEs, want 50", del.Ops)
	}
	if n, _ := countObjects(t, s, "del-test", ""); n != 0 {
		t.Errorf("got %d objects left, want 0", n)
	}
}

func TestCleanupRemovesBucket(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Ops, cfg.Objects = WorkloadStat, 20, 5
	rep := run(t, cfg)
	checkSane(t, statsOf(t, rep, "STAT"), rep.Seconds)
	if bucketExists(t, s, rep.Bucket) {
		t.Errorf("bucket %s still exists after the run", rep.Bucket)
	}

	// A given bucket that existed stays; only the run's objects go.
	c := s.MinioClient(t)
	ctx := context.Background()
	if err := c.MakeBucket(ctx, "mine", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, "mine", "keep-me", strings.NewReader("x"), 1, minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg.Workload, cfg.Bucket = WorkloadPut, "mine"
	run(t, cfg)
	if n, _ := countObjects(t, s, "mine", ""); n != 1 {
		t.Errorf("got %d objects in the user's bucket, want only the 1 it had", n)
	}
}

func TestBadCredentialsFail(t *testing.T) {
	t.Parallel()
	_, cfg := startServer(t)
	cfg.SecretKey = "not-the-secret-key"
	cfg.Workload, cfg.Ops = WorkloadPut, 5
	_, err := Run(context.Background(), cfg, slog.New(slog.DiscardHandler))
	var s3err *S3Error
	if !errors.As(err, &s3err) || s3err.Status != 403 {
		t.Errorf("got %v, want an HTTP 403 answer", err)
	}
}

func TestCommandJSON(t *testing.T) {
	t.Parallel()
	s, _ := startServer(t)
	cmd := NewCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"put", "--endpoint", s.URL, "--access-key", s.AccessKey, "--secret-key", s.SecretKey,
		"--size", "2KiB", "--concurrency", "2", "--ops", "10", "--json", "--quiet"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench put: %v\n%s", err, errOut.String())
	}
	var rep Report
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("output is not a JSON report: %v\n%s", err, out.String())
	}
	if len(rep.Stats) != 1 || rep.Stats[0].Op != "PUT" || rep.Stats[0].Ops != 10 || rep.Stats[0].Bytes != 10*2048 {
		t.Errorf("got stats %+v, want 10 PUTs of 2 KiB", rep.Stats)
	}

	out.Reset()
	cmd = NewCommand()
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs([]string{"get", "--endpoint", s.URL, "--access-key", s.AccessKey, "--secret-key", s.SecretKey,
		"--size", "1KiB", "--objects", "3", "--ops", "6", "--quiet"})
	if err := cmd.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("bench get: %v", err)
	}
	for _, want := range []string{"hoard bench get", "GET", "p99 ms", "generator CPU"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
}
