package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// contention is the workload of TestConcurrentWritersSameKeys: writers
// spread over the nodes write the same keys in different orders.
type contention struct {
	clients []*s3.Client
	keys    int
	writers int // in all, spread over the clients
	rounds  int
	sizes   []int
	// written holds every body any writer may store, by key.
	written []map[[32]byte]bool
}

func newContention(clients []*s3.Client) *contention {
	w := &contention{clients: clients, keys: 6, writers: 12, rounds: 5, sizes: []int{3 << 10, 300 << 10, 1<<20 + 7}}
	w.written = make([]map[[32]byte]bool, w.keys)
	for k := range w.written {
		w.written[k] = map[[32]byte]bool{}
		for wr := 0; wr < w.writers; wr++ {
			for r := 0; r < w.rounds; r++ {
				w.written[k][digest(w.body(wr, r, k))] = true
			}
		}
	}
	return w
}

func (w *contention) body(writer, round, key int) []byte {
	return body(uint64(writer*10000+round*100+key+1), w.sizes[(writer+round+key)%len(w.sizes)])
}

func keyName(k int) string { return fmt.Sprintf("key-%d", k) }

// write runs writer wr to the end, reporting its first error.
func (w *contention) write(ctx context.Context, wr int, errs chan<- error) {
	cl := w.clients[wr%len(w.clients)]
	for r := 0; r < w.rounds; r++ {
		for k := 0; k < w.keys; k++ {
			kk := (k + wr) % w.keys // writers walk the keys in different orders
			if err := put(ctx, cl, "contended", keyName(kk), w.body(wr, r, kk)); err != nil {
				errs <- fmt.Errorf("writer %d PUT %s through node %d: %w", wr, keyName(kk), wr%len(w.clients)+1, err)
				return
			}
		}
	}
}

// read reads keys through one node until stop closes; every body must be
// one a writer wrote whole.
func (w *contention) read(ctx context.Context, rd int, stop <-chan struct{}, errs chan<- error) {
	cl := w.clients[(rd+1)%len(w.clients)]
	for i := 0; i < 10000; i++ {
		select {
		case <-stop:
			return
		default:
		}
		k := (rd + i) % w.keys
		got, err := get(ctx, cl, "contended", keyName(k))
		if errorCode(err) == "NoSuchKey" {
			continue // not written yet
		}
		if err != nil {
			errs <- fmt.Errorf("reader %d GET %s: %w", rd, keyName(k), err)
			return
		}
		if !w.written[k][digest(got)] {
			errs <- fmt.Errorf("reader %d GET %s: %d bytes that no writer wrote (a mixed object)", rd, keyName(k), len(got))
			return
		}
	}
}

// TestConcurrentWritersSameKeys: many clients write the same keys through
// different nodes while others read them; every read returns one whole
// written body, and afterwards every node returns the same one of them.
func TestConcurrentWritersSameKeys(t *testing.T) {
	c := startCluster(t, clusterOptions{nodes: 4, drives: 2})
	ctx := ctx(t)
	clients := make([]*s3.Client, 4)
	for i := range clients {
		clients[i] = c.nodes[i].s3Client(t)
	}
	mkBucket(t, clients[0], "contended")
	w := newContention(clients)
	errs := make(chan error, w.writers+8)
	stop := make(chan struct{})
	var writers, readers sync.WaitGroup
	for wr := 0; wr < w.writers; wr++ {
		writers.Add(1)
		go func() { defer writers.Done(); w.write(ctx, wr, errs) }()
	}
	for rd := 0; rd < 4; rd++ {
		readers.Add(1)
		go func() { defer readers.Done(); w.read(ctx, rd, stop, errs) }()
	}
	writers.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for k := 0; k < w.keys; k++ {
		var first [32]byte
		for i, cl := range clients {
			got, err := get(ctx, cl, "contended", keyName(k))
			if err != nil {
				t.Fatalf("final GET %s through node %d: %v", keyName(k), i+1, err)
			}
			d := digest(got)
			if !w.written[k][d] {
				t.Fatalf("final GET %s through node %d: a body no writer wrote", keyName(k), i+1)
			}
			if i == 0 {
				first = d
			} else if d != first {
				t.Fatalf("final GET %s: node %d returns a different body than node 1", keyName(k), i+1)
			}
		}
	}
}
