package heal

import (
	"bytes"
	"context"
	"sync/atomic"
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

// reloadCounter is an engine that counts its ReloadStale calls.
type reloadCounter struct {
	*erasure.Layer
	reloads atomic.Int64
}

func (r *reloadCounter) ReloadStale(ctx context.Context) []string {
	defer r.reloads.Add(1)
	return r.Layer.ReloadStale(ctx)
}

// sharedDrive is a drive a second engine uses without owning it.
type sharedDrive struct{ drive.Drive }

func (sharedDrive) Close() error { return nil }

// TestRebuildHereAfterPeerChange runs two engines over the same drives,
// as two nodes of a cluster: engine a records two drives stale (writes
// missed them); the healer of engine b, whose periodic check is an hour
// away, learns of it when told (DrivesChanged), rebuilds only the drive
// it is given (RebuildHere) and clears its records, which a then reads
// too; the other drive stays stale for its own node to rebuild.
func TestRebuildHereAfterPeerChange(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	faulty := make([]*drive.Faulty, 4)
	own := make([]drive.Drive, 4)
	shared := make([]drive.Drive, 4)
	for i := range faulty {
		d, err := drive.OpenLocal(t.TempDir(), drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		faulty[i] = drive.NewFaulty(d)
		own[i], shared[i] = faulty[i], sharedDrive{faulty[i]}
	}
	a, err := erasure.New(ctx, erasure.Config{DegradedWrites: true}, own)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	bodies := fill(t, a, "bkt", 6)
	b, err := erasure.New(ctx, erasure.Config{}, shared)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	here, there := faulty[2].Endpoint(), faulty[3].Endpoint()
	e := &reloadCounter{Layer: b}
	h := startHealer(t, Config{Engine: e, Rate: -1, CheckInterval: time.Hour,
		RebuildHere: func(ep string) bool { return ep == here }})
	waitFor(t, 10*time.Second, "the healer's first drive check", func() bool { return e.reloads.Load() > 0 })
	faulty[2].SetMode(drive.FaultEIO)
	faulty[3].SetMode(drive.FaultEIO)
	bodies["obj-000"] = randBytes(5000, 77)
	if _, err := a.PutObject(ctx, "bkt", "obj-000", newPayload(bodies["obj-000"]), storage.PutOptions{}); err != nil {
		t.Fatalf("PUT with 2 of 4 drives down: %v", err)
	}
	faulty[2].SetMode(drive.FaultNone)
	faulty[3].SetMode(drive.FaultNone)
	if got := b.RebuildingDrives(); len(got) != 0 {
		t.Fatalf("engine b before it is told: RebuildingDrives got %v, want none", got)
	}
	h.DrivesChanged()
	waitFor(t, 30*time.Second, "engine b to rebuild the drive it owns", func() bool {
		got := b.RebuildingDrives()
		return len(got) == 1 && got[0] == there && len(h.Status().Drives) == 0
	})
	if got := a.ReloadStale(ctx); len(got) != 1 || got[0] != here {
		t.Errorf("engine a reloading: changed %v, want [%s]", got, here)
	}
	if got := a.RebuildingDrives(); len(got) != 1 || got[0] != there {
		t.Errorf("engine a: RebuildingDrives got %v, want [%s]", got, there)
	}
	// Drive 1 lost, drive 4 stale: b reads from drive 2 and the rebuilt
	// drive 3, which holds the overwrite it missed.
	faulty[0].SetMode(drive.FaultEIO)
	for k, want := range bodies {
		if got, err := readObject(b, "bkt", k); err != nil || !bytes.Equal(got, want) {
			t.Errorf("GET %s from drives 2 and 3: got %d bytes, %v; want %d", k, len(got), err, len(want))
		}
	}
}
