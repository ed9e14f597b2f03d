package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// lockNode is one node's lock table as the Locker reaches it.
type lockNode interface {
	lockOp(ctx context.Context, op, resource, uid string, ttl time.Duration) (bool, error)
	// releaseBatch performs many unlock or runlock operations at once.
	releaseBatch(ctx context.Context, rs []lockRelease) error
	reachable() bool
	local() bool
}

// lockRelease is one unlock or runlock to send.
type lockRelease struct{ op, resource, uid string }

type localLocks struct{ t *LockTable }

func (l localLocks) lockOp(_ context.Context, op, resource, uid string, ttl time.Duration) (bool, error) {
	return l.t.Do(op, resource, uid, ttl)
}

func (l localLocks) releaseBatch(_ context.Context, rs []lockRelease) error {
	for _, r := range rs {
		if _, err := l.t.Do(r.op, r.resource, r.uid, 0); err != nil {
			return err
		}
	}
	return nil
}

func (l localLocks) reachable() bool { return true }
func (l localLocks) local() bool     { return true }

type remoteLocks struct{ p *Peer }

func (r remoteLocks) lockOp(ctx context.Context, op, resource, uid string, ttl time.Duration) (bool, error) {
	q := url.Values{"op": {op}, "resource": {resource}, "uid": {uid}, "ttl": {ttl.String()}}
	b, err := r.p.call(ctx, http.MethodPost, "lock", q, nil)
	if err != nil {
		return false, err
	}
	return string(b) == "1", nil
}
func (r remoteLocks) releaseBatch(ctx context.Context, rs []lockRelease) error {
	_, err := r.p.call(ctx, http.MethodPost, "lock/release", nil, encodeReleases(rs))
	return err
}

func (r remoteLocks) reachable() bool { return r.p.Online() }
func (r remoteLocks) local() bool     { return false }

// LockerOptions tune a Locker. The zero value is usable.
type LockerOptions struct {
	// TTL is the life of a grant without refresh (default DefaultLockTTL);
	// held locks are refreshed every TTL/4.
	TTL time.Duration
	// MaxWait bounds how long an acquisition retries under contention
	// (default TTL plus ten seconds, so a crashed holder's lock expires
	// within it).
	MaxWait time.Duration
	Logger  *slog.Logger
}

// Locker takes locks across the nodes of a cluster: a write lock needs
// grants from a strict majority of the nodes' lock tables, a read lock
// from enough nodes that every read quorum meets every write quorum.
// Grants expire unless the holder refreshes them, so a crashed holder's
// locks free themselves; unlock releases on every node. It implements the
// erasure engine's Locker interface.
type Locker struct {
	nodes  []lockNode
	wq, rq int
	opts   LockerOptions
	log    *slog.Logger

	mu   sync.Mutex
	held map[string]heldLock // by uid

	// queues carry releases to each remote node's release loop (nil for
	// the local node, released inline).
	queues []chan lockRelease

	closed   chan struct{}
	closeOne sync.Once
	wg       sync.WaitGroup
}

type heldLock struct {
	resource string
	quorum   int
}

// newLocker returns a Locker over nodes with the given quorums and starts
// its refresh loop.
func newLocker(nodes []lockNode, writeQuorum, readQuorum int, opts LockerOptions) *Locker {
	if opts.TTL <= 0 {
		opts.TTL = DefaultLockTTL
	}
	if opts.MaxWait <= 0 {
		opts.MaxWait = opts.TTL + 10*time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Locker{
		nodes: nodes, wq: writeQuorum, rq: readQuorum, opts: opts, log: opts.Logger,
		held: map[string]heldLock{}, closed: make(chan struct{}),
	}
	l.queues = make([]chan lockRelease, len(nodes))
	for i, n := range nodes {
		if n.local() {
			continue
		}
		l.queues[i] = make(chan lockRelease, 1024)
		l.wg.Add(1)
		go l.releaseLoop(n, l.queues[i])
	}
	l.wg.Add(1)
	go l.refreshLoop()
	return l
}

// Lock takes resource exclusively on a majority of the nodes.
func (l *Locker) Lock(ctx context.Context, resource string) (func(), error) {
	return l.acquire(ctx, resource, "lock", l.wq)
}

// RLock takes resource shared on a read quorum of the nodes.
func (l *Locker) RLock(ctx context.Context, resource string) (func(), error) {
	return l.acquire(ctx, resource, "rlock", l.rq)
}

// Close stops refreshing and waits for pending releases.
func (l *Locker) Close() {
	l.closeOne.Do(func() { close(l.closed) })
	l.wg.Wait()
}

func newUID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// acquire retries until quorum nodes grant op on resource, the wait
// limit passes, ctx ends, or too few nodes are reachable to ever reach
// quorum (then it fails at once: a minority partition refuses writes).
func (l *Locker) acquire(ctx context.Context, resource, op string, quorum int) (func(), error) {
	deadline := time.Now().Add(l.opts.MaxWait)
	backoff := time.Millisecond
	for {
		reachable := 0
		for _, n := range l.nodes {
			if n.reachable() {
				reachable++
			}
		}
		if reachable < quorum {
			return nil, fmt.Errorf("%w: %s %q needs %d of %d nodes, %d reachable", ErrLockQuorum, op, resource, quorum, len(l.nodes), reachable)
		}
		uid := newUID()
		granted, answered := l.fanout(ctx, op, resource, uid)
		if granted >= quorum {
			l.mu.Lock()
			l.held[uid] = heldLock{resource: resource, quorum: quorum}
			l.mu.Unlock()
			var once sync.Once
			return func() { once.Do(func() { l.unlock(op, resource, uid) }) }, nil
		}
		l.release(context.WithoutCancel(ctx), releaseOp(op), resource, uid)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("cluster: %s %q: %w", op, resource, err)
		}
		if answered < quorum {
			return nil, fmt.Errorf("%w: %s %q: %d of %d nodes answered, %d needed", ErrLockQuorum, op, resource, answered, len(l.nodes), quorum)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: %s %q still held elsewhere after %v", ErrLockQuorum, op, resource, l.opts.MaxWait)
		}
		sleep := backoff/2 + mrand.N(backoff)
		backoff = min(backoff*2, 64*time.Millisecond)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("cluster: %s %q: %w", op, resource, ctx.Err())
		case <-time.After(sleep):
		}
	}
}

// releaseOp is the operation that undoes op.
func releaseOp(op string) string {
	if op == "rlock" {
		return "runlock"
	}
	return "unlock"
}

// fanout sends op to every reachable node in parallel and counts grants
// and answers.
func (l *Locker) fanout(ctx context.Context, op, resource, uid string) (granted, answered int) {
	type result struct{ ok, answered bool }
	res := make(chan result, len(l.nodes))
	for _, n := range l.nodes {
		if !n.reachable() {
			res <- result{}
			continue
		}
		go func() {
			ok, err := n.lockOp(ctx, op, resource, uid, l.opts.TTL)
			res <- result{ok: ok && err == nil, answered: err == nil}
		}()
	}
	for range l.nodes {
		r := <-res
		if r.ok {
			granted++
		}
		if r.answered {
			answered++
		}
	}
	return granted, answered
}

// release sends op (unlock or runlock) to every reachable node: a node
// whose answer was lost may have granted. Unreachable nodes' grants expire.
func (l *Locker) release(ctx context.Context, op, resource, uid string) {
	var wg sync.WaitGroup
	for _, n := range l.nodes {
		if !n.reachable() {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := n.lockOp(ctx, op, resource, uid, 0); err != nil {
				l.log.Debug("lock release failed; the grant will expire", "resource", resource, "err", err)
			}
		}()
	}
	wg.Wait()
}

// unlock forgets a held lock, releases it on this node at once and hands
// the release for the other nodes to their release loops.
func (l *Locker) unlock(op, resource, uid string) {
	l.mu.Lock()
	delete(l.held, uid)
	l.mu.Unlock()
	r := lockRelease{op: releaseOp(op), resource: resource, uid: uid}
	for i, n := range l.nodes {
		if l.queues[i] == nil {
			n.releaseBatch(context.Background(), []lockRelease{r})
			continue
		}
		select {
		case l.queues[i] <- r:
		case <-l.closed:
			return // the grants expire
		}
	}
}

// maxReleaseBatch bounds the releases sent in one call.
const maxReleaseBatch = 512

// releaseLoop sends the releases queued for one node, batching whatever
// accumulated while the previous call was in flight (so an idle cluster
// releases at once and a busy one in few calls). Releases to an
// unreachable node are dropped: its grants expire.
func (l *Locker) releaseLoop(n lockNode, q chan lockRelease) {
	defer l.wg.Done()
	batch := make([]lockRelease, 0, maxReleaseBatch)
	for {
		select {
		case <-l.closed:
			return
		case r := <-q:
			batch = append(batch[:0], r)
		}
	fill:
		for len(batch) < maxReleaseBatch {
			select {
			case r := <-q:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		if !n.reachable() {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), DefaultCallTimeout)
		if err := n.releaseBatch(ctx, batch); err != nil {
			l.log.Debug("lock release failed; the grants will expire", "count", len(batch), "err", err)
		}
		cancel()
	}
}

// refreshLoop extends every held lock every TTL/4.
func (l *Locker) refreshLoop() {
	defer l.wg.Done()
	t := time.NewTicker(l.opts.TTL / 4)
	defer t.Stop()
	for {
		select {
		case <-l.closed:
			return
		case <-t.C:
		}
		l.mu.Lock()
		held := make(map[string]heldLock, len(l.held))
		for uid, h := range l.held {
			held[uid] = h
		}
		l.mu.Unlock()
		for uid, h := range held {
			ctx, cancel := context.WithTimeout(context.Background(), l.opts.TTL/4)
			granted, _ := l.fanout(ctx, "refresh", h.resource, uid)
			cancel()
			l.mu.Lock()
			_, still := l.held[uid]
			l.mu.Unlock()
			if still && granted < h.quorum {
				l.log.Warn("lock refresh reached too few nodes; the lock may be lost", "resource", h.resource, "granted", granted, "quorum", h.quorum)
			}
		}
	}
}

// Held returns the number of locks this Locker holds.
func (l *Locker) Held() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.held)
}
