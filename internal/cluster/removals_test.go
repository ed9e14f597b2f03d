package cluster

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// TestDelayedRemoval: a removed data directory stays readable through the
// grace period (so a reader on another node that read the old metadata
// can still open it), then goes.
func TestDelayedRemoval(t *testing.T) {
	t.Parallel()
	l := openLocal(t, drive.Options{})
	ctx := context.Background()
	data := randBytes(t, 1000)
	stage := stageShard(t, l, "part.1", data)
	dir := newDir()
	if err := l.Apply(ctx, drive.Batch{Stage: stage, DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	q := newRemovals(300*time.Millisecond, testLogger(t))
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { q.run(stop, 10*time.Millisecond); close(done) }()
	t.Cleanup(func() { close(stop); <-done })
	g := &graceDrive{Drive: l, q: q}
	if err := g.RemoveDataDir(ctx, dir); err != nil {
		t.Fatalf("RemoveDataDir: %v", err)
	}
	asked := time.Now()
	if got, err := readAll(t, g, dir, "part.1", 0, int64(len(data))); err != nil || len(got) != len(data) {
		t.Fatalf("read right after the removal was asked: got %d bytes, %v; want the shard", len(got), err)
	}
	path := filepath.Join(l.Root(), ".hoard.sys", "data", hexOf(dir)[:2], hexOf(dir))
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := os.Stat(path)
		if os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("data directory still present %v after the removal was asked", time.Since(asked))
		}
		time.Sleep(10 * time.Millisecond)
	}
	if el := time.Since(asked); el < 250*time.Millisecond {
		t.Fatalf("removed after %v, want after the grace period of 300ms", el)
	}
	if q.Len() != 0 {
		t.Fatalf("queue after the removal: got %d entries, want 0", q.Len())
	}
}

func TestRemovalsDueInOrder(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(0, 0)}
	q := newRemovals(10*time.Second, testLogger(t))
	q.now = clock.Now
	for i := 0; i < 3; i++ {
		q.add(nil, newDir())
		clock.Add(4 * time.Second)
	}
	// Added at 0, 4 and 8 s; now 12 s: the first is due.
	if got := len(q.due()); got != 1 {
		t.Fatalf("due at 12s: got %d, want 1", got)
	}
	clock.Add(6 * time.Second)
	if got := len(q.due()); got != 2 {
		t.Fatalf("due at 18s: got %d, want 2", got)
	}
	if q.Len() != 0 {
		t.Fatalf("left: got %d, want 0", q.Len())
	}
}
