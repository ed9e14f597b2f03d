package heal

import (
	"context"
	"sync"
	"time"
)

// pacer spaces units of work (objects, bytes) so that no more than rate
// happen per second: each unit takes its turn 1/rate after the previous
// one, and turns missed while idle are not saved up, so it never bursts.
// A nil pacer does not pace.
type pacer struct {
	mu   sync.Mutex
	rate float64
	next time.Time
}

// newPacer returns a pacer of rate units per second, or nil when rate is
// not positive (no pacing).
func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{rate: rate}
}

// wait blocks until n units may go, or ctx ends.
func (p *pacer) wait(ctx context.Context, n int64) error {
	if p == nil {
		return ctx.Err()
	}
	p.mu.Lock()
	now := time.Now()
	if p.next.Before(now) {
		p.next = now
	}
	at := p.next
	p.next = p.next.Add(time.Duration(float64(n) / p.rate * float64(time.Second)))
	p.mu.Unlock()
	return sleep(ctx, time.Until(at))
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
