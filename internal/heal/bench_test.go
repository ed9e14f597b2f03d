package heal

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// BenchmarkRebuild measures how fast a wiped drive of a 2+2 set is
// rebuilt: 64 objects of 4 MiB (a quarter of each lands on the drive),
// reported as MB/s of shard bytes written to it.
func BenchmarkRebuild(b *testing.B) {
	l, dirs, q := openDirs(b, 4)
	ctx := context.Background()
	if err := l.MakeBucket(ctx, "bkt"); err != nil {
		b.Fatal(err)
	}
	body := randBytes(4<<20, 1)
	for i := range 64 {
		mustPut(b, l, "bkt", fmt.Sprintf("obj-%03d", i), body)
	}
	h, err := New(Config{Engine: l, Queue: q, Rate: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	b.ResetTimer()
	var written int64
	var spent time.Duration
	for range b.N {
		b.StopTimer()
		if err := os.RemoveAll(dirs[3]); err != nil {
			b.Fatal(err)
		}
		if replaced, err := l.CheckDrives(ctx); err != nil || len(replaced) != 1 {
			b.Fatalf("CheckDrives: got %v, %v", replaced, err)
		}
		b.StartTimer()
		start := time.Now()
		h.rebuild(ctx, rebuildJob{endpoint: dirs[3], reason: ReasonReplaced})
		spent += time.Since(start)
		if len(l.RebuildingDrives()) != 0 {
			b.Fatal("drive not rebuilt")
		}
		written += 64 * (4<<20/2 + 4*32)
	}
	b.ReportMetric(float64(written)/(1<<20)/spent.Seconds(), "MiB/s")
}
