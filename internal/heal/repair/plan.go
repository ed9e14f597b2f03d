package repair

import (
	"bytes"
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

// healPlan carries one heal of one object from check to commit. Slices
// indexed [version][pos][stream] follow the authoritative record's
// versions, the set's drive positions and each version's streams.
type healPlan struct {
	r           *Repairer
	s           Set
	ds          []drive.Drive // the set's drives
	bucket, key string
	opts        Options
	dec         recordDecision
	// keepAll keeps versions whose data is gone (upload parts: the
	// upload's owner decides, by completing or aborting it).
	keepAll bool

	codecs []Codec
	states [][][]State // shard state found by check
	blobs  [][][]byte  // inline blobs read by check (reconstruction sources)
	before []State     // per drive, summarised at check time
	// dataErr is set when some stream could not be rebuilt (too few
	// intact shards): the object stays damaged.
	dataErr error

	stages  []string   // per version: stage of its rebuilt files
	staged  [][]bool   // the drive holds every rebuilt file of the version in the stage
	inline  [][][]byte // rebuilt inline blobs
	fixed   [][][]bool // rebuilt streams, ready to commit
	bytes   []int64    // per drive: shard bytes rebuilt for it
	written []bool     // per drive: its commit succeeded
	touched []bool     // per drive: it had something to commit
	dropped map[meta.DataDir][]drive.Drive
}

// newPlan starts the heal of bucket/key on set s from the decision dec.
func newPlan(r *Repairer, s Set, bucket, key string, dec recordDecision, opts Options) *healPlan {
	return &healPlan{r: r, s: s, ds: s.Drives(), bucket: bucket, key: key, dec: dec, opts: opts}
}

func (p *healPlan) drives() int { return len(p.ds) }

// check reads every drive's shards of the authoritative record's
// versions, then drops versions whose data is gone for good.
func (p *healPlan) check(ctx context.Context) error {
	rec := p.dec.rec
	nv, n := len(rec.Versions), p.drives()
	p.codecs = make([]Codec, nv)
	p.states = make([][][]State, nv)
	p.blobs = make([][][]byte, nv)
	for vi := range rec.Versions {
		p.states[vi] = make([][]State, n)
		p.blobs[vi] = make([][]byte, n)
		if rec.Versions[vi].DeleteMarker {
			continue // no layout and no shards: nothing to check or rebuild
		}
		c, err := p.s.Codec(rec.Versions[vi].Erasure)
		if err != nil {
			return fmt.Errorf("heal: %s/%s: %w", p.bucket, p.key, err)
		}
		p.codecs[vi] = c
	}
	each(p.ds, func(pos int, d drive.Drive) error {
		for vi := range rec.Versions {
			v := &rec.Versions[vi]
			if p.dec.states[pos] == Offline {
				p.states[vi][pos] = fill(len(versionStreams(v)), Offline)
				continue
			}
			if v.DeleteMarker {
				continue
			}
			p.states[vi][pos], p.blobs[vi][pos] = checkShards(ctx, p.codecs[vi], d, v, p.opts.Deep, p.opts.Throttle)
		}
		return nil
	})
	if err := ctx.Err(); err != nil {
		return err
	}
	p.dropDangling()
	p.summarise()
	return nil
}

func fill(n int, s State) []State {
	out := make([]State, n)
	for i := range out {
		out[i] = s
	}
	return out
}

// dropDangling removes from the authoritative record every version some
// stream of which is present on fewer drives than it needs to be read,
// when every drive answered: that version can never be read again. If no
// version is left the object is dangling.
func (p *healPlan) dropDangling() {
	if p.dec.offline > 0 || p.keepAll {
		return
	}
	rec := p.dec.rec
	var keep []int
	for vi := range rec.Versions {
		if p.readable(vi) {
			keep = append(keep, vi)
		}
	}
	if len(keep) == len(rec.Versions) {
		return
	}
	kept := &meta.Record{}
	codecs, states, blobs := p.codecs[:0:0], p.states[:0:0], p.blobs[:0:0]
	for _, vi := range keep {
		kept.Versions = append(kept.Versions, rec.Versions[vi])
		codecs, states, blobs = append(codecs, p.codecs[vi]), append(states, p.states[vi]), append(blobs, p.blobs[vi])
	}
	p.codecs, p.states, p.blobs = codecs, states, blobs
	if len(kept.Versions) == 0 {
		kept = nil
		p.dec.dangling = true
	}
	p.dec.setRecord(kept)
}

// readable says whether every stream of version vi is present on enough
// drives (intact or partly damaged) to be read; unknown counts as present.
func (p *healPlan) readable(vi int) bool {
	c := p.codecs[vi]
	for si := range versionStreams(&p.dec.rec.Versions[vi]) {
		present := 0
		for pos := range p.drives() {
			if st := p.states[vi][pos][si]; st != Missing {
				present++
			}
		}
		if present < c.Data() {
			return false
		}
	}
	return true
}

// summarise records each drive's state before the heal: its record's,
// or the worst of its shards'.
func (p *healPlan) summarise() {
	p.before = make([]State, p.drives())
	for pos := range p.before {
		p.before[pos] = p.dec.states[pos]
		if p.before[pos] != OK {
			continue
		}
		for vi := range p.states {
			for _, st := range p.states[vi][pos] {
				if rank(st) > rank(p.before[pos]) {
					p.before[pos] = st
				}
			}
		}
	}
}

func rank(s State) int {
	switch s {
	case OK:
		return 0
	case Missing:
		return 1
	case Stale:
		return 2
	case Corrupt:
		return 3
	}
	return 4
}

// needs says whether a shard in state st is to be rebuilt.
func needs(st State) bool { return st == Missing || st == Corrupt }

// needsWork says whether anything is to be written.
func (p *healPlan) needsWork() bool {
	for pos, st := range p.dec.states {
		if st != OK && st != Offline {
			return true
		}
		for vi := range p.states {
			for _, s := range p.states[vi][pos] {
				if needs(s) {
					return true
				}
			}
		}
	}
	return false
}

// rebuild reconstructs every missing or corrupt stream of every version:
// inline blobs in memory, shard files into a stage on each damaged drive.
func (p *healPlan) rebuild(ctx context.Context) {
	rec := p.dec.rec
	nv, n := len(rec.Versions), p.drives()
	p.stages = make([]string, nv)
	p.staged = make([][]bool, nv)
	p.inline = make([][][]byte, nv)
	p.fixed = make([][][]bool, nv)
	p.bytes = make([]int64, n)
	for vi := range rec.Versions {
		p.staged[vi] = make([]bool, n)
		p.inline[vi] = make([][]byte, n)
		p.fixed[vi] = make([][]bool, n)
		for pos := range n {
			p.fixed[vi][pos] = make([]bool, len(p.states[vi][pos]))
		}
		switch {
		case rec.Versions[vi].DeleteMarker:
		case rec.Versions[vi].Inline:
			p.rebuildInline(ctx, vi)
		default:
			p.rebuildFiles(ctx, vi)
		}
	}
}

// sourceOrder lists shard indices to read: intact shards first, then
// damaged ones (whose intact blocks still count).
func (p *healPlan) sourceOrder(vi, si int) []int {
	v := &p.dec.rec.Versions[vi]
	var good, damaged []int
	for pos := range p.drives() {
		idx := shardIndex(v.Erasure, pos, p.drives())
		if idx < 0 || idx >= p.codecs[vi].Shards() {
			continue
		}
		switch p.states[vi][pos][si] {
		case OK:
			good = append(good, idx)
		case Corrupt:
			damaged = append(damaged, idx)
		}
	}
	return append(good, damaged...)
}

func (p *healPlan) rebuildInline(ctx context.Context, vi int) {
	v := &p.dec.rec.Versions[vi]
	c := p.codecs[vi]
	srcs := make([]ShardSource, c.Shards())
	sinks := make([]io.Writer, c.Shards())
	bufs := make([]*bytes.Buffer, p.drives())
	for pos := range p.drives() {
		idx := shardIndex(v.Erasure, pos, p.drives())
		if idx < 0 || idx >= c.Shards() {
			continue
		}
		st := p.states[vi][pos][0]
		if blob := p.blobs[vi][pos]; st == OK || st == Corrupt {
			srcs[idx] = func(off, n int64) (io.ReadCloser, error) {
				return io.NopCloser(bytes.NewReader(blob[min(off, int64(len(blob))):])), nil
			}
		}
		if needs(st) {
			bufs[pos] = bytes.NewBuffer(make([]byte, 0, c.ShardFileSize(v.Size)))
			sinks[idx] = bufs[pos]
		}
	}
	sinkErrs, err := c.RebuildStream(ctx, v.Size, srcs, p.sourceOrder(vi, 0), sinks, p.opts.Throttle)
	if err != nil {
		p.dataErr = fmt.Errorf("heal: %s/%s: %w", p.bucket, p.key, err)
		return
	}
	for pos, b := range bufs {
		if b != nil && sinkErrs[shardIndex(v.Erasure, pos, p.drives())] == nil {
			p.inline[vi][pos] = b.Bytes()
			p.fixed[vi][pos][0] = true
			p.bytes[pos] += int64(b.Len())
		}
	}
}

// rebuildFiles rebuilds every damaged shard file of version vi into a
// stage on the drives that need it; a drive that fails any of them gets
// none (its stage is removed).
func (p *healPlan) rebuildFiles(ctx context.Context, vi int) {
	v := &p.dec.rec.Versions[vi]
	c := p.codecs[vi]
	n := p.drives()
	dir := meta.DataDir(uuid.New())
	stage := hex.EncodeToString(dir[:])
	p.stages[vi] = stage
	failed := make([]bool, n)
	target := make([]bool, n)
	for si, st := range versionStreams(v) {
		srcs := make([]ShardSource, c.Shards())
		sinks := make([]io.Writer, c.Shards())
		writers := make([]drive.ShardWriter, n)
		for pos, d := range p.ds {
			idx := shardIndex(v.Erasure, pos, n)
			if idx < 0 || idx >= c.Shards() {
				continue
			}
			switch state := p.states[vi][pos][si]; {
			case state == OK || state == Corrupt:
				srcs[idx] = func(off, length int64) (io.ReadCloser, error) {
					return d.ReadShard(ctx, v.DataDir, st.file, off, length)
				}
			}
			if !needs(p.states[vi][pos][si]) || failed[pos] {
				continue
			}
			target[pos] = true
			w, err := d.CreateShard(ctx, stage, st.file, c.ShardFileSize(st.size))
			if err != nil {
				failed[pos] = true
				continue
			}
			writers[pos], sinks[idx] = w, w
		}
		sinkErrs, err := c.RebuildStream(ctx, st.size, srcs, p.sourceOrder(vi, si), sinks, p.opts.Throttle)
		if err != nil {
			p.dataErr = fmt.Errorf("heal: %s/%s: %w", p.bucket, p.key, err)
		}
		p.finishWriters(vi, si, writers, sinkErrs, err, failed)
	}
	for pos, d := range p.ds {
		switch {
		case target[pos] && !failed[pos]:
			p.staged[vi][pos] = true
		case target[pos]:
			if err := d.RemoveStage(context.WithoutCancel(ctx), stage); err != nil {
				p.r.log.Warn("heal: remove stage", "drive", d.Endpoint(), "err", err)
			}
			for si := range p.fixed[vi][pos] {
				p.fixed[vi][pos][si] = false
			}
		}
	}
}

// finishWriters makes each staged file of stream si durable, or discards
// it when the stream or the drive failed.
func (p *healPlan) finishWriters(vi, si int, writers []drive.ShardWriter, sinkErrs []error, err error, failed []bool) {
	v := &p.dec.rec.Versions[vi]
	c := p.codecs[vi]
	size := c.ShardFileSize(versionStreams(v)[si].size)
	each(p.ds, func(pos int, d drive.Drive) error {
		w := writers[pos]
		if w == nil {
			return nil
		}
		idx := shardIndex(v.Erasure, pos, p.drives())
		if err != nil || sinkErrs[idx] != nil {
			w.Abort()
			failed[pos] = true
			return nil
		}
		if cerr := w.Close(); cerr != nil {
			failed[pos] = true
			return nil
		}
		p.fixed[vi][pos][si] = true
		p.bytes[pos] += size
		return nil
	})
}

// discard removes stages that were not committed.
func (p *healPlan) discard(ctx context.Context) {
	for vi, stage := range p.stages {
		if stage == "" {
			continue
		}
		for pos, d := range p.ds {
			if p.staged[vi][pos] && (p.written == nil || !p.written[pos]) {
				if err := d.RemoveStage(context.WithoutCancel(ctx), stage); err != nil {
					p.r.log.Warn("heal: remove stage", "drive", d.Endpoint(), "err", err)
				}
			}
		}
	}
}
