package lifecycle

import (
	"context"
	"time"
)

// pacer spaces items so that at most rate pass per second: it sleeps
// once per batch of items rather than per item.
type pacer struct {
	per   time.Duration // time one item is allowed
	start time.Time
	n     int
}

// newPacer returns a pacer for rate items per second; rate < 0 means none.
func newPacer(rate int) *pacer {
	if rate <= 0 {
		return &pacer{}
	}
	return &pacer{per: time.Second / time.Duration(rate)}
}

// wait lets one item through, sleeping when the items so far are ahead
// of the rate; it fails only when ctx ends.
func (p *pacer) wait(ctx context.Context) error {
	if err := ctx.Err(); err != nil || p.per == 0 {
		return err
	}
	now := time.Now()
	if p.start.IsZero() || now.Sub(p.start) > time.Second {
		p.start, p.n = now, 0
	}
	p.n++
	ahead := time.Duration(p.n)*p.per - now.Sub(p.start)
	if ahead < 20*time.Millisecond {
		return nil
	}
	t := time.NewTimer(ahead)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
