package heal

import (
	"context"
	"sync"
	"sync/atomic"

	"github.com/hoardstore/hoard/internal/erasure"
)

// DefaultQueueSize is the number of objects the heal queue holds.
const DefaultQueueSize = 10000

// Queued is an object a read found damaged, or a write committed while
// missing drives.
type Queued struct {
	Bucket, Key string
	// Deep says a shard failed its bitrot hashes (or was short), so the
	// heal should verify every shard; otherwise a record or a shard was
	// missing.
	Deep bool
}

var _ erasure.HealQueue = (*Queue)(nil)

type queueKey struct{ bucket, key string }

// Queue is the bounded, deduplicated queue of objects to heal: the engine
// pushes the objects reads found damaged and writes committed while
// missing drives (it implements erasure.HealQueue, wired by the server),
// the Healer's worker pops them. Pushing never blocks: when the queue is
// full the object is dropped (the scanner finds it later).
type Queue struct {
	mu      sync.Mutex
	pending map[queueKey]bool // queued objects and whether deep
	ch      chan queueKey
	dropped atomic.Uint64
}

// NewQueue returns a queue of at most size objects (DefaultQueueSize if
// size is not positive).
func NewQueue(size int) *Queue {
	if size <= 0 {
		size = DefaultQueueSize
	}
	return &Queue{pending: make(map[queueKey]bool), ch: make(chan queueKey, size)}
}

// Push queues bucket/key unless it is queued already (then a deep request
// upgrades it) or the queue is full; it never blocks.
func (q *Queue) Push(bucket, key string, deep bool) {
	k := queueKey{bucket, key}
	q.mu.Lock()
	defer q.mu.Unlock()
	if d, ok := q.pending[k]; ok {
		q.pending[k] = d || deep
		return
	}
	if len(q.pending) >= cap(q.ch) {
		q.dropped.Add(1)
		return
	}
	q.pending[k] = deep
	q.ch <- k // never blocks: the channel holds as many as pending may
}

// Pop waits for the next queued object (or until ctx ends).
func (q *Queue) Pop(ctx context.Context) (Queued, error) {
	select {
	case <-ctx.Done():
		return Queued{}, ctx.Err()
	case k := <-q.ch:
		q.mu.Lock()
		deep := q.pending[k]
		delete(q.pending, k)
		q.mu.Unlock()
		return Queued{Bucket: k.bucket, Key: k.key, Deep: deep}, nil
	}
}

// Stats reports the objects waiting and how many were dropped because the
// queue was full.
func (q *Queue) Stats() (queued int, dropped uint64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending), q.dropped.Load()
}
