package heal

import (
	"context"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal/repair"
)

// Reasons a drive is rebuilt.
const (
	// ReasonReplaced: a blank drive took the place of a lost one (at start,
	// or its folder was wiped while in service).
	ReasonReplaced = "replaced"
	// ReasonReturned: a drive came back online after missing writes.
	ReasonReturned = "returned"
	// ReasonStale: a drive missed writes that only half of its set took
	// (a single node with parity drives down); it does not count until
	// rebuilt.
	ReasonStale = "stale"
	// ReasonRepaired: the drive's damaged metadata store was moved aside
	// and created empty.
	ReasonRepaired = "repaired"
)

type rebuildJob struct {
	endpoint, reason string
}

// monitorLoop checks the drives every CheckInterval (and at once), and
// whenever DrivesChanged asks for it.
func (h *Healer) monitorLoop(ctx context.Context) {
	for {
		h.checkDrives(ctx)
		t := time.NewTimer(h.cfg.CheckInterval)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-h.recheck:
			t.Stop()
		case <-t.C:
		}
	}
}

// DrivesChanged asks for a check of the drives now: the stale-drive
// records are read again and rebuilds queued as at every periodic check.
// A cluster node calls it when a peer reports it changed those records.
// It never blocks; requests made while a check runs make one more check.
func (h *Healer) DrivesChanged() {
	select {
	case h.recheck <- struct{}{}:
	default:
	}
}

// checkDrives has wiped drives formatted again, reads the stale-drive
// records again (another node of a cluster may have written or removed
// some), and queues a rebuild for every drive the engine reports
// rebuilding (replaced, or stale after missing writes) that answers and
// that this node rebuilds (Config.RebuildHere), and every drive back
// online after being seen offline.
func (h *Healer) checkDrives(ctx context.Context) {
	if _, err := h.e.CheckDrives(ctx); err != nil && ctx.Err() == nil {
		h.log.Warn("checking drives", "err", err)
	}
	h.e.ReloadStale(ctx)
	var jobs []rebuildJob
	rebuilding := map[string]bool{}
	si, err := h.e.StorageInfo(ctx)
	away := map[string]bool{}
	if err == nil {
		for _, d := range si.Drives {
			away[d.Endpoint] = d.State == "offline" || d.State == "corrupt"
		}
	}
	for _, ep := range h.e.RebuildingDrives() {
		rebuilding[ep] = true
		reason := ReasonReplaced
		switch h.e.StaleReason(ep) {
		case erasure.StaleMissedWrites:
			reason = ReasonStale
		case erasure.StaleRepaired:
			reason = ReasonRepaired
		}
		// A pass onto a drive that does not answer would only fail.
		if !away[ep] && (h.cfg.RebuildHere == nil || h.cfg.RebuildHere(ep)) {
			jobs = append(jobs, rebuildJob{ep, reason})
		}
	}
	if err == nil {
		h.mu.Lock()
		for _, d := range si.Drives {
			switch {
			case rebuilding[d.Endpoint]:
				delete(h.offline, d.Endpoint) // the full rebuild covers it
			case d.State == "offline" || d.State == "corrupt":
				h.offline[d.Endpoint] = true
			case h.offline[d.Endpoint] && d.State == "online":
				delete(h.offline, d.Endpoint)
				jobs = append(jobs, rebuildJob{d.Endpoint, ReasonReturned})
			}
		}
		h.mu.Unlock()
	}
	h.mu.Lock()
	if err == nil && !anyOffline(si.Drives) {
		h.requeueRetries()
	}
	added := false
	for _, j := range jobs {
		if h.drives[j.endpoint] != nil || h.queued(j.endpoint) {
			continue
		}
		h.pending = append(h.pending, j)
		added = true
	}
	h.mu.Unlock()
	if added {
		select {
		case h.kick <- struct{}{}:
		default:
		}
	}
}

// queued reports whether a rebuild of endpoint waits; h.mu is held.
func (h *Healer) queued(endpoint string) bool {
	for _, j := range h.pending {
		if j.endpoint == endpoint {
			return true
		}
	}
	return false
}

// rebuildLoop runs the queued rebuilds one after the other.
func (h *Healer) rebuildLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.kick:
		}
		for {
			h.mu.Lock()
			if len(h.pending) == 0 {
				h.mu.Unlock()
				break
			}
			j := h.pending[0]
			h.pending = h.pending[1:]
			h.mu.Unlock()
			h.rebuild(ctx, j)
			if ctx.Err() != nil {
				return
			}
		}
	}
}

// rebuild heals every bucket and every object of the drive's set onto
// it, at full speed, reporting progress. A replaced drive is reported
// rebuilt to the engine once every object reached it.
func (h *Healer) rebuild(ctx context.Context, j rebuildJob) {
	set := h.e.DriveSet(j.endpoint)
	if set < 0 {
		return
	}
	log := h.log.With("drive", j.endpoint, "reason", j.reason)
	p := &DriveProgress{Endpoint: j.endpoint, Reason: j.reason, Started: time.Now().UTC()}
	h.mu.Lock()
	h.drives[j.endpoint] = p
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.drives, j.endpoint)
		h.mu.Unlock()
	}()
	if j.reason != ReasonReturned {
		// Writes that miss the drive from now on make this pass incomplete.
		h.e.BeginRebuild(j.endpoint)
	}
	buckets, err := h.e.HealBuckets(ctx)
	if err != nil {
		log.Warn("rebuild: listing buckets", "err", err)
		return
	}
	var total uint64
	for _, b := range buckets {
		h.eachKey(ctx, b, "", set, func(string) error { total++; return nil })
	}
	h.mu.Lock()
	p.Total = total
	h.mu.Unlock()
	log.Info("rebuilding drive", "objects", total)
	start := time.Now()
	var bytes int64
	for _, b := range buckets {
		if _, err := h.e.HealBucket(ctx, b); err != nil {
			h.count(&p.Failed)
			log.Warn("rebuild: bucket", "bucket", b, "err", err)
		}
		err := h.eachKeyParallel(ctx, b, set, rebuildWorkers, func(key string) {
			res, err := h.e.HealObjectWith(ctx, b, key, repair.Options{})
			ok := err == nil && driveOK(res, j.endpoint)
			h.mu.Lock()
			p.Done++
			if !ok {
				p.Failed++
			}
			bytes += res.Bytes
			h.mu.Unlock()
		})
		if err != nil {
			h.count(&p.Failed)
			if ctx.Err() != nil {
				return
			}
		}
	}
	h.mu.Lock()
	done, failed := p.Done, p.Failed
	h.mu.Unlock()
	secs := time.Since(start).Seconds()
	log.Info("drive rebuild finished", "objects", done, "failed", failed, "bytes", bytes,
		"seconds", secs, "mib_per_s", float64(bytes)/(1<<20)/max(secs, 1e-9))
	if j.reason != ReasonReturned && failed == 0 {
		h.e.DriveRebuilt(j.endpoint)
	}
}

// rebuildWorkers is how many objects a rebuild heals at once: each heal
// waits on reads and fsyncs, so a few in flight keep the drives busy.
const rebuildWorkers = 4

// eachKeyParallel calls fn for every key of bucket in set from workers
// goroutines, and returns once all calls returned.
func (h *Healer) eachKeyParallel(ctx context.Context, bucket string, set, workers int, fn func(key string)) error {
	keys := make(chan string)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				fn(k)
			}
		}()
	}
	err := h.eachKey(ctx, bucket, "", set, func(key string) error {
		select {
		case keys <- key:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(keys)
	wg.Wait()
	return err
}

// driveOK says whether the heal left the drive named endpoint with a good
// copy.
func driveOK(res repair.Result, endpoint string) bool {
	for _, d := range res.Drives {
		if d.Endpoint == endpoint {
			return d.After == repair.OK
		}
	}
	return true // not in the object's set
}
