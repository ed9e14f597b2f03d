package lifecycle

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// DefaultInterval is the pause between two passes in production.
const DefaultInterval = time.Hour

// DefaultRate is how many versions and uploads a worker looks at per
// second at most.
const DefaultRate = 2000

// WorkerConfig wires a Worker.
type WorkerConfig struct {
	Store Store
	// Owns says whether this node processes erasure set set now; nil
	// means every set (a single server). In a cluster each set has
	// exactly one owner among the nodes that answer, so no version is
	// looked at, or expired, twice.
	Owns func(set int) bool
	// Calendar sets the length of a lifecycle day.
	Calendar Calendar
	// Interval is the pause between passes; zero means DefaultInterval.
	Interval time.Duration
	// Rate bounds the versions and uploads looked at per second; zero
	// means DefaultRate, negative means unbounded.
	Rate int
	// Protected reports whether an error of the delete path says the
	// version is kept by object lock (counted as Held, not as an error);
	// nil means no error is.
	Protected func(error) bool
	// Now returns the current time; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
}

// Worker applies every bucket's lifecycle rules in the background: a pass
// visits, in each erasure set this node owns, every version and upload of
// every bucket with a configuration, and expires what is due. A pass keeps
// no cursor: each action is decided on the current state and applied
// through the ordinary delete path, so a pass repeated after a restart
// only looks again at what the interrupted one saw.
type Worker struct {
	cfg  WorkerConfig
	pace *pacer

	mu     sync.Mutex
	status Status

	stop context.CancelFunc
	done chan struct{}
}

// NewWorker returns a Worker for cfg; Start runs it.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Rate == 0 {
		cfg.Rate = DefaultRate
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Worker{cfg: cfg, pace: newPacer(cfg.Rate)}
	w.status.DayLength = cfg.Calendar.day().String()
	w.status.Interval = cfg.Interval.String()
	return w
}

// Start runs passes in the background until Close.
func (w *Worker) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	w.stop, w.done = cancel, make(chan struct{})
	go func() {
		defer close(w.done)
		for ctx.Err() == nil {
			w.Pass(ctx)
			t := time.NewTimer(w.cfg.Interval)
			select {
			case <-ctx.Done():
				t.Stop()
			case <-t.C:
			}
		}
	}()
}

// Close stops the worker and waits for it.
func (w *Worker) Close() {
	if w.stop != nil {
		w.stop()
		<-w.done
	}
}

// Status reports the worker's progress.
func (w *Worker) Status() Status {
	w.mu.Lock()
	defer w.mu.Unlock()
	st := w.status
	st.Sets = append([]int(nil), st.Sets...)
	return st
}

// Pass runs one pass over every bucket with a lifecycle configuration.
func (w *Worker) Pass(ctx context.Context) {
	var sets []int
	for i := range w.cfg.Store.Sets() {
		if w.cfg.Owns == nil || w.cfg.Owns(i) {
			sets = append(sets, i)
		}
	}
	w.mu.Lock()
	w.status.Running, w.status.PassStarted, w.status.Sets = true, w.cfg.Now().UTC(), sets
	w.status.Current = Counts{}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.status.Running = false
		w.status.PassFinished = w.cfg.Now().UTC()
		if ctx.Err() == nil {
			w.status.Passes++
		}
		w.mu.Unlock()
	}()
	if len(sets) == 0 {
		return
	}
	buckets, err := w.cfg.Store.ListBuckets(ctx)
	if err != nil {
		w.fail(fmt.Errorf("lifecycle: listing buckets: %w", err))
		return
	}
	for _, b := range buckets {
		doc, ok := b.Configs[ConfigName]
		if !ok || ctx.Err() != nil {
			continue
		}
		conf, err := Parse(doc)
		if err != nil {
			w.fail(fmt.Errorf("lifecycle: bucket %s: stored configuration: %w", b.Name, err))
			continue
		}
		for _, set := range sets {
			w.bucketSet(ctx, b.Name, set, conf)
		}
	}
}

// bucketSet applies conf to the versions and uploads of bucket in set.
func (w *Worker) bucketSet(ctx context.Context, bucket string, set int, conf *Config) {
	if err := w.versions(ctx, bucket, set, conf); err != nil && ctx.Err() == nil {
		w.fail(fmt.Errorf("lifecycle: bucket %s, set %d: %w", bucket, set, err))
	}
	if !conf.hasAbort() {
		return
	}
	err := w.cfg.Store.EachSetUpload(ctx, set, bucket, func(u storage.MultipartUpload) error {
		if err := w.pace.wait(ctx); err != nil {
			return err
		}
		w.tally(Counts{Scanned: 1})
		ev, ok := conf.AbortDue(u.Key, u.Initiated, w.cfg.Calendar)
		if !ok || !ev.DueBy(w.cfg.Now()) {
			return nil
		}
		err := w.cfg.Store.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID)
		w.done1(ev, bucket, u.Key, u.UploadID, ignoreGone(err))
		return nil
	})
	if err != nil && ctx.Err() == nil {
		w.fail(fmt.Errorf("lifecycle: uploads of bucket %s, set %d: %w", bucket, set, err))
	}
}

// versions walks the versions of bucket in set, key by key.
func (w *Worker) versions(ctx context.Context, bucket string, set int, conf *Config) error {
	opts := storage.ListVersionsOptions{MaxKeys: 1000}
	var pending []storage.ObjectInfo // the versions of one key so far
	for {
		page, err := w.cfg.Store.ListSetVersions(ctx, set, bucket, opts)
		if err != nil {
			return err
		}
		for _, v := range page.Versions {
			if len(pending) > 0 && pending[0].Key != v.Key {
				w.key(ctx, bucket, conf, pending)
				pending = pending[:0]
			}
			pending = append(pending, v)
		}
		if !page.IsTruncated || ctx.Err() != nil {
			break
		}
		opts.KeyMarker, opts.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	if len(pending) > 0 && ctx.Err() == nil {
		w.key(ctx, bucket, conf, pending)
	}
	return ctx.Err()
}

// key applies conf to every version of one key, given newest first.
func (w *Worker) key(ctx context.Context, bucket string, conf *Config, vs []storage.ObjectInfo) {
	tags := conf.HasTagFilters()
	newer := 0 // noncurrent versions newer than the one at hand
	for i := range vs {
		if w.pace.wait(ctx) != nil {
			return
		}
		w.tally(Counts{Scanned: 1})
		v := Version{
			Object:    Object{Key: vs[i].Key, Size: vs[i].Size},
			VersionID: vs[i].VersionID, ModTime: vs[i].ModTime,
			IsLatest: i == 0, DeleteMarker: vs[i].DeleteMarker, Versions: len(vs),
		}
		if i > 0 {
			v.NoncurrentSince, v.NewerNoncurrent = vs[i-1].ModTime, newer
			newer++
		}
		if tags && !v.DeleteMarker {
			info, err := w.cfg.Store.StatObject(ctx, bucket, v.Key, storage.GetOptions{VersionID: idOf(v.VersionID)})
			if err != nil {
				w.done1(Event{}, bucket, v.Key, v.VersionID, ignoreGone(err))
				continue
			}
			v.Tags = info.Tags
		}
		ev, ok := conf.Next(v, w.cfg.Calendar)
		if !ok || !ev.DueBy(w.cfg.Now()) {
			continue
		}
		w.done1(ev, bucket, v.Key, v.VersionID, w.apply(ctx, bucket, v, vs[i].ETag, ev))
	}
}

// apply carries out a due event on version v through the delete path.
func (w *Worker) apply(ctx context.Context, bucket string, v Version, etag string, ev Event) error {
	st := w.cfg.Store
	switch ev.Action {
	case ActionExpire:
		// The current version may have changed since the listing: the
		// delete happens only if it is still the one decided on (same
		// version and modification time now, same ETag under the
		// object's lock).
		cur, err := st.StatObject(ctx, bucket, v.Key, storage.GetOptions{})
		if err != nil {
			return ignoreGone(err)
		}
		if cur.VersionID != v.VersionID || !cur.ModTime.Equal(v.ModTime) {
			return nil
		}
		_, err = st.DeleteObject(ctx, bucket, v.Key, storage.DeleteOptions{IfMatch: etag})
		if errors.Is(err, storage.ErrPreconditionFailed) {
			return nil
		}
		return ignoreGone(err)
	case ActionDeleteMarker, ActionDeleteNoncurrent:
		_, err := st.DeleteObject(ctx, bucket, v.Key, storage.DeleteOptions{VersionID: idOf(v.VersionID)})
		return ignoreGone(err)
	}
	return nil
}

// done1 records the outcome of one action (ev.Action none: a failed read).
func (w *Worker) done1(ev Event, bucket, key, version string, err error) {
	switch {
	case errors.Is(err, errSkipped):
	case err != nil && w.cfg.Protected != nil && w.cfg.Protected(err):
		w.tally(Counts{Held: 1})
		w.cfg.Logger.Debug("lifecycle action held by object lock", "action", ev.Action.String(), "bucket", bucket, "key", key, "version", version, "rule", ev.RuleID)
	case err != nil:
		w.tally(Counts{Errors: 1})
		w.fail(fmt.Errorf("lifecycle: %s %s/%s (version %q, rule %q): %w", ev.Action, bucket, key, version, ev.RuleID, err))
	case ev.Action != ActionNone:
		var c Counts
		c.count(ev.Action)
		w.tally(c)
		w.cfg.Logger.Debug("lifecycle action", "action", ev.Action.String(), "bucket", bucket, "key", key, "version", version, "rule", ev.RuleID)
	}
}

// tally adds c to the current pass's counts and the totals.
func (w *Worker) tally(c Counts) {
	w.mu.Lock()
	w.status.Current.add(c)
	w.status.Total.add(c)
	w.mu.Unlock()
}

// fail records and logs an error.
func (w *Worker) fail(err error) {
	w.mu.Lock()
	w.status.LastError = err.Error()
	w.mu.Unlock()
	w.cfg.Logger.Warn("lifecycle", "err", err)
}

// errSkipped marks an action that found nothing left to do.
var errSkipped = errors.New("lifecycle: nothing left to do")

// ignoreGone turns "already gone" into errSkipped: another client (or an
// earlier pass) removed the version first.
func ignoreGone(err error) error {
	if errors.Is(err, storage.ErrObjectNotFound) || errors.Is(err, storage.ErrVersionNotFound) ||
		errors.Is(err, storage.ErrUploadNotFound) || errors.Is(err, storage.ErrBucketNotFound) {
		return errSkipped
	}
	return err
}

// idOf names a version for a request: "null" for the empty ID.
func idOf(id string) string {
	if id == "" {
		return nullVersionID
	}
	return id
}

// hasAbort reports whether an enabled rule aborts uploads.
func (c *Config) hasAbort() bool {
	for i := range c.Rules {
		if c.Rules[i].Status == statusEnabled && c.Rules[i].AbortIncompleteMultipartUpload != nil {
			return true
		}
	}
	return false
}
