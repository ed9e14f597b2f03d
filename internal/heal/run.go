package heal

import (
	"context"
	"fmt"
	"time"

	"github.com/hoardstore/hoard/internal/heal/repair"
)

// StartHeal starts a heal of every object of bucket under prefix (every
// bucket when bucket is ""), in the background and at full speed: each
// object is verified deeply and repaired; the bucket records and
// multipart uploads are healed too when no prefix narrows it. Status (and
// the admin API) follows it. It fails with ErrRunning while another
// operator heal runs, and with storage.ErrBucketNotFound for a bucket
// that does not exist.
func (h *Healer) StartHeal(ctx context.Context, bucket, prefix string) error {
	if bucket == "" && prefix != "" {
		return fmt.Errorf("heal: a prefix needs a bucket")
	}
	if bucket != "" {
		if _, err := h.e.GetBucketInfo(ctx, bucket); err != nil {
			return fmt.Errorf("heal: bucket %q: %w", bucket, err)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.run.Running {
		return fmt.Errorf("%w (started %s)", ErrRunning, h.run.Started.Format(time.RFC3339))
	}
	if h.ctx.Err() != nil {
		return fmt.Errorf("heal: shutting down")
	}
	h.run = Run{Running: true, Bucket: bucket, Prefix: prefix, Started: time.Now().UTC()}
	h.goBackground(func(ctx context.Context) { h.runHeal(ctx, bucket, prefix) })
	return nil
}

// runHeal is the body of an operator heal.
func (h *Healer) runHeal(ctx context.Context, bucket, prefix string) {
	log := h.log.With("bucket", bucket, "prefix", prefix)
	log.Info("heal started")
	defer func() {
		h.mu.Lock()
		h.run.Running, h.run.Finished = false, time.Now().UTC()
		r := h.run
		h.mu.Unlock()
		log.Info("heal finished", "scanned", r.Scanned, "healed", r.Healed, "failed", r.Failed)
	}()
	buckets := []string{bucket}
	if bucket == "" {
		var err error
		if buckets, err = h.e.HealBuckets(ctx); err != nil {
			h.count(&h.run.Failed)
			log.Warn("heal: listing buckets", "err", err)
			return
		}
	}
	for _, b := range buckets {
		if prefix == "" {
			if _, err := h.e.HealBucket(ctx, b); err != nil {
				h.count(&h.run.Failed)
				log.Warn("heal: bucket", "bucket", b, "err", err)
			}
		}
		err := h.eachKey(ctx, b, prefix, -1, func(key string) error {
			res, err := h.e.HealObjectWith(ctx, b, key, repair.Options{Deep: true})
			h.tally(&h.run.Scanned, &h.run.Healed, &h.run.Failed, res, err)
			if err != nil && ctx.Err() == nil {
				log.Warn("heal: object", "bucket", b, "key", key, "err", err)
			}
			return ctx.Err()
		})
		if err != nil {
			if ctx.Err() == nil {
				h.count(&h.run.Failed)
				log.Warn("heal: walking bucket", "bucket", b, "err", err)
			}
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// count adds one to a counter guarded by h.mu.
func (h *Healer) count(c *uint64) {
	h.mu.Lock()
	*c++
	h.mu.Unlock()
}

// tally adds one heal's outcome to counters guarded by h.mu.
func (h *Healer) tally(scanned, done, failed *uint64, res repair.Result, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	*scanned++
	switch {
	case err != nil:
		*failed++
	case healed(res):
		*done++
	}
}
