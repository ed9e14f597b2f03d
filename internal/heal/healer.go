package heal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/erasure"
	"github.com/hoardstore/hoard/internal/heal/repair"
	"github.com/hoardstore/hoard/internal/storage"
)

// Defaults applied by Config.
const (
	// DefaultRate is the scanner's pace, in objects per second.
	DefaultRate = 100
	// DefaultByteRate bounds the scanner's shard reads, in bytes per second.
	DefaultByteRate = 64 << 20
	// DefaultInterval is the pause between two scanner cycles.
	DefaultInterval = 10 * time.Minute
	// DefaultCheckInterval is how often drives are checked (wiped,
	// replaced, back online).
	DefaultCheckInterval = 5 * time.Second
)

// Engine is what healing needs from the storage engine; *erasure.Layer
// implements it.
type Engine interface {
	HealObjectWith(ctx context.Context, bucket, key string, opts repair.Options) (repair.Result, error)
	HealBucket(ctx context.Context, bucket string) (repair.BucketResult, error)
	HealBuckets(ctx context.Context) ([]string, error)
	HealKeys(ctx context.Context, o repair.Walk) ([]string, bool, error)
	CheckDrives(ctx context.Context) ([]string, error)
	ReloadStale(ctx context.Context) []string
	RebuildingDrives() []string
	StaleReason(endpoint string) string
	BeginRebuild(endpoint string)
	DriveRebuilt(endpoint string)
	DriveSet(endpoint string) int
	CountUsage(bucket string) func(objects, bytes uint64) bool
	GetBucketInfo(ctx context.Context, bucket string) (storage.BucketInfo, error)
	StorageInfo(ctx context.Context) (storage.StorageInfo, error)
}

var _ Engine = (*erasure.Layer)(nil)

// Config configures a Healer.
type Config struct {
	Engine Engine
	// Queue holds the objects to heal that the engine reports (reads that
	// met damage, writes that missed drives): the server gives the same
	// queue to the engine (erasure.Config.HealQueue). Nil means a queue of
	// DefaultQueueSize only the Healer's retries feed.
	Queue  *Queue
	Logger *slog.Logger
	// Rate is the scanner's pace in objects per second; 0 means
	// DefaultRate, negative disables the scanner.
	Rate float64
	// ByteRate bounds the bytes per second the scanner reads to verify
	// shards; 0 means DefaultByteRate, negative leaves them unbounded.
	ByteRate float64
	// Interval is the pause between scanner cycles; 0 means DefaultInterval.
	Interval time.Duration
	// DeepEvery makes every DeepEvery-th scanner cycle verify every shard
	// block by block (the others only check that shards are present);
	// 0 means 1, every cycle.
	DeepEvery int
	// CheckInterval is how often drives are checked; 0 means DefaultCheckInterval.
	CheckInterval time.Duration
	// ScanHere, when set, says whether this node runs the scanner now (in a
	// cluster only one node should: the coordinator); it is asked before
	// every cycle, and again every CheckInterval while it says no.
	ScanHere func() bool
	// RebuildHere, when set, says whether this node rebuilds the stale
	// drive named endpoint (replaced, repaired or that missed writes):
	// in a cluster every node learns that a drive is stale, and only the
	// drive's own node rebuilds it and clears its records. Nil: every
	// drive (a single node).
	RebuildHere func(endpoint string) bool
}

func (c Config) withDefaults() Config {
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Queue == nil {
		c.Queue = NewQueue(DefaultQueueSize)
	}
	if c.Rate == 0 {
		c.Rate = DefaultRate
	}
	if c.ByteRate == 0 {
		c.ByteRate = DefaultByteRate
	}
	if c.Interval <= 0 {
		c.Interval = DefaultInterval
	}
	if c.DeepEvery <= 0 {
		c.DeepEvery = 1
	}
	if c.CheckInterval <= 0 {
		c.CheckInterval = DefaultCheckInterval
	}
	return c
}

// ErrRunning marks a StartHeal refused because a heal is running.
var ErrRunning = errors.New("heal: a heal is already running")

// maxPages bounds every walk over a bucket (1000 keys a page).
const maxPages = 1 << 30

// Healer runs the background healing of one engine and the heals an
// operator starts. Start begins the background work; Close ends it.
type Healer struct {
	cfg      Config
	e        Engine
	log      *slog.Logger
	objPace  *pacer
	bytePace *pacer

	mu      sync.Mutex
	run     Run
	scanner ScannerStatus
	queue   QueueStatus
	drives  map[string]*DriveProgress // rebuilds in progress, by endpoint
	pending []rebuildJob              // rebuilds waiting for the rebuilder
	offline map[string]bool           // drives seen offline, to catch up when back
	retries map[Queued]int            // queued heals a drive was offline for, with their attempts

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	kick   chan struct{}
	// recheck asks the drive monitor for a check now (DrivesChanged).
	recheck chan struct{}
	started bool
	// restartPause is the pause before a loop that panicked starts
	// again (loopRestartPause; shorter in tests).
	restartPause time.Duration
}

// New returns a Healer over cfg.Engine; nothing runs until Start.
func New(cfg Config) (*Healer, error) {
	if cfg.Engine == nil {
		return nil, fmt.Errorf("heal: no engine")
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	h := &Healer{
		cfg: cfg, e: cfg.Engine, log: cfg.Logger.With("component", "heal"),
		objPace: newPacer(cfg.Rate), bytePace: newPacer(cfg.ByteRate),
		drives: map[string]*DriveProgress{}, offline: map[string]bool{}, retries: map[Queued]int{},
		ctx: ctx, cancel: cancel, kick: make(chan struct{}, 1), recheck: make(chan struct{}, 1), restartPause: loopRestartPause,
	}
	h.scanner.Rate = max(cfg.Rate, 0)
	return h, nil
}

// Start begins the background work: the drive monitor and rebuilder, the
// worker healing what reads found damaged, and the scanner (unless its
// rate is negative).
func (h *Healer) Start() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.started {
		return
	}
	h.started = true
	h.goLoop("drive monitor", h.monitorLoop)
	h.goLoop("rebuilder", h.rebuildLoop)
	h.goLoop("heal queue", h.queueLoop)
	if h.cfg.Rate > 0 {
		h.goLoop("scanner", h.scanLoop)
	}
}

// Restarts of a background loop that panicked.
const (
	// loopRestarts bounds how often one loop is started again.
	loopRestarts = 20
	// loopRestartPause is the pause before a loop is started again.
	loopRestartPause = 5 * time.Second
)

// goBackground runs fn in a goroutine Close waits for. A panic in fn (a
// bug meeting unexpected drive contents) is logged, never allowed to end
// the process.
func (h *Healer) goBackground(fn func(ctx context.Context)) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.recovered("background heal", fn)
	}()
}

// goLoop is goBackground for a loop that must keep running: after a
// panic it starts again, after loopRestartPause and at most loopRestarts
// times.
func (h *Healer) goLoop(name string, fn func(ctx context.Context)) {
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for i := 0; ; i++ {
			if !h.recovered(name, fn) || h.ctx.Err() != nil {
				return
			}
			if i == loopRestarts {
				h.log.Error("heal: background loop panicked too often: stopped until restart", "loop", name, "restarts", i)
				return
			}
			if sleep(h.ctx, h.restartPause) != nil {
				return
			}
		}
	}()
}

// recovered runs fn and reports whether it panicked (logged, with the stack).
func (h *Healer) recovered(name string, fn func(ctx context.Context)) (panicked bool) {
	defer func() {
		if r := recover(); r != nil {
			panicked = true
			h.log.Error("heal: background work panicked: recovered", "loop", name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
		}
	}()
	fn(h.ctx)
	return false
}

// Close stops every heal and waits for them to return.
func (h *Healer) Close() error {
	h.cancel()
	h.wg.Wait()
	return nil
}

// eachKey calls fn for every key of bucket under prefix (in one set, or
// all with set -1) that any drive holds.
func (h *Healer) eachKey(ctx context.Context, bucket, prefix string, set int, fn func(key string) error) error {
	after := ""
	for range maxPages {
		keys, more, err := h.e.HealKeys(ctx, repair.Walk{Bucket: bucket, Prefix: prefix, After: after, Set: set})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if !more || len(keys) == 0 {
			return nil
		}
		after = keys[len(keys)-1]
	}
	return nil
}

// healed says whether a heal wrote anything.
func healed(res repair.Result) bool { return res.Healed > 0 || res.Removed }

// queueLoop heals the objects the engine queued, one at a time.
func (h *Healer) queueLoop(ctx context.Context) {
	for {
		q, err := h.cfg.Queue.Pop(ctx)
		if err != nil {
			return
		}
		res, err := h.e.HealObjectWith(ctx, q.Bucket, q.Key, repair.Options{Deep: q.Deep})
		h.mu.Lock()
		switch {
		case err != nil:
			h.queue.Failed++
		case healed(res):
			h.queue.Healed++
		}
		if ctx.Err() == nil && (err != nil || !res.Clean()) && reachedOffline(res) {
			h.holdForRetry(q)
		} else {
			delete(h.retries, q)
		}
		h.mu.Unlock()
		if err != nil && ctx.Err() == nil {
			h.log.Warn("heal after a damaged read failed", "bucket", q.Bucket, "key", q.Key, "err", err)
		} else if healed(res) {
			h.log.Info("healed an object a read found damaged", "bucket", q.Bucket, "key", q.Key, "drives", res.Healed)
		}
	}
}
