package drive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hoardstore/hoard/internal/meta"
)

// Defaults of WatchdogOptions.
const (
	// DefaultCallTimeout bounds every call to a drive and every read or
	// write of a shard stream: a disk that takes longer is treated as hung.
	DefaultCallTimeout = 30 * time.Second
	// DefaultRejoinInterval is how often a hung drive is probed.
	DefaultRejoinInterval = time.Second
)

// WatchdogOptions configure a Watchdog.
type WatchdogOptions struct {
	// Timeout bounds each call; 0 means DefaultCallTimeout.
	Timeout time.Duration
	// RejoinInterval is the pause between probes of a hung drive; 0 means
	// DefaultRejoinInterval.
	RejoinInterval time.Duration
	// Logger receives the drive's state changes; nil discards them.
	Logger *slog.Logger
}

// Watchdog wraps a Drive and bounds every call by a deadline, as a disk
// that hangs in the kernel (a dying disk, a lost NFS or iSCSI server)
// ignores contexts and would hold every request that touches it.
//
// A call that does not return in time answers ErrFaulty to its caller,
// which counts it as a failed drive (the others serve with quorum), and
// takes the drive out of service: from then on every call fails at once,
// without reaching the drive. The call that hung cannot be stopped; it
// keeps running and its late result is dropped: a shard written or moved
// in late is a stray (never referenced by a record the quorum agrees on)
// that the drive's sweep and healing remove, and buffers the caller
// passed are never touched after the call returned (reads and writes go
// through a private copy). The drive rejoins once every hung call has
// returned and a probe (DiskInfo) answers in time; healing then gives it
// what it missed.
type Watchdog struct {
	inner   Drive
	timeout time.Duration
	every   time.Duration
	log     *slog.Logger

	fault atomic.Pointer[Fault]
	// stuck counts calls past their deadline that have not returned.
	stuck   atomic.Int64
	probing atomic.Bool
	// bufs holds the private buffers of shard streams (*[]byte).
	bufs   sync.Pool
	done   chan struct{} // closed by Close: ends the rejoin probe
	closed sync.Once
}

// DirectReader is a shard stream that can read straight into the caller's
// buffer. Read (through a private buffer and a copy) guarantees that a
// read abandoned at its deadline never touches the caller's memory;
// ReadDirect saves that copy, large for big objects, on one condition:
// when it fails with an error wrapping ErrFaulty (the read did not
// return in time, or the drive is out of service), the read may still be
// running and write into p later, so the caller must never use p's
// memory again (drop the buffer; never give it back to a pool).
type DirectReader interface {
	ReadDirect(p []byte) (int, error)
}

var (
	_ DirectReader  = (*watchReader)(nil)
	_ Drive         = (*Watchdog)(nil)
	_ FaultReporter = (*Watchdog)(nil)
	_ Wrapper       = (*Watchdog)(nil)
)

// NewWatchdog wraps d with a deadline on every call.
func NewWatchdog(d Drive, o WatchdogOptions) *Watchdog {
	if o.Timeout <= 0 {
		o.Timeout = DefaultCallTimeout
	}
	if o.RejoinInterval <= 0 {
		o.RejoinInterval = DefaultRejoinInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Watchdog{inner: d, timeout: o.Timeout, every: o.RejoinInterval, log: o.Logger.With("drive", d.Endpoint()), done: make(chan struct{})}
}

// Unwrap returns the wrapped drive.
func (w *Watchdog) Unwrap() Drive { return w.inner }

// Fault returns why the drive is out of service: its own fault (a call
// that hung) first, else the wrapped drive's.
func (w *Watchdog) Fault() *Fault {
	if f := w.fault.Load(); f != nil {
		return f
	}
	return FaultOf(w.inner)
}

// Stuck returns how many calls passed their deadline and have not returned.
func (w *Watchdog) Stuck() int64 { return w.stuck.Load() }

// hungErr is the error of every call while the drive is out of service.
func (w *Watchdog) hungErr(f *Fault) error {
	return fmt.Errorf("%w: %s: %s", ErrFaulty, w.inner.Endpoint(), f.Reason)
}

// markHung takes the drive out of service after op passed its deadline
// and starts probing it for its return.
func (w *Watchdog) markHung(op string) error {
	f := &Fault{Reason: fmt.Sprintf("hung: %s did not return within %s", op, w.timeout), Since: time.Now().UTC(), Hung: true}
	if w.fault.CompareAndSwap(nil, f) {
		w.log.Error("drive taken out of service: a call did not return in time; its data is served from the other drives of its set", "op", op, "timeout", w.timeout)
	}
	if w.probing.CompareAndSwap(false, true) {
		go w.rejoin()
	}
	return w.hungErr(w.fault.Load())
}

// rejoin probes the hung drive until every hung call returned and a
// probe answers in time, then puts it back in service.
func (w *Watchdog) rejoin() {
	t := time.NewTicker(w.every)
	defer t.Stop()
	for {
		select {
		case <-w.done:
			w.probing.Store(false)
			return
		case <-t.C:
		}
		if w.stuck.Load() > 0 {
			continue
		}
		_, err := run(w, "probe", 0, func() (DiskInfo, error) {
			return w.inner.DiskInfo(context.Background())
		})
		if err != nil {
			continue
		}
		if f := w.fault.Swap(nil); f != nil {
			w.log.Warn("drive answers again: back in service; healing gives it what it missed", "out_since", f.Since, "reason", f.Reason)
		}
		w.probing.Store(false)
		// A call that hung between the swap and now found the probe
		// still running and started none: go on probing for it.
		if w.fault.Load() == nil || !w.probing.CompareAndSwap(false, true) {
			return
		}
	}
}

// Ways of calling through run.
const (
	// gated calls fail at once while the drive is out of service.
	gated = 1 << iota
	// marking calls take the drive out of service when they hang.
	marking
	// call is an ordinary call: both.
	call = gated | marking
)

// run calls f with the watchdog's deadline (see the flags above). The
// returned error of a call past its deadline wraps ErrFaulty.
func run[T any](w *Watchdog, op string, how int, f func() (T, error)) (T, error) {
	return runLate(w, op, how, f, nil)
}

// runLate is run; late, if not nil, receives the result of a call that
// succeeded after its deadline, to release it (close a stream).
func runLate[T any](w *Watchdog, op string, how int, f func() (T, error), late func(T)) (T, error) {
	var zero T
	if flt := w.fault.Load(); flt != nil && how&gated != 0 {
		return zero, w.hungErr(flt)
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	var mu sync.Mutex
	finished, abandoned := false, false
	go func() {
		v, err := f()
		mu.Lock()
		finished = true
		gone := abandoned
		mu.Unlock()
		if gone {
			if late != nil && err == nil {
				late(v)
			}
			w.stuck.Add(-1)
		}
		ch <- result{v, err}
	}()
	t := time.NewTimer(w.timeout)
	defer t.Stop()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-t.C:
	}
	mu.Lock()
	if finished { // it returned as the timer fired
		mu.Unlock()
		r := <-ch
		return r.v, r.err
	}
	abandoned = true
	w.stuck.Add(1)
	mu.Unlock()
	if how&marking == 0 {
		return zero, fmt.Errorf("%w: %s: %s did not return within %s", ErrFaulty, w.inner.Endpoint(), op, w.timeout)
	}
	return zero, w.markHung(op)
}

// Endpoint names the wrapped drive; it never blocks.
func (w *Watchdog) Endpoint() string { return w.inner.Endpoint() }

// ReadFormat reads the format record within the deadline.
func (w *Watchdog) ReadFormat(ctx context.Context) (Format, error) {
	return run(w, "read format", call, func() (Format, error) { return w.inner.ReadFormat(ctx) })
}

// WriteFormat writes the format record within the deadline.
func (w *Watchdog) WriteFormat(ctx context.Context, f Format) error {
	_, err := run(w, "write format", call, func() (struct{}, error) { return struct{}{}, w.inner.WriteFormat(ctx, f) })
	return err
}

// DiskInfo reports the capacity within the deadline.
func (w *Watchdog) DiskInfo(ctx context.Context) (DiskInfo, error) {
	return run(w, "disk info", call, func() (DiskInfo, error) { return w.inner.DiskInfo(ctx) })
}

// MakeBucket creates a bucket record within the deadline.
func (w *Watchdog) MakeBucket(ctx context.Context, name string, value []byte) error {
	_, err := run(w, "make bucket", call, func() (struct{}, error) { return struct{}{}, w.inner.MakeBucket(ctx, name, value) })
	return err
}

// DeleteBucket removes a bucket record within the deadline.
func (w *Watchdog) DeleteBucket(ctx context.Context, name string) error {
	_, err := run(w, "delete bucket", call, func() (struct{}, error) { return struct{}{}, w.inner.DeleteBucket(ctx, name) })
	return err
}

// Get reads one record within the deadline.
func (w *Watchdog) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	return run(w, "get", call, func() ([]byte, error) { return w.inner.Get(ctx, ns, key) })
}

// GetNewest reads the newest version of an object record within the deadline.
func (w *Watchdog) GetNewest(ctx context.Context, key string) ([]byte, error) {
	return run(w, "get", call, func() ([]byte, error) { return w.inner.GetNewest(ctx, key) })
}

// GetNewestToWrite is GetNewest for a write that follows, within the
// deadline.
func (w *Watchdog) GetNewestToWrite(ctx context.Context, key string) ([]byte, error) {
	return run(w, "get", call, func() ([]byte, error) { return w.inner.GetNewestToWrite(ctx, key) })
}

// Walk reads a page of records within the deadline.
func (w *Watchdog) Walk(ctx context.Context, o WalkOptions) (WalkResult, error) {
	return run(w, "walk", call, func() (WalkResult, error) { return w.inner.Walk(ctx, o) })
}

// Apply commits a batch within the deadline. A commit that lands after
// its deadline was counted as failed by the caller: if the write still
// reached its quorum the late commit agrees with it; if not, the caller
// reverted the drives that answered and the late commit is a copy (with
// its shards) on fewer drives than the write quorum, which healing
// removes unless it reaches a read quorum (docs/ARCHITECTURE.md).
func (w *Watchdog) Apply(ctx context.Context, b Batch) error {
	_, err := run(w, "apply", call, func() (struct{}, error) { return struct{}{}, w.inner.Apply(ctx, b) })
	return err
}

// CreateShard starts a staged shard file within the deadline; every call
// on the writer it returns has the deadline too.
func (w *Watchdog) CreateShard(ctx context.Context, stage, name string, size int64) (ShardWriter, error) {
	sw, err := runLate(w, "create shard", call, func() (ShardWriter, error) { return w.inner.CreateShard(ctx, stage, name, size) },
		func(sw ShardWriter) { sw.Abort() })
	if err != nil {
		return nil, err
	}
	return &watchWriter{w: w, sw: sw}, nil
}

// RemoveStage discards a stage within the deadline.
func (w *Watchdog) RemoveStage(ctx context.Context, stage string) error {
	_, err := run(w, "remove stage", call, func() (struct{}, error) { return struct{}{}, w.inner.RemoveStage(ctx, stage) })
	return err
}

// ReadShard opens a shard file range within the deadline; every read of
// the stream it returns has the deadline too.
func (w *Watchdog) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	r, err := runLate(w, "read shard", call, func() (io.ReadCloser, error) { return w.inner.ReadShard(ctx, dir, name, offset, length) },
		func(r io.ReadCloser) { r.Close() })
	if err != nil {
		return nil, err
	}
	return &watchReader{w: w, r: r}, nil
}

// ListShards names a data directory's shard files within the deadline.
func (w *Watchdog) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	return run(w, "list shards", call, func() ([]string, error) { return w.inner.ListShards(ctx, dir) })
}

// RemoveShards deletes shard files within the deadline.
func (w *Watchdog) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	_, err := run(w, "remove shards", call, func() (struct{}, error) { return struct{}{}, w.inner.RemoveShards(ctx, dir, names) })
	return err
}

// RemoveDataDir deletes a data directory within the deadline.
func (w *Watchdog) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	_, err := run(w, "remove data dir", call, func() (struct{}, error) { return struct{}{}, w.inner.RemoveDataDir(ctx, dir) })
	return err
}

// Close stops probing and closes the wrapped drive, waiting at most the
// deadline for it (a drive that hangs may never close; shutting down
// must not wait for it).
func (w *Watchdog) Close() error {
	w.closed.Do(func() { close(w.done) })
	_, err := run(w, "close", 0, func() (struct{}, error) { return struct{}{}, w.inner.Close() })
	return err
}

// serial runs the calls of one stream in order, so a call made after
// one that hung (Abort after a Write) runs only once that one returned,
// never beside it.
type serial struct {
	mu   sync.Mutex
	last chan struct{} // closed when the previous call returned
}

// then returns f to run after the previous call of the stream returned.
// The returned function must be called exactly once.
func then[T any](s *serial, f func() (T, error)) func() (T, error) {
	s.mu.Lock()
	prev := s.last
	mine := make(chan struct{})
	s.last = mine
	s.mu.Unlock()
	return func() (T, error) {
		defer close(mine)
		if prev != nil {
			<-prev
		}
		return f()
	}
}

// streamCall runs one call of a stream: at once with the drive's error
// while it is out of service, else in order behind the stream's earlier
// calls and within the deadline.
func streamCall[T any](w *Watchdog, s *serial, op string, f func() (T, error)) (T, error) {
	if flt := w.fault.Load(); flt != nil {
		var zero T
		return zero, w.hungErr(flt)
	}
	return run(w, op, marking, then(s, f))
}

// watchWriter is a shard writer whose calls have the watchdog's deadline.
type watchWriter struct {
	w   *Watchdog
	sw  ShardWriter
	s   serial
	buf []byte
}

// Write writes a private copy of p, so that a write that hangs past its
// deadline never reads p after Write returned.
func (ww *watchWriter) Write(p []byte) (int, error) {
	if cap(ww.buf) < len(p) {
		ww.buf = ww.w.getBuf(len(p))
	}
	buf := ww.buf[:len(p)]
	copy(buf, p)
	n, err := streamCall(ww.w, &ww.s, "write shard", func() (int, error) { return ww.sw.Write(buf) })
	if errors.Is(err, ErrFaulty) {
		ww.buf = nil // a write that hung still owns it
	}
	return n, err
}

// Close makes the shard durable within the deadline.
func (ww *watchWriter) Close() error {
	_, err := streamCall(ww.w, &ww.s, "sync shard", func() (struct{}, error) { return struct{}{}, ww.sw.Close() })
	if err == nil {
		ww.w.putBuf(ww.buf)
		ww.buf = nil
	}
	return err
}

// Abort discards the shard. It is queued behind any call still running
// on the stream and always reaches the wrapped writer, even while the
// drive is out of service (then in the background, without waiting), so
// the staged file goes once the drive answers.
func (ww *watchWriter) Abort() error {
	f := then(&ww.s, func() (struct{}, error) { return struct{}{}, ww.sw.Abort() })
	if flt := ww.w.fault.Load(); flt != nil {
		go f()
		return ww.w.hungErr(flt)
	}
	_, err := run(ww.w, "abort shard", marking, f)
	return err
}

// watchReader is a shard reader whose reads have the watchdog's deadline.
type watchReader struct {
	w   *Watchdog
	r   io.ReadCloser
	s   serial
	buf []byte
}

// Read reads into a private buffer and copies it into p, so that a read
// that hangs past its deadline never writes into p after Read returned.
func (wr *watchReader) Read(p []byte) (int, error) {
	if cap(wr.buf) < len(p) {
		wr.buf = wr.w.getBuf(len(p))
	}
	buf := wr.buf[:len(p)]
	n, err := streamCall(wr.w, &wr.s, "read shard", func() (int, error) { return wr.r.Read(buf) })
	if errors.Is(err, ErrFaulty) {
		wr.buf = nil // a read that hung still owns it
		return 0, err
	}
	return copy(p, buf[:n]), err
}

// ReadDirect reads straight into p, without the private buffer and its
// copy (see DirectReader): a read that passes its deadline may still
// write into p afterwards, so on ErrFaulty the caller gives p up.
func (wr *watchReader) ReadDirect(p []byte) (int, error) {
	return streamCall(wr.w, &wr.s, "read shard", func() (int, error) { return wr.r.Read(p) })
}

// Close closes the stream behind any read still running on it, in the
// background if the drive is out of service.
func (wr *watchReader) Close() error {
	f := then(&wr.s, func() (struct{}, error) { return struct{}{}, wr.r.Close() })
	if wr.w.fault.Load() != nil {
		go f()
		return nil
	}
	_, err := run(wr.w, "close shard", marking, f)
	if err == nil {
		wr.w.putBuf(wr.buf)
		wr.buf = nil
	}
	return err
}

// getBuf returns a buffer of n bytes for a stream, pooled if one fits.
func (w *Watchdog) getBuf(n int) []byte {
	if p, ok := w.bufs.Get().(*[]byte); ok && cap(*p) >= n {
		return (*p)[:n]
	}
	return make([]byte, n)
}

// putBuf gives a stream's buffer back once no call of it can run any more.
func (w *Watchdog) putBuf(b []byte) {
	if cap(b) > 0 {
		w.bufs.Put(&b)
	}
}
