package cluster

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// DefaultRemovalGrace is how long the data directory of a replaced or
// deleted version stays on disk in a cluster before it is removed.
const DefaultRemovalGrace = time.Minute

// The engine removes an overwritten version's data directory as soon as
// no reader in its own process holds it. Readers on other nodes are not
// visible to it: a GET on node A that has read the old metadata but not
// yet opened the shards would find them gone if node B overwrote the
// object in between. In a cluster, removals are therefore delayed by a
// grace period, long enough for any such reader to have opened its shard
// files (an open file stays readable after removal). The directory is
// already unreferenced when the removal is asked for, so if the process
// stops first, the drive's sweep removes it at the next start.

// removals is the queue of delayed data directory removals.
type removals struct {
	grace time.Duration
	log   *slog.Logger
	now   func() time.Time

	mu      sync.Mutex
	pending []removal
	wake    chan struct{}
}

type removal struct {
	d   drive.Drive
	dir meta.DataDir
	at  time.Time // when it may run
}

func newRemovals(grace time.Duration, log *slog.Logger) *removals {
	return &removals{grace: grace, log: log, now: time.Now, wake: make(chan struct{}, 1)}
}

func (q *removals) add(d drive.Drive, dir meta.DataDir) {
	q.mu.Lock()
	q.pending = append(q.pending, removal{d: d, dir: dir, at: q.now().Add(q.grace)})
	q.mu.Unlock()
}

// due pops the removals whose time has come (the queue is in time order).
func (q *removals) due() []removal {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.now()
	n := 0
	for n < len(q.pending) && !q.pending[n].at.After(now) {
		n++
	}
	out := append([]removal(nil), q.pending[:n]...)
	q.pending = append(q.pending[:0], q.pending[n:]...)
	return out
}

// Len returns the number of removals waiting.
func (q *removals) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.pending)
}

// run performs due removals every tick until stop closes; what is still
// pending then is left to the drives' sweep.
func (q *removals) run(stop <-chan struct{}, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		case <-q.wake:
		}
		for _, r := range q.due() {
			ctx, cancel := context.WithTimeout(context.Background(), DefaultCallTimeout)
			if err := r.d.RemoveDataDir(ctx, r.dir); err != nil {
				q.log.Debug("delayed removal of a data directory failed; the drive's sweep or healing removes it later", "drive", r.d.Endpoint(), "err", err)
			}
			cancel()
		}
	}
}

// graceDrive is a drive whose RemoveDataDir goes through the queue.
type graceDrive struct {
	drive.Drive
	q *removals
}

// RemoveDataDir schedules the removal after the grace period.
func (g *graceDrive) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	g.q.add(g.Drive, dir)
	return nil
}

// Unwrap returns the drive behind the queue.
func (g *graceDrive) Unwrap() drive.Drive { return g.Drive }
