package bench

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// prepare writes the objects the workload reads, lists or deletes (or,
// with Reuse, checks that they are there) and fills the mixed pool.
func (r *runner) prepare(ctx context.Context, seed uint64) error {
	cfg := r.cfg
	if !cfg.Workload.prepares() {
		return nil
	}
	if cfg.Workload == WorkloadList || cfg.Workload == WorkloadListVersions {
		r.listAt = min(int(cfg.ListStart*float64(cfg.Objects)), cfg.Objects-1)
	}
	if cfg.Reuse {
		if err := r.checkReused(ctx); err != nil {
			return err
		}
	} else if err := r.writePrepared(ctx); err != nil {
		return err
	}
	if cfg.Workload == WorkloadMixed {
		r.pool.items = make([]object, cfg.Objects)
		for i := range r.pool.items {
			r.pool.items[i] = object{key: r.lay.preparedKey(i), size: r.lay.preparedSize(i)}
		}
	}
	return nil
}

// checkReused makes sure the first and last prepared objects exist with
// the expected sizes.
func (r *runner) checkReused(ctx context.Context) error {
	for _, i := range []int{0, r.cfg.Objects - 1} {
		key, want := r.lay.preparedKey(i), r.lay.preparedSize(i)
		got, err := r.c.headObject(ctx, r.bucket, key)
		if err != nil {
			return fmt.Errorf("bench: reuse: object %s: %w", key, err)
		}
		if got != want {
			return fmt.Errorf("bench: reuse: object %s has %d bytes, want %d (same sizes as when it was written?)", key, got, want)
		}
	}
	return nil
}

// writePrepared writes the prepared objects VersionsPerKey times (every
// key once, then every key again, and so on) with Concurrency workers,
// logging progress every 10 seconds. Any failure ends the preparation.
func (r *runner) writePrepared(ctx context.Context) error {
	objects, perKey := r.cfg.Objects, r.cfg.VersionsPerKey
	n := objects * perKey
	r.log.Info("bench: preparing objects", "objects", objects, "versions_per_key", perKey, "size", formatSizeRange(r.cfg.SizeMin, r.cfg.SizeMax))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, done atomic.Int64
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				i %= objects
				key := r.lay.preparedKey(i)
				if err := r.preparePut(ctx, key, r.payload[:r.lay.preparedSize(i)]); err != nil {
					cancel(fmt.Errorf("bench: prepare %s: %w", key, err))
					return
				}
				done.Add(1)
			}
		})
	}
	stop := make(chan struct{})
	go func() {
		t := time.NewTicker(10 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				r.log.Info("bench: preparing objects", "written", done.Load(), "of", n)
			}
		}
	}()
	wg.Wait()
	close(stop)
	if err := context.Cause(ctx); err != nil {
		return err
	}
	return nil
}

// prepareRetries bounds the retries of one preparation PUT the server
// answered 503 (SlowDown), as S3 clients retry them.
const prepareRetries = 6

// preparePut writes one prepared object, retrying a 503 answer with
// exponential backoff from 50 ms (3.15 s in all at most).
func (r *runner) preparePut(ctx context.Context, key string, body []byte) error {
	wait := 50 * time.Millisecond
	for try := 0; ; try++ {
		err := r.c.putObject(ctx, r.bucket, key, body)
		if err == nil || try == prepareRetries || !isStatus(err, http.StatusServiceUnavailable) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait *= 2
	}
}

// cleanup removes every object under the run's prefix, aborts the run's
// unfinished multipart uploads and deletes the bucket if the run created
// it. It returns what it could not do.
func (r *runner) cleanup(ctx context.Context, created bool) []string {
	var warn []string
	start := time.Now()
	remove := r.removePrefix
	if r.cfg.Versioning {
		remove = r.removeVersions
	}
	removed, err := remove(ctx)
	if err != nil {
		warn = append(warn, err.Error())
	}
	for range 100 { // at most 100,000 uploads
		ups, err := r.c.listUploads(ctx, r.bucket, r.lay.prefix+"/")
		if err != nil || len(ups) == 0 {
			break
		}
		for _, u := range ups {
			if err := r.c.abortUpload(ctx, r.bucket, u.key, u.id); err != nil {
				warn = append(warn, err.Error())
				return warn
			}
		}
	}
	if created {
		if err := r.c.deleteBucket(ctx, r.bucket); err != nil {
			warn = append(warn, fmt.Sprintf("bench: delete bucket %s: %v", r.bucket, err))
		}
	}
	r.log.Info("bench: cleaned up", "objects", removed, "took", time.Since(start).Round(time.Millisecond))
	return warn
}

// removePrefix deletes every object under the run's prefix, a listing
// page at a time, with up to Concurrency batch deletes in flight.
func (r *runner) removePrefix(ctx context.Context) (int64, error) {
	token := ""
	return r.removePages(ctx, "objects", func(buf *bytes.Buffer) ([]objectRef, bool, error) {
		p, err := r.c.listObjects(ctx, r.bucket, r.lay.prefix+"/", "", token, 1000, buf)
		if err != nil {
			return nil, false, err
		}
		var keys []objectRef
		for _, k := range scanKeys(nil, buf.Bytes()) {
			keys = append(keys, objectRef{key: k})
		}
		token = p.next
		return keys, p.truncated, nil
	})
}

// removePages deletes what page lists, page after page until it says
// there is no more, with up to Concurrency (at most 8) batch deletes in
// flight; it returns how many were removed. what names them in errors.
func (r *runner) removePages(ctx context.Context, what string, page func(buf *bytes.Buffer) (refs []objectRef, more bool, err error)) (int64, error) {
	var removed, failed atomic.Int64
	var firstErr error
	var mu sync.Mutex
	fail := func(err error) {
		mu.Lock()
		firstErr = cmpErr(firstErr, err)
		mu.Unlock()
	}
	sem := make(chan struct{}, min(r.cfg.Concurrency, 8))
	var wg sync.WaitGroup
	var buf bytes.Buffer
	for range 1_000_000 { // pages; bounded
		refs, more, err := page(&buf)
		if err != nil {
			fail(err)
			break
		}
		if len(refs) > 0 {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				bad, err := r.deleteBatch(ctx, refs)
				removed.Add(int64(len(refs) - bad))
				failed.Add(int64(bad))
				if err != nil {
					fail(err)
				}
			})
		}
		if !more {
			break
		}
	}
	wg.Wait()
	if n := failed.Load(); n > 0 {
		firstErr = cmpErr(firstErr, fmt.Errorf("bench: cleanup: %d %s could not be deleted", n, what))
	}
	return removed.Load(), firstErr
}

// deleteBatch removes objects or versions with one DeleteObjects request,
// or one DELETE each if the server does not implement it, and returns how
// many failed.
func (r *runner) deleteBatch(ctx context.Context, keys []objectRef) (int, error) {
	bad, err := r.c.deleteObjects(ctx, r.bucket, keys)
	if err == nil {
		return bad, nil
	}
	if !isStatus(err, 501) && !isCode(err, "NotImplemented") {
		return len(keys), err
	}
	bad = 0
	var last error
	for _, k := range keys {
		if err := r.c.deleteObject(ctx, r.bucket, k); err != nil {
			bad++
			last = err
		}
	}
	return bad, last
}

// cmpErr keeps the first error seen.
func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}
