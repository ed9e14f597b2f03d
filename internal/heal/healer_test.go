package heal

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

func TestPacer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rate  float64
		units int64
		calls int
		min   time.Duration
	}{
		{rate: 50, units: 1, calls: 11, min: 200 * time.Millisecond},
		{rate: 1 << 20, units: 128 << 10, calls: 3, min: 250 * time.Millisecond},
	}
	for _, tt := range tests {
		p := newPacer(tt.rate)
		start := time.Now()
		for range tt.calls {
			if err := p.wait(context.Background(), tt.units); err != nil {
				t.Fatal(err)
			}
		}
		if got := time.Since(start); got < tt.min {
			t.Errorf("rate %v, %d calls of %d: took %v, want at least %v", tt.rate, tt.calls, tt.units, got, tt.min)
		}
	}
	if err := (*pacer)(nil).wait(context.Background(), 1); err != nil {
		t.Errorf("nil pacer: got %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	p := newPacer(0.5)
	p.wait(ctx, 1)
	cancel()
	if err := p.wait(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("wait after cancel: got %v, want context.Canceled", err)
	}
}

// timedEngine records when the scanner heals each object.
type timedEngine struct {
	*erasure.Layer
	mu    sync.Mutex
	times []time.Time
}

func (e *timedEngine) HealObjectWith(ctx context.Context, bucket, key string, opts repair.Options) (repair.Result, error) {
	e.mu.Lock()
	e.times = append(e.times, time.Now())
	e.mu.Unlock()
	return e.Layer.HealObjectWith(ctx, bucket, key, opts)
}

func TestScannerRate(t *testing.T) {
	t.Parallel()
	l, _, q := openDirs(t, 4)
	fill(t, l, "bkt", 12)
	const rate = 20.0
	e := &timedEngine{Layer: l}
	h, err := New(Config{Engine: e, Queue: q, Rate: rate, ByteRate: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.scanCycle(context.Background(), true)
	if len(e.times) != 12 {
		t.Fatalf("objects visited: got %d, want 12", len(e.times))
	}
	// In any window of one second at most rate+1 objects are visited, and
	// the visits span at least (n-1)/rate.
	for i := range e.times {
		n := 0
		for _, at := range e.times[i:] {
			if at.Sub(e.times[i]) < time.Second {
				n++
			}
		}
		if n > int(rate)+1 {
			t.Errorf("window from visit %d: got %d visits in one second, want at most %d", i, n, int(rate)+1)
		}
	}
	if span, want := e.times[len(e.times)-1].Sub(e.times[0]), time.Duration(11/rate*float64(time.Second)); span < want {
		t.Errorf("span of 12 visits: got %v, want at least %v", span, want)
	}
	if st := h.Status().Scanner; st.Scanned != 12 || st.Failed != 0 || st.Cycles != 1 {
		t.Errorf("scanner status: got %+v, want 12 scanned, 1 cycle", st)
	}
}

func TestScannerRepairsBitrotAndCountsUsage(t *testing.T) {
	t.Parallel()
	l, dirs, q := openDirs(t, 4)
	bodies := fill(t, l, "bkt", 9)
	r := rand.New(rand.NewPCG(1, 2))
	damaged := flipShards(t, dirs[0], r) + flipShards(t, dirs[3], r)
	if damaged == 0 {
		t.Fatal("no shard files to damage")
	}
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: 1000, Interval: time.Hour, CheckInterval: time.Hour})
	waitFor(t, 20*time.Second, "a scanner cycle", func() bool { return h.Status().Scanner.Cycles >= 1 })
	st := h.Status().Scanner
	if st.Scanned != 9 || st.Healed == 0 || st.Failed != 0 {
		t.Errorf("scanner: got %+v, want 9 scanned, some healed, none failed", st)
	}
	verify(t, l, "bkt", bodies)
	var total uint64
	for _, b := range bodies {
		total += uint64(len(b))
	}
	// The scanner counted the bucket's usage on its way.
	u, err := l.BucketUsage(context.Background(), "bkt")
	if err != nil || u.Objects != 9 || u.Bytes != total {
		t.Errorf("usage: got %+v, %v; want 9 objects, %d bytes", u, err, total)
	}
}

func TestStartHealAfterMissedWrites(t *testing.T) {
	t.Parallel()
	l, faulty, q := openFaulty(t, 4)
	ctx := context.Background()
	bodies := fill(t, l, "bkt", 6)
	deleted := []string{}
	// Drive 0 misses a round of writes, then drive 1 another.
	for round, down := range []int{0, 1} {
		faulty[down].SetMode(drive.FaultRemoved)
		for i, k := range []string{"obj-000", "obj-001", "obj-002"} {
			bodies[k] = randBytes([]int{1<<20 + 3, 500, 70 << 10}[i], uint64(100*round+i))
			mustPut(t, l, "bkt", k, bodies[k])
		}
		gone := []string{"obj-003", "obj-004"}[round]
		if _, err := l.DeleteObject(ctx, "bkt", gone, storage.DeleteOptions{}); err != nil {
			t.Fatal(err)
		}
		delete(bodies, gone)
		deleted = append(deleted, gone)
		faulty[down].SetMode(drive.FaultNone)
	}
	if err := l.MakeBucket(ctx, "other"); err != nil {
		t.Fatal(err)
	}
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: -1, CheckInterval: time.Hour})
	if err := h.StartHeal(ctx, "nope", ""); !errors.Is(err, storage.ErrBucketNotFound) {
		t.Errorf("StartHeal of a missing bucket: got %v, want ErrBucketNotFound", err)
	}
	if err := h.StartHeal(ctx, "", ""); err != nil {
		t.Fatalf("StartHeal: got %v", err)
	}
	waitFor(t, 20*time.Second, "the heal to finish", func() bool { return !h.Status().Run.Running })
	// The writes that missed a drive were queued too: the worker may have
	// healed some of them first.
	st := h.Status()
	if run := st.Run; run.Scanned != 6 || run.Healed+st.Queue.Healed == 0 || run.Failed != 0 || run.Finished.IsZero() {
		t.Errorf("heal run: got %+v (queue %+v), want 6 scanned (4 objects, 2 deleted copies), some healed, none failed", run, st.Queue)
	}
	verify(t, l, "bkt", bodies)
	for _, k := range deleted {
		res, err := l.HealObjectWith(ctx, "bkt", k, repair.Options{DryRun: true})
		if err != nil || res.Exists || res.Damaged() {
			t.Errorf("deleted %s: got exists %v %+v, %v; want gone from every drive", k, res.Exists, res.Drives, err)
		}
	}
}

// blockingEngine holds key walks until released.
type blockingEngine struct {
	*erasure.Layer
	release chan struct{}
}

func (e *blockingEngine) HealKeys(ctx context.Context, o repair.Walk) ([]string, bool, error) {
	select {
	case <-e.release:
	case <-ctx.Done():
		return nil, false, ctx.Err()
	}
	return e.Layer.HealKeys(ctx, o)
}

func TestStartHealOneAtATime(t *testing.T) {
	t.Parallel()
	l, _, q := openDirs(t, 4)
	fill(t, l, "bkt", 2)
	e := &blockingEngine{Layer: l, release: make(chan struct{})}
	h := startHealer(t, Config{Engine: e, Queue: q, Rate: -1, CheckInterval: time.Hour})
	ctx := context.Background()
	if err := h.StartHeal(ctx, "bkt", "obj-"); err != nil {
		t.Fatal(err)
	}
	if err := h.StartHeal(ctx, "", ""); !errors.Is(err, ErrRunning) {
		t.Errorf("second StartHeal: got %v, want ErrRunning", err)
	}
	if st := h.Status().Run; !st.Running || st.Bucket != "bkt" || st.Prefix != "obj-" {
		t.Errorf("status while running: got %+v", st)
	}
	close(e.release)
	waitFor(t, 10*time.Second, "the heal to finish", func() bool { return !h.Status().Run.Running })
	if st := h.Status().Run; st.Scanned != 2 || st.Failed != 0 {
		t.Errorf("finished run: got %+v, want 2 scanned", st)
	}
	if err := h.StartHeal(ctx, "bkt", ""); err != nil {
		t.Errorf("StartHeal after the first finished: got %v", err)
	}
}

func TestRebuildWipedDrive(t *testing.T) {
	t.Parallel()
	l, dirs, q := openDirs(t, 4)
	bodies := fill(t, l, "bkt", 15)
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: -1, CheckInterval: 50 * time.Millisecond})
	if err := os.RemoveAll(dirs[1]); err != nil {
		t.Fatal(err)
	}
	var seen []DriveProgress
	waitFor(t, 20*time.Second, "the rebuild to start", func() bool {
		if d := h.Status().Drives; len(d) > 0 {
			seen = append(seen, d[0])
			return true
		}
		return false
	})
	waitFor(t, 20*time.Second, "the rebuild to finish", func() bool {
		if d := h.Status().Drives; len(d) > 0 {
			seen = append(seen, d[0])
		}
		return len(l.RebuildingDrives()) == 0 && len(h.Status().Drives) == 0
	})
	if p := seen[0]; p.Endpoint != dirs[1] || p.Reason != ReasonReplaced {
		t.Errorf("rebuild: got %+v, want drive %s replaced", p, dirs[1])
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].Done < seen[i-1].Done || seen[i].Percent() > 100 {
			t.Errorf("progress went from %d to %d (%.1f%%)", seen[i-1].Done, seen[i].Done, seen[i].Percent())
		}
	}
	verify(t, l, "bkt", bodies)
	si, _ := l.StorageInfo(context.Background())
	for _, d := range si.Drives {
		if d.State != "online" {
			t.Errorf("drive %s after rebuild: got %s, want online", d.Endpoint, d.State)
		}
	}
}

// TestCatchUpReturningDrive takes a drive offline while objects are
// written and deleted: when it answers again the monitor runs a catch-up
// pass of its set that brings every object back to full redundancy.
func TestCatchUpReturningDrive(t *testing.T) {
	t.Parallel()
	l, faulty, q := openFaulty(t, 4)
	ctx := context.Background()
	bodies := fill(t, l, "bkt", 3)
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: -1, CheckInterval: 20 * time.Millisecond})
	faulty[2].SetMode(drive.FaultEIO)
	waitFor(t, 10*time.Second, "the monitor to see the drive offline", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.offline) == 1
	})
	for i := range 6 {
		k := fmt.Sprintf("new-%d", i)
		bodies[k] = randBytes([]int{2 << 20, 700}[i%2], uint64(50+i))
		mustPut(t, l, "bkt", k, bodies[k])
	}
	if _, err := l.DeleteObject(ctx, "bkt", "obj-000", storage.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	delete(bodies, "obj-000")
	faulty[2].SetMode(drive.FaultNone)
	waitFor(t, 20*time.Second, "the catch-up pass", func() bool {
		res, err := l.HealObjectWith(ctx, "bkt", "new-0", repair.Options{DryRun: true})
		return err == nil && !res.Damaged() && len(h.Status().Drives) == 0
	})
	verify(t, l, "bkt", bodies)
	res, err := l.HealObjectWith(ctx, "bkt", "obj-000", repair.Options{DryRun: true})
	if err != nil || res.Exists || res.Damaged() {
		t.Errorf("deleted object: got exists %v %+v, %v; want gone everywhere", res.Exists, res.Drives, err)
	}
}

// TestScannerOnlyWhereAsked keeps the scanner idle while ScanHere says no
// (a cluster node that is not the coordinator).
func TestScannerOnlyWhereAsked(t *testing.T) {
	t.Parallel()
	l, _, q := openDirs(t, 4)
	fill(t, l, "bkt", 2)
	var mu sync.Mutex
	here := false
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: 1000, Interval: time.Hour, CheckInterval: 10 * time.Millisecond,
		ScanHere: func() bool { mu.Lock(); defer mu.Unlock(); return here }})
	time.Sleep(100 * time.Millisecond) // ScanHere is asked every 10 ms meanwhile
	if st := h.Status().Scanner; st.Cycles != 0 || st.Scanned != 0 {
		t.Fatalf("scanner on a node that should not scan: got %+v, want idle", st)
	}
	mu.Lock()
	here = true
	mu.Unlock()
	waitFor(t, 10*time.Second, "a scanner cycle", func() bool { return h.Status().Scanner.Cycles == 1 })
}

// TestWriteThatMissedADriveIsHealed: a write that commits while a drive is
// briefly away (shorter than the monitor's interval) is queued at once and
// reaches the drive when it answers again, with no scan or command.
func TestWriteThatMissedADriveIsHealed(t *testing.T) {
	t.Parallel()
	l, faulty, q := openFaulty(t, 4)
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: -1, CheckInterval: 50 * time.Millisecond})
	faulty[1].SetMode(drive.FaultRemoved)
	bodies := map[string][]byte{}
	for i := range 6 {
		k := fmt.Sprintf("k%d", i)
		bodies[k] = randBytes([]int{1 << 20, 900}[i%2], uint64(i))
		mustPut(t, l, "bkt", k, bodies[k])
	}
	waitFor(t, 10*time.Second, "the queued heals to meet the offline drive", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.retries) == len(bodies)
	})
	faulty[1].SetMode(drive.FaultNone)
	waitFor(t, 10*time.Second, "the held heals to finish", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		return len(h.retries) == 0
	})
	verify(t, l, "bkt", bodies)
}
