package cluster

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestLockTable(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Unix(1000, 0)}
	tbl := NewLockTable(10*time.Second, clock.Now)
	steps := []struct {
		op, res, uid string
		advance      time.Duration
		want         bool
	}{
		{"lock", "r", "a", 0, true},
		{"lock", "r", "a", 0, true}, // idempotent retry
		{"lock", "r", "b", 0, false},
		{"rlock", "r", "c", 0, false},
		{"refresh", "r", "a", 8 * time.Second, true},
		{"lock", "r", "b", 8 * time.Second, false}, // refreshed at 8s: lives to 18s
		{"lock", "r", "b", 3 * time.Second, true},  // 19s: a's grant expired
		{"refresh", "r", "a", 0, false},
		{"unlock", "r", "a", 0, true}, // unlocking someone else's lock changes nothing
		{"lock", "r", "a", 0, false},
		{"unlock", "r", "b", 0, true},
		{"rlock", "r", "c", 0, true},
		{"rlock", "r", "d", 0, true},
		{"lock", "r", "a", 0, false},
		{"runlock", "r", "c", 0, true},
		{"runlock", "r", "d", 0, true},
		{"lock", "r", "a", 0, true},
	}
	for i, s := range steps {
		clock.Add(s.advance)
		got, err := tbl.Do(s.op, s.res, s.uid, 0)
		if err != nil || got != s.want {
			t.Fatalf("step %d %s(%s,%s): got %v, %v; want %v", i, s.op, s.res, s.uid, got, err, s.want)
		}
	}
	if _, err := tbl.Do("steal", "r", "a", 0); !errors.Is(err, ErrProtocol) {
		t.Fatalf("unknown op: got %v, want ErrProtocol", err)
	}
	clock.Add(time.Minute)
	if n := tbl.Sweep(); n != 1 || tbl.Len() != 0 {
		t.Fatalf("Sweep: removed %d, %d left; want 1 and 0", n, tbl.Len())
	}
}

// lockCluster returns n lock tables reached through real RPC servers and
// a Locker per node (node i's own table in-process).
func lockCluster(t *testing.T, n int, opts LockerOptions) ([]*Locker, []*testNode) {
	t.Helper()
	nodes := make([]*testNode, n)
	for i := range nodes {
		nodes[i] = startNode(t, testSecret, nil)
	}
	lockers := make([]*Locker, n)
	for i := range lockers {
		ln := make([]lockNode, n)
		for j := range nodes {
			if j == i {
				ln[j] = localLocks{nodes[j].locks}
				continue
			}
			p := newTestPeer(t, nodes[j].host(), testSecret, PeerOptions{})
			waitOnline(t, p, true)
			ln[j] = remoteLocks{p}
		}
		opts.Logger = testLogger(t)
		lockers[i] = newLocker(ln, n/2+1, n-(n/2+1)+1, opts)
		t.Cleanup(lockers[i].Close)
	}
	return lockers, nodes
}

// TestLockerMutualExclusion: writers on different nodes never overlap.
func TestLockerMutualExclusion(t *testing.T) {
	t.Parallel()
	lockers, _ := lockCluster(t, 4, LockerOptions{})
	var inside, overlaps, done atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := lockers[w%len(lockers)]
			for i := 0; i < 25; i++ {
				unlock, err := l.Lock(context.Background(), "key")
				if err != nil {
					t.Errorf("Lock: %v", err)
					return
				}
				if inside.Add(1) != 1 {
					overlaps.Add(1)
				}
				time.Sleep(100 * time.Microsecond)
				inside.Add(-1)
				unlock()
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if overlaps.Load() != 0 || done.Load() != 200 {
		t.Fatalf("got %d overlaps in %d critical sections, want 0 in 200", overlaps.Load(), done.Load())
	}
}

func TestLockerReadersShareWritersExclude(t *testing.T) {
	t.Parallel()
	lockers, _ := lockCluster(t, 3, LockerOptions{MaxWait: 300 * time.Millisecond})
	ctx := context.Background()
	r1, err1 := lockers[0].RLock(ctx, "res")
	r2, err2 := lockers[1].RLock(ctx, "res")
	if err1 != nil || err2 != nil {
		t.Fatalf("two read locks: got %v, %v; want both", err1, err2)
	}
	if _, err := lockers[2].Lock(ctx, "res"); !errors.Is(err, ErrLockQuorum) || !errors.Is(err, storage.ErrWriteQuorum) {
		t.Fatalf("write lock under readers: got %v, want ErrLockQuorum wrapping storage.ErrWriteQuorum", err)
	}
	r1()
	r2()
	deadline := time.Now().Add(5 * time.Second)
	for {
		unlock, err := lockers[2].Lock(ctx, "res")
		if err == nil {
			unlock()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("write lock after readers left: %v", err)
		}
	}
}

// TestLockerMinorityRefuses: with a majority of nodes gone, locks fail
// at once instead of waiting.
func TestLockerMinorityRefuses(t *testing.T) {
	t.Parallel()
	lockers, nodes := lockCluster(t, 4, LockerOptions{})
	for _, n := range nodes[1:3] {
		n.srv.CloseClientConnections()
		n.srv.Close()
	}
	ctx := context.Background()
	// The first attempt discovers the dead nodes; later ones fail fast.
	for attempt := 0; attempt < 3; attempt++ {
		start := time.Now()
		_, err := lockers[0].Lock(ctx, "k")
		if !errors.Is(err, ErrLockQuorum) {
			t.Fatalf("attempt %d: got %v, want ErrLockQuorum", attempt, err)
		}
		if el := time.Since(start); attempt > 0 && el > 100*time.Millisecond {
			t.Fatalf("attempt %d took %v, want a fast refusal", attempt, el)
		}
	}
	// Two of four nodes still grant a read lock (read quorum 2).
	unlock, err := lockers[0].RLock(ctx, "k")
	if err != nil {
		t.Fatalf("read lock with 2 of 4 nodes: %v", err)
	}
	unlock()
}

// TestLockerCrashedHolderExpires: a lock whose holder vanished (never
// unlocks, never refreshes) becomes free after the TTL.
func TestLockerCrashedHolderExpires(t *testing.T) {
	t.Parallel()
	ttl := 400 * time.Millisecond
	lockers, _ := lockCluster(t, 3, LockerOptions{TTL: ttl, MaxWait: 5 * time.Second})
	ctx := context.Background()
	if _, err := lockers[0].Lock(ctx, "k"); err != nil {
		t.Fatalf("Lock: %v", err)
	}
	lockers[0].Close() // the holder "crashes": no more refreshes, no unlock
	start := time.Now()
	unlock, err := lockers[1].Lock(ctx, "k")
	if err != nil {
		t.Fatalf("Lock after the holder crashed: %v", err)
	}
	unlock()
	if el := time.Since(start); el < ttl/2 || el > 3*ttl {
		t.Fatalf("took over the lock after %v, want about the TTL %v", el, ttl)
	}
}

// TestLockerRefreshKeepsLock: a holder that lives beyond the TTL keeps
// its lock through refreshes.
func TestLockerRefreshKeepsLock(t *testing.T) {
	t.Parallel()
	ttl := 200 * time.Millisecond
	lockers, _ := lockCluster(t, 3, LockerOptions{TTL: ttl, MaxWait: 100 * time.Millisecond})
	ctx := context.Background()
	unlock, err := lockers[0].Lock(ctx, "k")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	time.Sleep(3 * ttl)
	if _, err := lockers[1].Lock(ctx, "k"); !errors.Is(err, ErrLockQuorum) {
		t.Fatalf("Lock while refreshed elsewhere: got %v, want ErrLockQuorum", err)
	}
	unlock()
}
