package heal

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/storage"
)

// TestRebuildStaleDrives: on a single-node 2+2 set, two drives miss
// overwrites, new objects and a delete taken by the other two; once they
// answer again the monitor rebuilds them (they are reported healing
// meanwhile), after which they alone serve every object's latest version
// and the deleted object stays deleted.
func TestRebuildStaleDrives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	drives := make([]drive.Drive, 4)
	faulty := make([]*drive.Faulty, 4)
	for i := range drives {
		d, err := drive.OpenLocal(t.TempDir(), drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		faulty[i] = drive.NewFaulty(d)
		drives[i] = faulty[i]
	}
	q := NewQueue(DefaultQueueSize)
	l, err := erasure.New(ctx, erasure.Config{DegradedWrites: true, HealQueue: q}, drives)
	if err != nil {
		t.Fatalf("New: got %v", err)
	}
	t.Cleanup(func() { l.Close() })
	bodies := fill(t, l, "bkt", 8)
	faulty[0].SetMode(drive.FaultEIO)
	faulty[1].SetMode(drive.FaultEIO)
	for i, k := range []string{"obj-000", "obj-001", "new-a", "new-b"} {
		bodies[k] = randBytes(1000+i*300<<10, uint64(100+i))
		if _, err := l.PutObject(ctx, "bkt", k, newPayload(bodies[k]), storage.PutOptions{}); err != nil {
			t.Fatalf("PUT %s with 2 of 4 drives down: got %v, want nil", k, err)
		}
	}
	if _, err := l.DeleteObject(ctx, "bkt", "obj-002", storage.DeleteOptions{}); err != nil {
		t.Fatalf("DELETE with 2 of 4 drives down: got %v, want nil", err)
	}
	delete(bodies, "obj-002")
	if got := l.RebuildingDrives(); len(got) != 2 {
		t.Fatalf("RebuildingDrives: got %v, want the 2 drives that missed the writes", got)
	}
	h := startHealer(t, Config{Engine: l, Queue: q, Rate: -1, CheckInterval: 50 * time.Millisecond})
	faulty[0].SetMode(drive.FaultNone)
	faulty[1].SetMode(drive.FaultNone)
	reasons := map[string]bool{}
	waitFor(t, 30*time.Second, "the stale drives to be rebuilt", func() bool {
		for _, d := range h.Status().Drives {
			reasons[d.Reason] = true
		}
		return len(l.RebuildingDrives()) == 0 && len(h.Status().Drives) == 0
	})
	if len(reasons) > 0 && (len(reasons) != 1 || !reasons[ReasonStale]) {
		t.Errorf("rebuild reasons: got %v, want only %q", reasons, ReasonStale)
	}
	verify(t, l, "bkt", bodies)
	faulty[2].SetMode(drive.FaultEIO)
	faulty[3].SetMode(drive.FaultEIO)
	for k, want := range bodies {
		got, err := readObject(l, "bkt", k)
		if err != nil && got == nil {
			t.Errorf("open %s on the rebuilt drives alone: %v", k, err)
			continue
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("GET %s on the rebuilt drives alone: got %d bytes, %v; want %d", k, len(got), err, len(want))
		}
	}
	if _, err := l.StatObject(ctx, "bkt", "obj-002", storage.GetOptions{}); err == nil {
		t.Errorf("HEAD of the deleted object on the rebuilt drives: got it, want not found")
	}
}
