package cluster

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// acked records every acknowledged write: key -> seed and size of its body.
type acked struct {
	mu   sync.Mutex
	objs map[string][2]int
}

func (a *acked) add(key string, seed, size int) {
	a.mu.Lock()
	a.objs[key] = [2]int{seed, size}
	a.mu.Unlock()
}

func (a *acked) snapshot() map[string][2]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string][2]int, len(a.objs))
	for k, v := range a.objs {
		out[k] = v
	}
	return out
}

// verifyAll reads every acknowledged object through clients (rotating)
// and checks its bytes.
func verifyAll(t *testing.T, what string, clients []*s3.Client, bucket string, objs map[string][2]int) {
	t.Helper()
	ctx := ctx(t)
	i := 0
	for key, v := range objs {
		cl := clients[i%len(clients)]
		i++
		got, err := get(ctx, cl, bucket, key)
		if err != nil {
			t.Fatalf("%s: GET %s: %v", what, key, err)
		}
		if want := body(uint64(v[0]), v[1]); !bytes.Equal(got, want) {
			t.Fatalf("%s: GET %s: got %d bytes differing from the %d acknowledged", what, key, len(got), len(want))
		}
	}
	for ci, cl := range clients {
		keys, err := listKeys(ctx, cl, bucket, "")
		if err != nil {
			t.Fatalf("%s: LIST through client %d: %v", what, ci, err)
		}
		for key := range objs {
			if !keys[key] {
				t.Fatalf("%s: LIST through client %d misses acknowledged %s", what, ci, key)
			}
		}
	}
}

// TestKillNodeDuringWorkload: SIGKILL of one node in the middle of
// concurrent writes through every node loses no acknowledged write; the
// survivors keep accepting writes; the restarted node serves everything.
func TestKillNodeDuringWorkload(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	clients := make([]*s3.Client, 4)
	for i := range clients {
		clients[i] = c.nodes[i].s3Client(t)
	}
	mkBucket(t, clients[0], "survive")
	ctx := ctx(t)
	sizes := []int{1 << 10, 100 << 10, 700 << 10, 2<<20 + 3}
	done := &acked{objs: map[string][2]int{}}
	var killedAt atomic.Int64 // unix nanos
	var lateFailures, afterKill atomic.Int64
	var firstLate atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 6; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				select {
				case <-stop:
					return
				default:
				}
				node := (w + i) % 4
				key := fmt.Sprintf("w%d/%04d", w, i)
				seed, size := w*1000+i, sizes[(w+i)%len(sizes)]
				start := time.Now()
				err := put(ctx, clients[node], "survive", key, body(uint64(seed), size))
				if err == nil {
					done.add(key, seed, size)
				}
				k := killedAt.Load()
				if k == 0 || node == 3 || start.UnixNano() < k {
					continue
				}
				afterKill.Add(1)
				// A write that started a moment after the kill may still
				// meet a peer connection that died with the node; from a
				// second on, every write through a survivor must succeed.
				if err != nil && start.UnixNano() > k+int64(time.Second) {
					lateFailures.Add(1)
					firstLate.CompareAndSwap(nil, fmt.Sprintf("%s through node %d: %v", key, node+1, err))
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	before := len(done.snapshot())
	c.nodes[3].kill()
	killedAt.Store(time.Now().UnixNano())
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()
	objs := done.snapshot()
	t.Logf("acknowledged writes: %d before the kill, %d in all; %d writes through survivors after it", before, len(objs), afterKill.Load())
	if before == 0 || afterKill.Load() == 0 {
		t.Fatalf("workload too small: %d writes before the kill, %d after", before, afterKill.Load())
	}
	if n := lateFailures.Load(); n > 0 {
		t.Fatalf("%d writes through survivors failed a second or more after the kill; first: %v", n, firstLate.Load())
	}
	verifyAll(t, "survivors", clients[:3], "survive", objs)

	c.nodes[3].start()
	c.nodes[3].waitReady()
	verifyAll(t, "restarted node", clients[3:], "survive", objs)
	if err := put(ctx, clients[3], "survive", "after-restart", body(1, 1000)); err != nil {
		t.Fatalf("PUT through the restarted node: %v", err)
	}
}

// TestRestartWhileAnotherNodeIsDown: a node restarts and rejoins while
// another node is still down (three of four nodes suffice), and the
// cluster serves reads and writes through it.
func TestRestartWhileAnotherNodeIsDown(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	ctx := ctx(t)
	a := c.nodes[0].s3Client(t)
	mkBucket(t, a, "rejoin")
	data := body(11, 600<<10)
	if err := put(ctx, a, "rejoin", "before", data); err != nil {
		t.Fatalf("PUT: %v", err)
	}
	c.nodes[3].kill()
	c.nodes[2].kill()
	c.nodes[2].start()
	c.nodes[2].waitReady()
	cl := c.nodes[2].s3Client(t)
	if got, err := get(ctx, cl, "rejoin", "before"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET through the restarted node with node 4 down: got %d bytes, %v", len(got), err)
	}
	if err := put(ctx, cl, "rejoin", "during", data); err != nil {
		t.Fatalf("PUT through the restarted node with node 4 down: %v", err)
	}
	c.nodes[3].start()
	c.nodes[3].waitReady()
	if got, err := get(ctx, c.nodes[3].s3Client(t), "rejoin", "during"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET through node 4 after it rejoined: got %d bytes, %v", len(got), err)
	}
}
