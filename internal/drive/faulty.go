package drive

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/hoardstore/hoard/internal/meta"
)

// FaultMode is how a Faulty drive misbehaves.
type FaultMode int32

// The fault modes of a Faulty drive.
const (
	// FaultNone passes every call through.
	FaultNone FaultMode = iota
	// FaultRemoved fails every call as a disk that is gone does (ENOENT).
	FaultRemoved
	// FaultEIO fails every call with an I/O error (EIO).
	FaultEIO
	// FaultReadOnly fails every write with EROFS; reads work.
	FaultReadOnly
	// FaultSlow delays every call, and every read or write of a shard
	// stream, by the drive's delay.
	FaultSlow
	// FaultHang blocks every call, and every read or write of a shard
	// stream, until the mode changes, ignoring contexts: a disk hung in
	// the kernel.
	FaultHang
)

// String names the mode as tests print it.
func (m FaultMode) String() string {
	switch m {
	case FaultNone:
		return "none"
	case FaultRemoved:
		return "removed"
	case FaultEIO:
		return "eio"
	case FaultReadOnly:
		return "read-only"
	case FaultSlow:
		return "slow"
	case FaultHang:
		return "hang"
	}
	return fmt.Sprintf("FaultMode(%d)", int32(m))
}

// DefaultFaultDelay is the delay of FaultSlow until SetDelay changes it.
const DefaultFaultDelay = 5 * time.Millisecond

// Faulty wraps a Drive and injects faults chosen at run time: the modes
// can be switched while the engine runs, and streams opened before a
// switch (shard readers and writers) follow the new mode on their next
// call. Close always reaches the wrapped drive so it is released. It is
// for tests of the engine's failure handling.
type Faulty struct {
	inner Drive
	mode  atomic.Int32
	delay atomic.Int64
	// faults counts calls that failed because of the mode.
	faults atomic.Int64
	// hanging counts calls blocked by FaultHang.
	hanging atomic.Int64
	mu      sync.Mutex
	release chan struct{} // open while in FaultHang, closed when it ends
}

var _ Drive = (*Faulty)(nil)

// NewFaulty wraps d; it starts in FaultNone.
func NewFaulty(d Drive) *Faulty {
	f := &Faulty{inner: d}
	f.delay.Store(int64(DefaultFaultDelay))
	return f
}

// SetMode switches the fault mode; leaving FaultHang releases the calls
// it blocked.
func (f *Faulty) SetMode(m FaultMode) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m == FaultHang && f.release == nil {
		f.release = make(chan struct{})
	}
	f.mode.Store(int32(m))
	if m != FaultHang && f.release != nil {
		close(f.release)
		f.release = nil
	}
}

// Hanging returns how many calls FaultHang blocks now.
func (f *Faulty) Hanging() int64 { return f.hanging.Load() }

// hang blocks until FaultHang ends.
func (f *Faulty) hang() {
	f.mu.Lock()
	ch := f.release
	f.mu.Unlock()
	if ch == nil {
		return
	}
	f.hanging.Add(1)
	defer f.hanging.Add(-1)
	<-ch
}

// Mode returns the current fault mode.
func (f *Faulty) Mode() FaultMode { return FaultMode(f.mode.Load()) }

// SetDelay sets the delay FaultSlow adds to each call.
func (f *Faulty) SetDelay(d time.Duration) { f.delay.Store(int64(d)) }

// Faults returns how many calls failed because of an injected fault.
func (f *Faulty) Faults() int64 { return f.faults.Load() }

// Inner returns the wrapped drive.
func (f *Faulty) Inner() Drive { return f.inner }

// Unwrap returns the wrapped drive (as Inner).
func (f *Faulty) Unwrap() Drive { return f.inner }

// check applies the mode to one call: write says whether the call
// changes the drive. It sleeps in FaultSlow (honouring ctx), blocks in
// FaultHang (ignoring ctx, then applies the mode that ended it) and
// returns the injected error, if any.
func (f *Faulty) check(ctx context.Context, op string, write bool) error {
	var errno syscall.Errno
	mode := f.Mode()
	if mode == FaultHang {
		f.hang()
		mode = f.Mode()
	}
	switch mode {
	case FaultRemoved:
		errno = syscall.ENOENT
	case FaultEIO:
		errno = syscall.EIO
	case FaultReadOnly:
		if !write {
			return nil
		}
		errno = syscall.EROFS
	case FaultSlow:
		return f.sleep(ctx)
	default:
		return nil
	}
	f.faults.Add(1)
	return fmt.Errorf("drive: %s %s: injected fault: %w", op, f.inner.Endpoint(), errno)
}

func (f *Faulty) sleep(ctx context.Context) error {
	d := time.Duration(f.delay.Load())
	if d <= 0 {
		return nil
	}
	if ctx == nil {
		ctx = context.Background()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("drive: slow %s: %w", f.inner.Endpoint(), ctx.Err())
	}
}

// Endpoint names the wrapped drive; it never fails.
func (f *Faulty) Endpoint() string { return f.inner.Endpoint() }

// ReadFormat reads the wrapped drive's format unless a fault applies.
func (f *Faulty) ReadFormat(ctx context.Context) (Format, error) {
	if err := f.check(ctx, "read format", false); err != nil {
		return Format{}, err
	}
	return f.inner.ReadFormat(ctx)
}

// WriteFormat writes the wrapped drive's format unless a fault applies.
func (f *Faulty) WriteFormat(ctx context.Context, fm Format) error {
	if err := f.check(ctx, "write format", true); err != nil {
		return err
	}
	return f.inner.WriteFormat(ctx, fm)
}

// DiskInfo reports the wrapped drive's capacity unless a fault applies.
func (f *Faulty) DiskInfo(ctx context.Context) (DiskInfo, error) {
	if err := f.check(ctx, "disk info", false); err != nil {
		return DiskInfo{}, err
	}
	return f.inner.DiskInfo(ctx)
}

// MakeBucket passes through unless a fault applies.
func (f *Faulty) MakeBucket(ctx context.Context, name string, value []byte) error {
	if err := f.check(ctx, "make bucket", true); err != nil {
		return err
	}
	return f.inner.MakeBucket(ctx, name, value)
}

// DeleteBucket passes through unless a fault applies.
func (f *Faulty) DeleteBucket(ctx context.Context, name string) error {
	if err := f.check(ctx, "delete bucket", true); err != nil {
		return err
	}
	return f.inner.DeleteBucket(ctx, name)
}

// Get passes through unless a fault applies.
func (f *Faulty) Get(ctx context.Context, ns Namespace, key string) ([]byte, error) {
	if err := f.check(ctx, "get", false); err != nil {
		return nil, err
	}
	return f.inner.Get(ctx, ns, key)
}

// GetNewest passes through unless a fault applies.
func (f *Faulty) GetNewest(ctx context.Context, key string) ([]byte, error) {
	if err := f.check(ctx, "get", false); err != nil {
		return nil, err
	}
	return f.inner.GetNewest(ctx, key)
}

// GetNewestToWrite passes through unless a fault applies.
func (f *Faulty) GetNewestToWrite(ctx context.Context, key string) ([]byte, error) {
	if err := f.check(ctx, "get", false); err != nil {
		return nil, err
	}
	return f.inner.GetNewestToWrite(ctx, key)
}

// Walk passes through unless a fault applies.
func (f *Faulty) Walk(ctx context.Context, o WalkOptions) (WalkResult, error) {
	if err := f.check(ctx, "walk", false); err != nil {
		return WalkResult{}, err
	}
	return f.inner.Walk(ctx, o)
}

// Apply passes through unless a fault applies.
func (f *Faulty) Apply(ctx context.Context, b Batch) error {
	if err := f.check(ctx, "apply", true); err != nil {
		return err
	}
	return f.inner.Apply(ctx, b)
}

// CreateShard passes through unless a fault applies; the writer it
// returns checks the mode on every call.
func (f *Faulty) CreateShard(ctx context.Context, stage, name string, size int64) (ShardWriter, error) {
	if err := f.check(ctx, "create shard", true); err != nil {
		return nil, err
	}
	w, err := f.inner.CreateShard(ctx, stage, name, size)
	if err != nil {
		return nil, err
	}
	return &faultyWriter{f: f, ctx: ctx, w: w}, nil
}

// RemoveStage passes through unless a fault applies.
func (f *Faulty) RemoveStage(ctx context.Context, stage string) error {
	if err := f.check(ctx, "remove stage", true); err != nil {
		return err
	}
	return f.inner.RemoveStage(ctx, stage)
}

// ReadShard passes through unless a fault applies; the reader it returns
// checks the mode on every call.
func (f *Faulty) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	if err := f.check(ctx, "read shard", false); err != nil {
		return nil, err
	}
	r, err := f.inner.ReadShard(ctx, dir, name, offset, length)
	if err != nil {
		return nil, err
	}
	return &faultyReader{f: f, ctx: ctx, r: r}, nil
}

// ListShards passes through unless a fault applies.
func (f *Faulty) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	if err := f.check(ctx, "list shards", false); err != nil {
		return nil, err
	}
	return f.inner.ListShards(ctx, dir)
}

// RemoveShards passes through unless a fault applies.
func (f *Faulty) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	if err := f.check(ctx, "remove shards", true); err != nil {
		return err
	}
	return f.inner.RemoveShards(ctx, dir, names)
}

// RemoveDataDir passes through unless a fault applies.
func (f *Faulty) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	if err := f.check(ctx, "remove data dir", true); err != nil {
		return err
	}
	return f.inner.RemoveDataDir(ctx, dir)
}

// Close always closes the wrapped drive.
func (f *Faulty) Close() error { return f.inner.Close() }

// faultyWriter is a shard writer that follows its drive's mode.
type faultyWriter struct {
	f   *Faulty
	ctx context.Context
	w   ShardWriter
}

func (w *faultyWriter) Write(p []byte) (int, error) {
	if err := w.f.check(w.ctx, "write shard", true); err != nil {
		return 0, err
	}
	return w.w.Write(p)
}

// Close makes the shard durable unless a fault applies, in which case
// the shard is discarded as a failed fsync would leave it.
func (w *faultyWriter) Close() error {
	if err := w.f.check(w.ctx, "sync shard", true); err != nil {
		w.w.Abort()
		return err
	}
	return w.w.Close()
}

func (w *faultyWriter) Abort() error { return w.w.Abort() }

// faultyReader is a shard reader that follows its drive's mode.
type faultyReader struct {
	f   *Faulty
	ctx context.Context
	r   io.ReadCloser
}

func (r *faultyReader) Read(p []byte) (int, error) {
	if err := r.f.check(r.ctx, "read shard", false); err != nil {
		return 0, err
	}
	return r.r.Read(p)
}

func (r *faultyReader) Close() error { return r.r.Close() }
