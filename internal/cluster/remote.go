package cluster

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// Remote is a drive of another node, reached through its Peer. It
// implements drive.Drive, so the erasure engine uses it like a local one.
type Remote struct {
	peer     *Peer
	endpoint string
	path     string
}

var _ drive.Drive = (*Remote)(nil)

// NewRemote returns the drive at folder path of the node behind peer;
// endpoint is its URL, the drive's name in logs and reports.
func NewRemote(peer *Peer, endpoint, path string) *Remote {
	return &Remote{peer: peer, endpoint: endpoint, path: path}
}

// Endpoint returns the drive's URL.
func (r *Remote) Endpoint() string { return r.endpoint }

// Peer returns the client of the drive's node.
func (r *Remote) Peer() *Peer { return r.peer }

// Close is a no-op: the peer's connections belong to the cluster.
func (r *Remote) Close() error { return nil }

func (r *Remote) query(kv ...string) url.Values {
	q := url.Values{"drive": {r.path}}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return q
}

func (r *Remote) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("cluster: %s on %s: %w", op, r.endpoint, err)
}

// ReadFormat reads the drive's format.
func (r *Remote) ReadFormat(ctx context.Context) (drive.Format, error) {
	var f drive.Format
	b, err := r.peer.call(ctx, http.MethodGet, "drive/format", r.query(), nil)
	if err != nil {
		return f, r.wrap("read format", err)
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return f, r.wrap("read format", fmt.Errorf("%w: %v", ErrProtocol, err))
	}
	return f, nil
}

// WriteFormat writes the drive's format.
func (r *Remote) WriteFormat(ctx context.Context, f drive.Format) error {
	b, err := json.Marshal(f)
	if err != nil {
		return r.wrap("write format", err)
	}
	_, err = r.peer.call(ctx, http.MethodPut, "drive/format", r.query(), b)
	return r.wrap("write format", err)
}

// DiskInfo reports the drive's capacity.
func (r *Remote) DiskInfo(ctx context.Context) (drive.DiskInfo, error) {
	var di drive.DiskInfo
	b, err := r.peer.call(ctx, http.MethodGet, "drive/diskinfo", r.query(), nil)
	if err != nil {
		return di, r.wrap("disk info", err)
	}
	if err := json.Unmarshal(b, &di); err != nil {
		return di, r.wrap("disk info", fmt.Errorf("%w: %v", ErrProtocol, err))
	}
	di.Endpoint = r.endpoint
	return di, nil
}

// MakeBucket creates a bucket record.
func (r *Remote) MakeBucket(ctx context.Context, name string, value []byte) error {
	_, err := r.peer.call(ctx, http.MethodPut, "drive/bucket", r.query("name", name), value)
	return r.wrap("make bucket", err)
}

// DeleteBucket removes a bucket record.
func (r *Remote) DeleteBucket(ctx context.Context, name string) error {
	_, err := r.peer.call(ctx, http.MethodDelete, "drive/bucket", r.query("name", name), nil)
	return r.wrap("delete bucket", err)
}

// Get reads one record.
func (r *Remote) Get(ctx context.Context, ns drive.Namespace, key string) ([]byte, error) {
	b, err := r.peer.call(ctx, http.MethodGet, "drive/record", r.query("ns", string(rune(ns)), "key", key), nil)
	if err != nil {
		return nil, r.wrap("get", err)
	}
	return b, nil
}

// GetNewest reads an object record for a read of its newest version. It
// asks with newest=1, which a node older than the parameter ignores,
// answering with the whole record: as correct, only larger.
func (r *Remote) GetNewest(ctx context.Context, key string) ([]byte, error) {
	b, err := r.peer.call(ctx, http.MethodGet, "drive/record", r.query("ns", string(rune(drive.NSObject)), "key", key, "newest", "1"), nil)
	if err != nil {
		return nil, r.wrap("get", err)
	}
	return b, nil
}

// GetNewestToWrite is GetNewest for a write that follows (newest=write,
// which a node older than it takes for a whole-record read: as correct).
func (r *Remote) GetNewestToWrite(ctx context.Context, key string) ([]byte, error) {
	b, err := r.peer.call(ctx, http.MethodGet, "drive/record", r.query("ns", string(rune(drive.NSObject)), "key", key, "newest", "write"), nil)
	if err != nil {
		return nil, r.wrap("get", err)
	}
	return b, nil
}

// Walk reads a sorted page of records.
func (r *Remote) Walk(ctx context.Context, opts drive.WalkOptions) (drive.WalkResult, error) {
	b, err := r.peer.call(ctx, http.MethodPost, "drive/walk", r.query(), encodeWalkOptions(opts))
	if err != nil {
		return drive.WalkResult{}, r.wrap("walk", err)
	}
	res, err := decodeWalkResult(b)
	return res, r.wrap("walk", err)
}

// Apply commits a batch atomically and durably on the remote drive.
//
// A node older than pushes (drive.Mutation.Push) refuses a batch with
// them as malformed, having done nothing; Apply then sends the batch
// again with each push made an ordinary write of the whole record, read
// from that node (withoutPushes), so a cluster in a rolling upgrade
// keeps its write quorum.
func (r *Remote) Apply(ctx context.Context, b drive.Batch) error {
	_, err := r.peer.call(ctx, http.MethodPost, "drive/apply", r.query(), encodeBatch(b))
	if err != nil && errors.Is(err, ErrProtocol) && hasPush(b) {
		if b, err = r.withoutPushes(ctx, b); err == nil {
			_, err = r.peer.call(ctx, http.MethodPost, "drive/apply", r.query(), encodeBatch(b))
		}
	}
	return r.wrap("apply", err)
}

// RemoveStage discards a stage.
func (r *Remote) RemoveStage(ctx context.Context, stage string) error {
	_, err := r.peer.call(ctx, http.MethodDelete, "drive/stage", r.query("stage", stage), nil)
	return r.wrap("remove stage", err)
}

// ListShards names the shard files of a data directory.
func (r *Remote) ListShards(ctx context.Context, dir meta.DataDir) ([]string, error) {
	b, err := r.peer.call(ctx, http.MethodGet, "drive/shards", r.query("dir", hex.EncodeToString(dir[:])), nil)
	if err != nil {
		return nil, r.wrap("list shards", err)
	}
	names, err := decodeNames(b)
	if err != nil {
		return nil, r.wrap("list shards", err)
	}
	if len(names) == 0 {
		return nil, nil
	}
	return names, nil
}

// RemoveShards deletes shard files of a data directory.
func (r *Remote) RemoveShards(ctx context.Context, dir meta.DataDir, names []string) error {
	_, err := r.peer.call(ctx, http.MethodPost, "drive/shards/remove", r.query("dir", hex.EncodeToString(dir[:])), encodeNames(names))
	return r.wrap("remove shards", err)
}

// RemoveDataDir deletes a data directory.
func (r *Remote) RemoveDataDir(ctx context.Context, dir meta.DataDir) error {
	_, err := r.peer.call(ctx, http.MethodDelete, "drive/datadir", r.query("dir", hex.EncodeToString(dir[:])), nil)
	return r.wrap("remove data dir", err)
}

// ReadShard streams length bytes at offset of a committed shard file. The
// answer flows as the remote drive reads it; a stream that stalls longer
// than the stream timeout is cut.
func (r *Remote) ReadShard(ctx context.Context, dir meta.DataDir, name string, offset, length int64) (io.ReadCloser, error) {
	if !r.peer.Online() {
		return nil, r.wrap("read shard", fmt.Errorf("%w: %s", ErrOffline, r.peer.host))
	}
	sctx, cancel := context.WithCancel(ctx)
	q := r.query("dir", hex.EncodeToString(dir[:]), "name", name,
		"offset", strconv.FormatInt(offset, 10), "length", strconv.FormatInt(length, 10))
	req, err := r.peer.newRequest(sctx, http.MethodGet, "drive/shard", q, nil)
	if err != nil {
		cancel()
		return nil, err
	}
	wd := newWatchdog(r.peer.opts.StreamTimeout, cancel)
	resp, err := r.peer.do(ctx, req)
	if err != nil {
		wd.stop()
		cancel()
		return nil, r.wrap("read shard", err)
	}
	if resp.ContentLength != length {
		resp.Body.Close()
		wd.stop()
		cancel()
		return nil, r.wrap("read shard", fmt.Errorf("%w: %d bytes announced, %d asked", ErrProtocol, resp.ContentLength, length))
	}
	return &shardReader{body: resp.Body, wd: wd, cancel: cancel}, nil
}

// shardReader is the body of a shard stream, with its stall watchdog.
type shardReader struct {
	body   io.ReadCloser
	wd     *watchdog
	cancel context.CancelFunc
}

func (s *shardReader) Read(p []byte) (int, error) {
	n, err := s.body.Read(p)
	if n > 0 {
		s.wd.kick()
	}
	return n, err
}

func (s *shardReader) Close() error {
	s.wd.stop()
	err := s.body.Close()
	s.cancel()
	return err
}

// CreateShard starts streaming a shard file to the remote drive. The
// request announces "Expect: 100-continue": the remote node creates the
// staged file first and answers 100 Continue, or refuses with the drive's
// error, which CreateShard returns, before any data is sent.
func (r *Remote) CreateShard(ctx context.Context, stage, name string, size int64) (drive.ShardWriter, error) {
	if !r.peer.Online() {
		return nil, r.wrap("create shard", fmt.Errorf("%w: %s", ErrOffline, r.peer.host))
	}
	// blame ends only when the caller's context ends or the stream is
	// aborted: a failure while it is live is the peer's (see Peer.do);
	// the watchdog cancels only the request.
	blame, abort := context.WithCancel(ctx)
	sctx, cancel := context.WithCancel(blame)
	pr, pw := io.Pipe()
	w := &shardWriter{r: r, pw: pw, cancel: cancel, abort: abort, done: make(chan struct{}), cont: make(chan struct{})}
	var once sync.Once
	trace := &httptrace.ClientTrace{Got100Continue: func() { once.Do(func() { close(w.cont) }) }}
	q := r.query("stage", stage, "name", name, "size", strconv.FormatInt(size, 10))
	req, err := r.peer.newRequest(httptrace.WithClientTrace(sctx, trace), http.MethodPut, "drive/shard", q, pr)
	if err != nil {
		cancel()
		abort()
		return nil, err
	}
	// Chunked, with a trailer saying how the stream ended: the remote
	// drive makes the file durable only after "complete"; "abort", or a
	// connection cut short of the last chunk, discards it.
	req.ContentLength = -1
	req.Trailer = http.Header{shardTrailer: nil}
	w.trailer = req.Trailer
	req.Header.Set("Expect", "100-continue")
	w.wd = newWatchdog(r.peer.opts.CallTimeout, cancel)
	go func() {
		defer close(w.done)
		resp, err := r.peer.do(blame, req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
		}
		w.err = err
		pr.CloseWithError(fmt.Errorf("cluster: shard stream to %s ended", r.endpoint))
	}()
	select {
	case <-w.cont:
		w.wd.reset(r.peer.opts.StreamTimeout)
		return w, nil
	case <-w.done:
		w.wd.stop()
		cancel()
		abort()
		if w.err == nil {
			w.err = fmt.Errorf("%w: shard stream answered before its data was sent", ErrProtocol)
		}
		return nil, r.wrap("create shard", w.err)
	}
}

// shardWriter streams one shard file through a pipe into the request body.
type shardWriter struct {
	r       *Remote
	pw      *io.PipeWriter
	wd      *watchdog
	cancel  context.CancelFunc
	abort   context.CancelFunc
	cont    chan struct{}
	done    chan struct{}
	err     error // the call's outcome, set before done closes
	trailer http.Header
	ended   bool
}

// shardTrailer is the trailer that ends a shard stream.
const shardTrailer = "X-Hoard-Shard"

func (w *shardWriter) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if n > 0 {
		w.wd.kick()
	}
	if err != nil {
		<-w.done
		if w.err != nil {
			err = w.err
		}
		return n, w.r.wrap("write shard", err)
	}
	return n, nil
}

// Close ends the stream and waits for the remote drive to make the file
// durable.
func (w *shardWriter) Close() error {
	if w.ended {
		return nil
	}
	w.ended = true
	w.wd.reset(w.r.peer.opts.CallTimeout)
	w.trailer.Set(shardTrailer, "complete")
	w.pw.Close()
	<-w.done
	w.wd.stop()
	w.cancel()
	w.abort()
	return w.r.wrap("close shard", w.err)
}

// Abort ends the stream with an "abort" trailer and waits (briefly) for
// the remote drive to discard the file; if the peer does not answer in
// time the connection is cut, which discards the file too.
func (w *shardWriter) Abort() error {
	if w.ended {
		return nil
	}
	w.ended = true
	w.trailer.Set(shardTrailer, "abort")
	w.pw.Close()
	t := time.NewTimer(abortWait)
	defer t.Stop()
	select {
	case <-w.done:
	case <-t.C:
		w.abort()
		<-w.done
	}
	w.wd.stop()
	w.cancel()
	w.abort()
	return nil
}

// abortWait bounds how long Abort waits for the remote drive.
const abortWait = 5 * time.Second

// watchdog cancels a stream that makes no progress for a while. kick is
// cheap: it stores a timestamp; a timer checks it lazily.
type watchdog struct {
	mu      sync.Mutex
	limit   time.Duration
	last    time.Time
	t       *time.Timer
	cancel  context.CancelFunc
	stopped bool
}

func newWatchdog(limit time.Duration, cancel context.CancelFunc) *watchdog {
	w := &watchdog{limit: limit, last: time.Now(), cancel: cancel}
	w.t = time.AfterFunc(limit, w.fire)
	return w
}

func (w *watchdog) fire() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.stopped {
		return
	}
	if idle := time.Since(w.last); idle < w.limit {
		w.t.Reset(w.limit - idle)
		return
	}
	w.stopped = true
	w.cancel()
}

func (w *watchdog) kick() {
	w.mu.Lock()
	w.last = time.Now()
	w.mu.Unlock()
}

// reset changes the limit and restarts the idle clock.
func (w *watchdog) reset(limit time.Duration) {
	w.mu.Lock()
	w.limit, w.last = limit, time.Now()
	w.mu.Unlock()
}

func (w *watchdog) stop() {
	w.mu.Lock()
	w.stopped = true
	w.mu.Unlock()
	w.t.Stop()
}
