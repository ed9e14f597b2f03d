package heal

import (
	"context"
	"time"

	"github.com/hoardstore/hoard/internal/heal/repair"
)

// scanLoop runs scanner cycles, pausing Interval between them.
func (h *Healer) scanLoop(ctx context.Context) {
	for cycle := 1; ctx.Err() == nil; cycle++ {
		for h.cfg.ScanHere != nil && !h.cfg.ScanHere() {
			if sleep(ctx, h.cfg.CheckInterval) != nil {
				return
			}
		}
		h.scanCycle(ctx, cycle%h.cfg.DeepEvery == 0)
		if sleep(ctx, h.cfg.Interval) != nil {
			return
		}
	}
}

// scanCycle visits every object of every bucket once, paced by the
// scanner's rates: it heals what lacks redundancy and counts each
// bucket's usage, which becomes the engine's cached figure when no write
// overlapped the count.
func (h *Healer) scanCycle(ctx context.Context, deep bool) {
	h.mu.Lock()
	h.scanner.Running, h.scanner.CycleStarted = true, time.Now().UTC()
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		h.scanner.Running = false
		if ctx.Err() == nil {
			h.scanner.Cycles++
			h.scanner.LastCycle = time.Now().UTC()
		}
		h.mu.Unlock()
	}()
	buckets, err := h.e.HealBuckets(ctx)
	if err != nil {
		h.log.Warn("scanner: listing buckets", "err", err)
		return
	}
	for _, b := range buckets {
		if ctx.Err() != nil {
			return
		}
		h.scanBucket(ctx, b, deep)
	}
}

// scanBucket heals a bucket's record and uploads, then each of its objects.
func (h *Healer) scanBucket(ctx context.Context, bucket string, deep bool) {
	br, err := h.e.HealBucket(ctx, bucket)
	if err != nil {
		h.log.Warn("scanner: bucket", "bucket", bucket, "err", err)
		return
	}
	if !br.Exists {
		return // a deleted bucket's leftovers, now removed
	}
	done := h.e.CountUsage(bucket)
	var objects, bytes uint64
	complete := true
	opts := repair.Options{Deep: deep}
	if h.bytePace != nil {
		opts.Throttle = h.bytePace.wait
	}
	err = h.eachKey(ctx, bucket, "", -1, func(key string) error {
		if err := h.objPace.wait(ctx, 1); err != nil {
			return err
		}
		res, err := h.e.HealObjectWith(ctx, bucket, key, opts)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		h.tally(&h.scanner.Scanned, &h.scanner.Healed, &h.scanner.Failed, res, err)
		switch {
		case err != nil:
			complete = false
			h.log.Warn("scanner: object", "bucket", bucket, "key", key, "err", err)
		case healed(res):
			h.log.Info("scanner healed an object", "bucket", bucket, "key", key, "drives", res.Healed, "removed", res.Removed)
		}
		if res.Exists {
			objects++
			bytes += uint64(res.Size)
		}
		return nil
	})
	if err != nil {
		if ctx.Err() == nil {
			h.log.Warn("scanner: walking bucket", "bucket", bucket, "err", err)
		}
		return
	}
	if complete {
		done(objects, bytes)
	}
}
