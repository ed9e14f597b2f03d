package bench

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// worker issues one request at a time and records its results.
type worker struct {
	r   *runner
	id  int
	rng *rand.Rand
	buf []byte // read buffer
	rec *recorder
	seq int64 // objects this worker wrote

	// listing state
	listBuf     bytes.Buffer
	listToken   string
	listVersion string // version-id-marker of a version listing
	listPages   int
	listKeys    int64
	etags       []string
}

func newWorker(r *runner, id int, seed uint64) *worker {
	return &worker{
		r:   r,
		id:  id,
		rng: rand.New(rand.NewPCG(seed, uint64(id)+1)),
		buf: make([]byte, ioBufferSize),
		rec: &recorder{},
	}
}

// want returns what a GET of an object of size bytes must return, or nil
// when content is not verified.
func (w *worker) want(size int64) []byte {
	if !w.r.cfg.Verify {
		return nil
	}
	return w.r.payload[:size]
}

// step performs one operation of the run's workload.
func (w *worker) step(ctx context.Context, ph *phase) {
	switch w.r.cfg.Workload {
	case WorkloadPut:
		w.put(ctx, ph)
	case WorkloadGet:
		i := w.rng.IntN(w.r.cfg.Objects)
		w.get(ctx, ph, object{key: w.r.lay.preparedKey(i), size: w.r.lay.preparedSize(i)})
	case WorkloadStat:
		i := w.rng.IntN(w.r.cfg.Objects)
		w.stat(ctx, ph, object{key: w.r.lay.preparedKey(i), size: w.r.lay.preparedSize(i)})
	case WorkloadMixed:
		w.mixed(ctx, ph)
	case WorkloadList:
		w.list(ctx, ph)
	case WorkloadListVersions:
		w.listVersions(ctx, ph)
	case WorkloadMultipart:
		w.multipart(ctx, ph)
	case WorkloadDelete:
		i := w.r.delNext.Add(1) - 1
		if i >= int64(w.r.cfg.Objects) {
			ph.stop(nil) // every prepared object is gone
			return
		}
		w.delete(ctx, ph, w.r.lay.preparedKey(int(i)))
	}
}

// record files the outcome of one operation that started at start.
func (w *worker) record(ph *phase, k opKind, start time.Time, bytes, items int64, err error) {
	if err != nil {
		w.rec.fail(k, err)
		ph.failed(err)
		return
	}
	w.rec.ok(k, time.Since(start), bytes, items)
}

// put writes a new object and returns it; ok is false when it failed.
func (w *worker) put(ctx context.Context, ph *phase) (object, bool) {
	o := object{key: w.r.lay.writtenKey(w.id, w.seq), size: w.r.lay.randomSize(w.rng)}
	w.seq++
	start := time.Now()
	err := w.r.c.putObject(ctx, w.r.bucket, o.key, w.r.payload[:o.size])
	w.record(ph, opPut, start, o.size, 0, err)
	return o, err == nil
}

func (w *worker) get(ctx context.Context, ph *phase, o object) {
	start := time.Now()
	n, err := w.r.c.getObject(ctx, w.r.bucket, o.key, w.buf, w.want(o.size))
	if err == nil && n != o.size {
		err = fmt.Errorf("bench: GET %s: got %d bytes, want %d", o.key, n, o.size)
	}
	w.record(ph, opGet, start, n, 0, err)
}

func (w *worker) stat(ctx context.Context, ph *phase, o object) {
	start := time.Now()
	n, err := w.r.c.headObject(ctx, w.r.bucket, o.key)
	if err == nil && n != o.size {
		err = fmt.Errorf("bench: HEAD %s: size %d, want %d", o.key, n, o.size)
	}
	w.record(ph, opStat, start, 0, 0, err)
}

func (w *worker) delete(ctx context.Context, ph *phase, key string) bool {
	start := time.Now()
	err := w.r.c.deleteObject(ctx, w.r.bucket, objectRef{key: key})
	w.record(ph, opDelete, start, 0, 0, err)
	return err == nil
}

// mixed draws an operation by the configured shares. Objects come out of
// the pool for the operation's length; with the pool empty it writes.
func (w *worker) mixed(ctx context.Context, ph *phase) {
	m := w.r.cfg.Mix
	n := w.rng.IntN(m.total())
	if n < m.Put {
		if o, ok := w.put(ctx, ph); ok {
			w.r.pool.give(o)
		}
		return
	}
	o, ok := w.r.pool.take(w.rng)
	if !ok {
		if o, ok := w.put(ctx, ph); ok {
			w.r.pool.give(o)
		}
		return
	}
	n -= m.Put
	switch {
	case n < m.Get:
		w.get(ctx, ph, o)
	case n < m.Get+m.Stat:
		w.stat(ctx, ph, o)
	default:
		if w.delete(ctx, ph, o.key) {
			return
		}
	}
	w.r.pool.give(o)
}

// list reads one page; a listing goes from ListStart to the end (or for
// ListPages pages) and then starts over.
func (w *worker) list(ctx context.Context, ph *phase) {
	cfg := &w.r.cfg
	startAfter := ""
	if w.listToken == "" && w.r.listAt > 0 {
		startAfter = w.r.lay.preparedKey(w.r.listAt - 1)
	}
	start := time.Now()
	p, err := w.r.c.listObjects(ctx, w.r.bucket, w.r.lay.prefix+"/", startAfter, w.listToken, cfg.ListMaxKeys, &w.listBuf)
	w.record(ph, opList, start, 0, int64(p.keys), err)
	if err != nil {
		w.listToken, w.listPages, w.listKeys = "", 0, 0
		return
	}
	w.listPages++
	w.listKeys += int64(p.keys)
	if p.truncated && (cfg.ListPages == 0 || w.listPages < cfg.ListPages) {
		w.listToken = p.next
		return
	}
	if want := int64(cfg.Objects - w.r.listAt); cfg.Verify && !p.truncated && w.listKeys != want {
		err := fmt.Errorf("bench: a listing of %s/ returned %d keys, want %d", w.r.lay.prefix, w.listKeys, want)
		w.rec.fail(opList, err)
		ph.failed(err)
	}
	w.listToken, w.listPages, w.listKeys = "", 0, 0
}

// multipart writes one object as a multipart upload of PartSize parts,
// sent one after the other; a failed upload is aborted.
func (w *worker) multipart(ctx context.Context, ph *phase) {
	key := w.r.lay.writtenKey(w.id, w.seq)
	w.seq++
	size := w.r.lay.randomSize(w.rng)
	start := time.Now()
	id, err := w.r.c.createUpload(ctx, w.r.bucket, key)
	if err != nil {
		w.record(ph, opMultipart, start, 0, 0, err)
		return
	}
	w.etags = w.etags[:0]
	part := w.r.cfg.PartSize
	for off := int64(0); off < size || off == 0; off += part {
		n := min(part, size-off)
		pstart := time.Now()
		etag, err := w.r.c.uploadPart(ctx, w.r.bucket, key, id, len(w.etags)+1, w.r.payload[:n])
		w.record(ph, opPart, pstart, n, 0, err)
		if err != nil {
			w.record(ph, opMultipart, start, 0, 0, err)
			w.r.c.abortUpload(context.WithoutCancel(ctx), w.r.bucket, key, id)
			return
		}
		w.etags = append(w.etags, etag)
	}
	err = w.r.c.completeUpload(ctx, w.r.bucket, key, id, w.etags)
	if err != nil {
		w.r.c.abortUpload(context.WithoutCancel(ctx), w.r.bucket, key, id)
	}
	w.record(ph, opMultipart, start, size, int64(len(w.etags)), err)
}
