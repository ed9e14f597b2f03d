package authguard

import (
	"context"
	"sync"
	"time"
)

// Defaults of a Guard's budget.
const (
	// DefaultBurst is how many failures a source may make in a row
	// before it is throttled.
	DefaultBurst = 20
	// DefaultRefill is how long one failure takes to be forgiven.
	DefaultRefill = 500 * time.Millisecond
	// DefaultMaxEntries bounds the sources remembered at once.
	DefaultMaxEntries = 100_000
)

// Options configure a Guard; zero fields take the defaults.
type Options struct {
	// Burst is the number of failures allowed in a row.
	Burst int
	// Refill is the time after which one failure is forgiven.
	Refill time.Duration
	// MaxEntries bounds the memory: when more sources are tracked, those
	// whose budget is full again are forgotten first, then the oldest.
	MaxEntries int
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Guard counts failed authentications. Two budgets are kept: one per
// (access key, address) pair, spent by wrong signatures for a key that
// exists, so guessing one key's secret from one place is slow while the
// key's owner elsewhere is untouched; and one per address, spent by
// unknown access keys, so enumerating keys is slow too. A Guard is safe
// for concurrent use.
type Guard struct {
	burst  float64
	refill time.Duration
	max    int
	now    func() time.Time

	mu      sync.Mutex
	entries map[entryKey]*bucket
	// inflight counts the attempts of each budget that have begun and
	// not ended: the tokens they hold are not spent yet.
	inflight map[entryKey]int
	// settled is closed (and replaced) when an attempt ends while others
	// wait for one to; waiters counts those.
	settled chan struct{}
	waiters int
}

// entryKey names a budget: an address alone (key "") or a key at an
// address.
type entryKey struct {
	accessKey string
	addr      string
}

// bucket is a token bucket of failures: tokens left at time at.
type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a Guard with opts.
func New(opts Options) *Guard {
	if opts.Burst <= 0 {
		opts.Burst = DefaultBurst
	}
	if opts.Refill <= 0 {
		opts.Refill = DefaultRefill
	}
	if opts.MaxEntries <= 0 {
		opts.MaxEntries = DefaultMaxEntries
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Guard{
		burst: float64(opts.Burst), refill: opts.Refill, max: opts.MaxEntries, now: opts.Now,
		entries:  make(map[entryKey]*bucket),
		inflight: make(map[entryKey]int),
	}
}

// Outcome is how an authentication attempt ended.
type Outcome int

// The outcomes of an attempt.
const (
	// Passed: the signature was right, or the request failed for a reason
	// that says nothing about a guess (a malformed header, clock skew).
	Passed Outcome = iota
	// WrongSignature: the access key exists and the signature is wrong.
	WrongSignature
	// UnknownKey: the access key does not exist.
	UnknownKey
)

// Attempt is one authentication in progress: it holds one failure's worth
// of both budgets of its source until Done says how it ended, so a burst of
// concurrent guesses gets no more tries than the budget, exactly.
type Attempt struct {
	g    *Guard
	pair entryKey
	addr entryKey
	done bool
}

// Begin starts an attempt by accessKey from addr. When the source has
// failed too often it returns nil and how long until it may try again; a
// throttled source is refused whether or not its signature would be right,
// so throttling reveals nothing about a guess.
//
// Only failures refuse. When the budget is held by attempts still in
// progress, which may yet pass, Begin waits for them to end instead: a
// client with more requests in flight than the burst (32 workers, or
// every client of a load balancer that shares its address) is never
// refused for them, and concurrent guesses still get exactly the burst.
// It returns ctx's error if ctx ends first.
func (g *Guard) Begin(ctx context.Context, accessKey, addr string) (*Attempt, time.Duration, error) {
	a := &Attempt{g: g, pair: entryKey{accessKey: accessKey, addr: addr}, addr: entryKey{addr: addr}}
	g.mu.Lock()
	defer g.mu.Unlock()
	for {
		now := g.now()
		wait, held := time.Duration(0), false
		for _, k := range []entryKey{a.addr, a.pair} {
			b := g.entries[k]
			if b == nil {
				continue
			}
			t := g.level(b, now)
			switch {
			case t >= 1:
			case t+float64(g.inflight[k]) >= 1:
				held = true
			default:
				wait = max(wait, time.Duration((1-t)*float64(g.refill)))
			}
		}
		if wait > 0 {
			return nil, wait, nil
		}
		if !held {
			g.spend(a.addr, now)
			g.spend(a.pair, now)
			g.inflight[a.addr]++
			g.inflight[a.pair]++
			return a, 0, nil
		}
		if err := g.waitSettled(ctx); err != nil {
			return nil, 0, err
		}
	}
}

// waitSettled waits, with g.mu released, until some attempt ends or ctx
// does. The caller holds g.mu.
func (g *Guard) waitSettled(ctx context.Context) error {
	if g.settled == nil {
		g.settled = make(chan struct{})
	}
	ch := g.settled
	g.waiters++
	g.mu.Unlock()
	var err error
	select {
	case <-ch:
	case <-ctx.Done():
		err = ctx.Err()
	}
	g.mu.Lock()
	g.waiters--
	return err
}

// Done ends the attempt: the budget a failure does not charge is given
// back (both, when it passed). Calls after the first do nothing.
func (a *Attempt) Done(o Outcome) {
	g := a.g
	g.mu.Lock()
	defer g.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	for _, k := range []entryKey{a.addr, a.pair} {
		if g.inflight[k]--; g.inflight[k] <= 0 {
			delete(g.inflight, k)
		}
	}
	if g.waiters > 0 && g.settled != nil {
		// Woken waiters that have not yet taken the lock still count:
		// the channel is then already closed, and a new one is made by
		// the next to wait.
		close(g.settled)
		g.settled = nil
	}
	now := g.now()
	if o != UnknownKey {
		g.giveBack(a.addr, now)
	}
	if o != WrongSignature {
		g.giveBack(a.pair, now)
	}
}

// spend takes one token of k's budget. The caller holds g.mu.
func (g *Guard) spend(k entryKey, now time.Time) {
	b := g.entries[k]
	if b == nil {
		if len(g.entries) >= g.max {
			g.evict(now)
		}
		b = &bucket{tokens: g.burst, at: now}
		g.entries[k] = b
	}
	b.tokens = max(g.level(b, now)-1, 0)
	b.at = now
}

// giveBack returns one token to k's budget, forgetting it once full. The
// caller holds g.mu.
func (g *Guard) giveBack(k entryKey, now time.Time) {
	b := g.entries[k]
	if b == nil {
		return
	}
	b.tokens = min(g.level(b, now)+1, g.burst)
	b.at = now
	if b.tokens >= g.burst {
		delete(g.entries, k)
	}
}

// level returns b's tokens at now.
func (g *Guard) level(b *bucket, now time.Time) float64 {
	elapsed := now.Sub(b.at)
	if elapsed <= 0 {
		return b.tokens
	}
	return min(b.tokens+float64(elapsed)/float64(g.refill), g.burst)
}

// evict forgets the sources whose budget is full again; if none is, the
// one that failed longest ago. The caller holds g.mu.
func (g *Guard) evict(now time.Time) {
	var oldest entryKey
	var oldestAt time.Time
	for k, b := range g.entries {
		if g.level(b, now) >= g.burst {
			delete(g.entries, k)
			continue
		}
		if oldestAt.IsZero() || b.at.Before(oldestAt) {
			oldest, oldestAt = k, b.at
		}
	}
	if len(g.entries) >= g.max {
		delete(g.entries, oldest)
	}
}

// Len returns the number of sources tracked.
func (g *Guard) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.entries)
}
