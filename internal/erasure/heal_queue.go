package erasure

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// DefaultHealQueue is the number of objects the heal-on-read queue holds.
const DefaultHealQueue = 10000

// QueuedHeal is an object a read found damaged.
type QueuedHeal struct {
	Bucket, Key string
	// Deep says a shard failed its bitrot hashes (or was short), so the
	// heal should verify every shard; otherwise a record or a shard was
	// missing.
	Deep bool
}

type queueKey struct{ bucket, key string }

// healQueue is the bounded, deduplicated queue of objects reads found
// damaged. Pushing never blocks: when the queue is full the object is
// dropped (the scanner finds it later).
type healQueue struct {
	mu      sync.Mutex
	pending map[queueKey]bool // queued objects and whether deep
	ch      chan queueKey
	dropped atomic.Uint64
}

func newHealQueue(size int) *healQueue {
	return &healQueue{pending: make(map[queueKey]bool), ch: make(chan queueKey, size)}
}

// push queues bucket/key unless it is queued already (then a deep request
// upgrades it) or the queue is full.
func (q *healQueue) push(bucket, key string, deep bool) {
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

// pop waits for the next queued object.
func (q *healQueue) pop(ctx context.Context) (QueuedHeal, error) {
	select {
	case <-ctx.Done():
		return QueuedHeal{}, ctx.Err()
	case k := <-q.ch:
		q.mu.Lock()
		deep := q.pending[k]
		delete(q.pending, k)
		q.mu.Unlock()
		return QueuedHeal{Bucket: k.bucket, Key: k.key, Deep: deep}, nil
	}
}

// NextHeal waits until a read queues a damaged object (or ctx ends) and
// returns it; the healer's worker calls it in a loop.
func (l *Layer) NextHeal(ctx context.Context) (QueuedHeal, error) { return l.healq.pop(ctx) }

// HealQueueStats reports the objects waiting in the heal-on-read queue and
// how many were dropped because it was full.
func (l *Layer) HealQueueStats() (queued int, dropped uint64) {
	l.healq.mu.Lock()
	defer l.healq.mu.Unlock()
	return len(l.healq.pending), l.healq.dropped.Load()
}

// QueueHeal asks for bucket/key to be healed in the background; it never
// blocks.
func (l *Layer) QueueHeal(bucket, key string, deep bool) { l.healq.push(bucket, key, deep) }

// queuePartial queues bucket/key for healing when a committed write
// missed some drives (errs by drive position): the heal worker brings them
// the write, retrying until they answer.
func (l *Layer) queuePartial(bucket, key string, errs []error) {
	for _, e := range errs {
		if e != nil {
			l.healq.push(bucket, key, false)
			return
		}
	}
}

// readRecordHealing reads the record of bucket/key like readRecord and
// queues the object for healing when some drive that answered disagrees
// with the quorum (a record missing, stale or undecodable).
func (l *Layer) readRecordHealing(ctx context.Context, s *set, bucket, key string) (*meta.Record, error) {
	if len(s.drives) == 1 {
		return s.readRecord(ctx, bucket, key)
	}
	vals, errs := s.readRecords(ctx, bucket, key)
	errs = s.votes(errs) // a stale drive is rebuilt as a whole, not queued
	v, agree, err := pickQuorumCount(vals, errs, s.readQuorum(), normalizeRecord)
	answered := 0
	for _, e := range errs {
		if e == nil || errors.Is(e, drive.ErrNotFound) {
			answered++
		}
	}
	if (err == nil || errors.Is(err, drive.ErrNotFound)) && agree < answered {
		l.healq.push(bucket, key, false)
	}
	if err != nil {
		return nil, err
	}
	rec, err := meta.DecodeRecord(v)
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// damaged is the read path's report of a shard that could not be used:
// the object is queued for healing, deeply when the shard's content was
// wrong rather than unavailable.
func (o *object) damaged(err error) {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return
	}
	deep := errors.Is(err, storage.ErrCorrupt) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
	o.l.healq.push(o.info.Bucket, o.info.Key, deep)
}
