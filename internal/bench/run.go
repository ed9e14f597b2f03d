package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Report is the outcome of one run.
type Report struct {
	Workload    Workload `json:"workload"`
	Endpoint    string   `json:"endpoint"`
	Bucket      string   `json:"bucket"`
	Prefix      string   `json:"prefix"`
	Concurrency int      `json:"concurrency"`
	SizeMin     int64    `json:"size_min"`
	SizeMax     int64    `json:"size_max"`
	PartSize    int64    `json:"part_size,omitempty"`
	Objects     int      `json:"objects,omitempty"`
	// Versioning is set for a run in a versioned bucket, VersionsPerKey
	// when each prepared object was written more than once.
	Versioning     bool      `json:"versioning,omitempty"`
	VersionsPerKey int       `json:"versions_per_key,omitempty"`
	Mix            string    `json:"mix,omitempty"`
	Start          time.Time `json:"start"`
	// WarmupSeconds and Seconds are the wall-clock lengths of the
	// unrecorded warm-up and of the measured phase.
	WarmupSeconds float64 `json:"warmup_seconds"`
	Seconds       float64 `json:"seconds"`
	// Stats has one entry per kind of operation measured.
	Stats     []OpStats `json:"stats"`
	Resources Resources `json:"resources"`
	// Warnings note what went wrong outside the measured phase, such as
	// objects the cleanup could not remove.
	Warnings []string `json:"warnings,omitempty"`
}

// runner holds the state of one run shared by its workers.
type runner struct {
	cfg     Config
	log     *slog.Logger
	c       *client
	bucket  string
	lay     layout
	payload []byte
	pool    pool         // mixed workload's objects
	delNext atomic.Int64 // next prepared object the delete workload removes
	listAt  int          // index of the first prepared object a listing returns
}

// Run executes one benchmark run against cfg.Endpoint: it creates the
// bucket if needed, prepares objects, warms up, measures, and removes
// what it wrote (unless cfg.Keep). Progress goes to log. An error means
// the run could not be measured; failed operations during a measured run
// are counted in the report instead, until cfg.MaxErrors is reached.
func Run(ctx context.Context, cfg Config, log *slog.Logger) (rep *Report, err error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Reuse && (cfg.Bucket == "" || cfg.Prefix == "") {
		return nil, errors.New("bench: reusing objects needs the bucket and prefix they were written under")
	}
	id := runID()
	r := &runner{cfg: cfg, log: log, c: newClient(cfg), bucket: cfg.Bucket}
	defer r.c.close()
	if r.bucket == "" {
		r.bucket = "hoard-bench-" + id
	}
	r.lay = layout{prefix: cfg.Prefix, sizeMin: cfg.SizeMin, sizeMax: cfg.SizeMax}
	if r.lay.prefix == "" {
		r.lay.prefix = "bench-" + id
	}
	seed := cfg.Seed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	payloadLen := cfg.SizeMax
	if cfg.Workload == WorkloadMultipart {
		payloadLen = min(cfg.SizeMax, cfg.PartSize)
	}
	r.payload = newPayload(payloadLen, seed)
	rep = &Report{
		Workload: cfg.Workload, Endpoint: cfg.Endpoint, Bucket: r.bucket, Prefix: r.lay.prefix,
		Concurrency: cfg.Concurrency, SizeMin: cfg.SizeMin, SizeMax: cfg.SizeMax, Start: time.Now().UTC(),
	}
	if cfg.Workload.prepares() {
		rep.Objects = cfg.Objects
		if cfg.VersionsPerKey > 1 {
			rep.VersionsPerKey = cfg.VersionsPerKey
		}
	}
	rep.Versioning = cfg.Versioning
	if cfg.Workload == WorkloadMultipart {
		rep.PartSize = cfg.PartSize
	}
	if cfg.Workload == WorkloadMixed {
		rep.Mix = cfg.Mix.String()
	}

	created, err := r.setup(ctx)
	if err != nil {
		return nil, err
	}
	if !cfg.Keep {
		defer func() {
			// Clean up even when ctx was cancelled, within a bound.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
			defer cancel()
			rep.Warnings = append(rep.Warnings, r.cleanup(cctx, created)...)
		}()
	}
	if err := r.prepare(ctx, seed); err != nil {
		return rep, err
	}
	if err := r.measure(ctx, seed, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

// runID returns 8 random hex digits naming a run's bucket and prefix.
func runID() string {
	var b [4]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// setup makes sure the bucket exists and reports whether it created it.
func (r *runner) setup(ctx context.Context) (bool, error) {
	if r.cfg.Reuse {
		if !r.c.bucketExists(ctx, r.bucket) {
			return false, fmt.Errorf("bench: bucket %q to reuse is not there", r.bucket)
		}
		if r.cfg.Versioning {
			return false, r.setupVersioning(ctx, false)
		}
		return false, nil
	}
	created, err := r.c.createBucket(ctx, r.bucket)
	if err != nil {
		return false, fmt.Errorf("bench: create bucket %s: %w", r.bucket, err)
	}
	if r.cfg.Versioning {
		if err := r.setupVersioning(ctx, created); err != nil {
			if created {
				r.c.deleteBucket(context.WithoutCancel(ctx), r.bucket)
			}
			return false, err
		}
	}
	return created, nil
}

// measure runs the warm-up, then the measured phase, and fills in rep.
func (r *runner) measure(ctx context.Context, seed uint64, rep *Report) error {
	workers := make([]*worker, r.cfg.Concurrency)
	for i := range workers {
		workers[i] = newWorker(r, i, seed)
	}
	if r.cfg.Warmup > 0 {
		r.log.Info("bench: warming up", "duration", r.cfg.Warmup)
		ph := newPhase(r.cfg.Warmup, 0, r.cfg.MaxErrors)
		start := time.Now()
		r.runPhase(ctx, ph, workers)
		rep.WarmupSeconds = time.Since(start).Seconds()
		if err := ph.failure(ctx); err != nil {
			return fmt.Errorf("bench: warm-up: %w", err)
		}
		for _, w := range workers {
			w.rec = &recorder{}
		}
	}
	r.log.Info("bench: measuring", "workload", r.cfg.Workload, "duration", r.cfg.Duration, "ops", r.cfg.Ops)
	ph := newPhase(r.cfg.Duration, r.cfg.Ops, r.cfg.MaxErrors)
	meter := startMeter(r.cfg.ServerPID)
	start := time.Now()
	r.runPhase(ctx, ph, workers)
	elapsed := time.Since(start)
	rep.Resources = meter.stop()
	rep.Seconds = elapsed.Seconds()
	recs := make([]*recorder, len(workers))
	for i, w := range workers {
		recs[i] = w.rec
	}
	rep.Stats = summarize(recs, elapsed)
	return ph.failure(ctx)
}

// phase bounds one stretch of work by time, operation count and errors.
type phase struct {
	deadline  time.Time // zero when unbounded by time
	ops       int64     // 0 when unbounded by count
	maxErrors int64
	issued    atomic.Int64
	errors    atomic.Int64
	stopped   atomic.Bool
	mu        sync.Mutex
	err       error
}

func newPhase(d time.Duration, ops, maxErrors int64) *phase {
	p := &phase{ops: ops, maxErrors: maxErrors}
	if d > 0 {
		p.deadline = time.Now().Add(d)
	}
	return p
}

// next reports whether a worker may start another operation at now.
func (p *phase) next(now time.Time) bool {
	if p.stopped.Load() || !p.deadline.IsZero() && !now.Before(p.deadline) {
		return false
	}
	return p.ops == 0 || p.issued.Add(1) <= p.ops
}

// stop ends the phase early; err, when not nil, is why.
func (p *phase) stop(err error) {
	p.mu.Lock()
	if p.err == nil {
		p.err = err
	}
	p.mu.Unlock()
	p.stopped.Store(true)
}

// failed counts a failed operation and stops the phase at the limit.
func (p *phase) failed(err error) {
	if p.errors.Add(1) >= p.maxErrors {
		p.stop(fmt.Errorf("bench: %d operations failed, the last: %w", p.maxErrors, err))
	}
}

// failure returns why the phase ended early, if it did.
func (p *phase) failure(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil {
		return p.err
	}
	return ctx.Err()
}

// runPhase runs every worker until the phase ends or ctx is done.
func (r *runner) runPhase(ctx context.Context, ph *phase, workers []*worker) {
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() {
			for ctx.Err() == nil && ph.next(time.Now()) {
				w.step(ctx, ph)
			}
		})
	}
	wg.Wait()
}
