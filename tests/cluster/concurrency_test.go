package cluster

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

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
	const keys, writersPerNode, rounds = 6, 3, 5
	sizes := []int{3 << 10, 300 << 10, 1<<20 + 7}
	// Every body any writer may store, by key.
	written := make([]map[[32]byte]bool, keys)
	for k := range written {
		written[k] = map[[32]byte]bool{}
		for w := 0; w < 4*writersPerNode; w++ {
			for r := 0; r < rounds; r++ {
				written[k][digest(body(seedOf(w, r, k), sizes[(w+r+k)%len(sizes)]))] = true
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	stopReaders := make(chan struct{})
	for w := 0; w < 4*writersPerNode; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := clients[w%4]
			for r := 0; r < rounds; r++ {
				for k := 0; k < keys; k++ {
					kk := (k + w) % keys // writers walk the keys in different orders
					data := body(seedOf(w, r, kk), sizes[(w+r+kk)%len(sizes)])
					if err := put(ctx, cl, "contended", keyName(kk), data); err != nil {
						errs <- fmt.Errorf("writer %d PUT %s through node %d: %w", w, keyName(kk), w%4+1, err)
						return
					}
				}
			}
		}()
	}
	var rwg sync.WaitGroup
	for rd := 0; rd < 4; rd++ {
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			cl := clients[(rd+1)%4]
			for i := 0; i < 10000; i++ {
				select {
				case <-stopReaders:
					return
				default:
				}
				k := (rd + i) % keys
				got, err := get(ctx, cl, "contended", keyName(k))
				if errorCode(err) == "NoSuchKey" {
					continue // not written yet
				}
				if err != nil {
					errs <- fmt.Errorf("reader %d GET %s: %w", rd, keyName(k), err)
					return
				}
				if !written[k][digest(got)] {
					errs <- fmt.Errorf("reader %d GET %s: %d bytes that no writer wrote (a mixed object)", rd, keyName(k), len(got))
					return
				}
			}
		}()
	}
	wg.Wait()
	close(stopReaders)
	rwg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for k := 0; k < keys; k++ {
		var first [32]byte
		for i, cl := range clients {
			got, err := get(ctx, cl, "contended", keyName(k))
			if err != nil {
				t.Fatalf("final GET %s through node %d: %v", keyName(k), i+1, err)
			}
			d := digest(got)
			if !written[k][d] {
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

func seedOf(writer, round, key int) uint64 { return uint64(writer*10000 + round*100 + key + 1) }

func keyName(k int) string { return fmt.Sprintf("key-%d", k) }
