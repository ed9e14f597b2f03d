package erasure

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// resolveVersion picks the version a request names: "" the current one,
// "null" the null version, anything else by ID. A delete marker is not
// read: a *storage.DeleteMarkerError describes it.
func resolveVersion(rec *meta.Record, versionID string) (*meta.Version, error) {
	if versionID == "" {
		if v := latest(rec); v != nil {
			return v, nil
		}
		if rec != nil && len(rec.Versions) > 0 {
			m := &rec.Versions[0]
			return nil, &storage.DeleteMarkerError{VersionID: m.ID, ModTime: m.ModTime}
		}
		return nil, storage.ErrObjectNotFound
	}
	if versionID == meta.NullVersionID {
		versionID = ""
	}
	if rec != nil {
		if i := rec.Find(versionID); i >= 0 {
			if m := &rec.Versions[i]; m.DeleteMarker {
				return nil, &storage.DeleteMarkerError{VersionID: m.ID, ModTime: m.ModTime, Named: true}
			}
			return &rec.Versions[i], nil
		}
	}
	return nil, storage.ErrVersionNotFound
}

// readInfo describes version v of rec as a read reports it: whether it
// is the newest, and whether the record shows the bucket is versioned
// (it holds more than a lone null version).
func readInfo(bucket, key string, rec *meta.Record, v *meta.Version) storage.ObjectInfo {
	info := versionInfo(bucket, key, v, v == &rec.Versions[0])
	info.Versioned = len(rec.Versions) > 1 || v.ID != ""
	return info
}

// lookup reads the record of bucket/key and resolves versionID; a missing
// bucket is told apart from a missing key. It returns the record too.
func (l *Layer) lookup(ctx context.Context, s *set, bucket, key, versionID string) (*meta.Version, *meta.Record, error) {
	// A read of the current version needs the newest version only
	// (drive.Drive.GetNewest): the cost of a read then does not grow
	// with the number of older versions.
	rec, err := l.readRecordHealing(ctx, s, bucket, key, versionID == "")
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	v, err := resolveVersion(rec, versionID)
	if err != nil {
		if rec == nil {
			if _, berr := l.bucketInfo(ctx, bucket); berr != nil {
				return nil, nil, berr
			}
		}
		return nil, nil, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
	}
	return v, rec, nil
}

// StatObject describes a version without opening its data.
func (l *Layer) StatObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, notFoundForBadKey(err)
	}
	s := l.setFor(bucket, key)
	v, rec, err := l.lookup(ctx, s, bucket, key, opts.VersionID)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	return l.readInfoOf(ctx, bucket, key, rec, v), nil
}

// readInfoOf is readInfo for a client's read: a lone null version says
// whether its bucket is versioned (or suspended) from the bucket record,
// so S3's "x-amz-version-id: null" is reported for it too. A single
// server reads the record through its bucket cache; a cluster node,
// which keeps none, remembers the versioning state for a second
// (versioning_hint.go) rather than read a quorum of drives on every GET.
// A bucket that cannot be read leaves the record's answer.
func (l *Layer) readInfoOf(ctx context.Context, bucket, key string, rec *meta.Record, v *meta.Version) storage.ObjectInfo {
	info := readInfo(bucket, key, rec, v)
	if info.Versioned {
		return info
	}
	if !l.buckets.enabled() {
		if versioned, ok := l.versioning.get(bucket); ok {
			info.Versioned = versioned
			return info
		}
	}
	if bi, err := l.bucketInfo(ctx, bucket); err == nil {
		if st, err := versioningOf(bi); err == nil {
			info.Versioned = st != meta.Unversioned
			if !l.buckets.enabled() {
				l.versioning.put(bucket, info.Versioned)
			}
		}
	}
	return info
}

// notFoundForBadKey keeps reads of impossible keys in S3's vocabulary.
func notFoundForBadKey(err error) error {
	if errors.Is(err, storage.ErrInvalidObjectName) {
		return fmt.Errorf("%w: %w", storage.ErrObjectNotFound, err)
	}
	return err
}

// OpenObject opens a version for reading. Inline data is read at open;
// a version with data files pins its data directory, so the files stay
// until Close even if the key is overwritten or deleted meanwhile.
func (l *Layer) OpenObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.Object, error) {
	if err := checkObject(bucket, key); err != nil {
		return nil, notFoundForBadKey(err)
	}
	s := l.setFor(bucket, key)
	unlock, err := l.locker.RLock(ctx, objectLock(bucket, key))
	if err != nil {
		return nil, err
	}
	defer unlock()
	v, rec, err := l.lookup(ctx, s, bucket, key, opts.VersionID)
	if err != nil {
		return nil, err
	}
	c, err := l.codecFor(v.Erasure)
	if err != nil {
		return nil, err
	}
	o := &object{l: l, ctx: ctx, s: s, c: c, v: *v, info: l.readInfoOf(ctx, bucket, key, rec, v)}
	if v.Inline {
		o.inline, o.inlineOK = l.readInline(ctx, s, c, v)
	} else if v.Size > 0 {
		l.pins.pin(v.DataDir)
		o.pinned = true
	}
	return o, nil
}

// readInline fetches the inline shards of v by drive position, and says
// which of them it verified whole. It reads the drives holding data
// shards first and verifies what they return; only if one of them is
// missing or damaged does it read the others too (unverified: the reader
// checks every frame it uses of those). Everything is read at open,
// under the object's lock. Failures leave nil; the reader reconstructs
// from the others or reports corruption.
func (l *Layer) readInline(ctx context.Context, s *set, c *codec, v *meta.Version) (shards [][]byte, verified []bool) {
	out := make([][]byte, len(s.drives))
	want := make([]bool, len(s.drives))
	for i := range c.data {
		pos := shardPos(v.Erasure.Distribution, i)
		if pos < 0 && len(s.drives) == 1 && i == 0 {
			pos = 0
		}
		if pos < 0 || pos >= len(s.drives) {
			// A layout that does not place the data shards: read everything.
			return l.readInlineFrom(ctx, s, v.DataDir, out, allTrue(len(s.drives))), nil
		}
		want[pos] = true
	}
	l.readInlineFrom(ctx, s, v.DataDir, out, want)
	verified = make([]bool, len(s.drives))
	intact := true
	for pos := range want {
		if want[pos] {
			verified[pos] = out[pos] != nil && c.inlineIntact(v.Size, out[pos])
			intact = intact && verified[pos]
		}
		want[pos] = !want[pos]
	}
	if !intact {
		l.readInlineFrom(ctx, s, v.DataDir, out, want)
	}
	return out, verified
}

func allTrue(n int) []bool {
	b := make([]bool, n)
	for i := range b {
		b[i] = true
	}
	return b
}

// readInlineFrom reads the inline shard of dir from the drives marked in
// which, in parallel, into out.
func (l *Layer) readInlineFrom(ctx context.Context, s *set, dir meta.DataDir, out [][]byte, which []bool) [][]byte {
	key := drive.InlineKey(dir)
	get := func(pos int) {
		if v, err := s.drives[pos].Get(ctx, drive.NSInline, key); err == nil {
			out[pos] = v
		}
	}
	var wg sync.WaitGroup
	last := -1
	for pos, w := range which {
		if !w {
			continue
		}
		if last >= 0 {
			wg.Add(1)
			go func(p int) {
				defer wg.Done()
				get(p)
			}(last)
		}
		last = pos
	}
	if last >= 0 {
		get(last) // the last one on this goroutine
	}
	wg.Wait()
	return out
}

// object is an open object version.
type object struct {
	l      *Layer
	ctx    context.Context
	s      *set
	c      *codec
	v      meta.Version
	info   storage.ObjectInfo
	inline [][]byte
	// inlineOK says, by drive position, which inline shards were verified
	// whole at open.
	inlineOK []bool
	pinned   bool
	once     sync.Once
}

func (o *object) Info() storage.ObjectInfo { return o.info }

// Close releases the version's data directory.
func (o *object) Close() error {
	o.once.Do(func() {
		if o.pinned {
			o.l.pins.unpin(o.v.DataDir)
		}
	})
	return nil
}

// Reader returns length bytes starting at offset, across parts.
func (o *object) Reader(offset, length int64) (io.ReadCloser, error) {
	if offset < 0 || length < 0 || offset+length > o.v.Size {
		return nil, fmt.Errorf("erasure: range %d+%d of %d bytes: %w", offset, length, o.v.Size, storage.ErrInvalidRange)
	}
	r := &objectReader{o: o}
	if o.v.Parts == nil {
		r.segs = []segment{{file: meta.SingleFile, size: o.v.Size, off: offset, n: length}}
		return r, nil
	}
	var base int64
	for _, p := range o.v.Parts {
		end := base + p.Size
		if length > 0 && offset < end && offset+length > base {
			lo := max(offset, base)
			hi := min(offset+length, end)
			r.segs = append(r.segs, segment{file: meta.PartFile(p.Number, p.Nonce), size: p.Size, off: lo - base, n: hi - lo})
		}
		base = end
	}
	return r, nil
}

// sources returns, by shard number, the openers of the shards of file
// (data files; inline objects are read by an inlineReader).
func (o *object) sources(file string) []shardSource {
	dist := o.v.Erasure.Distribution
	srcs := make([]shardSource, o.c.shards())
	for i := range srcs {
		pos := shardPos(dist, i)
		if pos < 0 && len(o.s.drives) == 1 && i == 0 {
			pos = 0
		}
		if pos < 0 || pos >= len(o.s.drives) {
			continue
		}
		d := o.s.drives[pos]
		srcs[i] = func(off, n int64) (io.ReadCloser, error) {
			return d.ReadShard(o.ctx, o.v.DataDir, file, off, n)
		}
	}
	return srcs
}

// inlineShards returns the inline shard bytes by shard number (nil where
// a drive had none) and which of them were verified at open.
func (o *object) inlineShards() (shards [][]byte, verified []bool) {
	shards = make([][]byte, o.c.shards())
	verified = make([]bool, o.c.shards())
	for i := range shards {
		pos := shardPos(o.v.Erasure.Distribution, i)
		if pos < 0 && len(o.s.drives) == 1 && i == 0 {
			pos = 0
		}
		if pos >= 0 && pos < len(o.inline) {
			shards[i] = o.inline[pos]
			verified[i] = pos < len(o.inlineOK) && o.inlineOK[pos]
		}
	}
	return shards, verified
}

// segment is the part of a range that lies in one part's stream.
type segment struct {
	file   string
	size   int64
	off, n int64
}

// segmentReader reads one segment: a blockReader, or an inlineReader
// for an inline object.
type segmentReader interface {
	io.ReadCloser
	io.WriterTo
}

// objectReader reads a range segment by segment, opening each part's
// block reader only when reached.
type objectReader struct {
	o    *object
	segs []segment
	cur  segmentReader
	err  error
}

// open starts the reader of the next segment.
func (r *objectReader) open() {
	sg := r.segs[0]
	r.segs = r.segs[1:]
	if r.o.inline != nil {
		shards, verified := r.o.inlineShards()
		ir := newInlineReader(r.o.c, sg.size, sg.off, sg.n, shards, verified)
		ir.onBad = r.o.damaged
		r.cur = ir
		return
	}
	br := newBlockReader(r.o.c, sg.size, sg.off, sg.n, r.o.sources(sg.file))
	br.onBad = r.o.damaged
	r.cur = br
}

// WriteTo writes the rest of the range to w with no copy buffer: straight
// from the decoded blocks, or from an inline object's shard bytes.
func (r *objectReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for r.err == nil {
		if r.cur == nil {
			if len(r.segs) == 0 {
				return total, nil
			}
			r.open()
		}
		n, err := r.cur.WriteTo(w)
		total += n
		var wf *writeFailure
		switch {
		case errors.As(err, &wf):
			r.err = wf.err
		case err != nil:
			r.err = fmt.Errorf("erasure: read %s/%s: %w", r.o.info.Bucket, r.o.info.Key, err)
		default:
			r.cur.Close()
			r.cur = nil
		}
	}
	return total, r.err
}

func (r *objectReader) Read(p []byte) (int, error) {
	for {
		if r.err != nil {
			return 0, r.err
		}
		if r.cur == nil {
			if len(r.segs) == 0 {
				return 0, io.EOF
			}
			r.open()
		}
		n, err := r.cur.Read(p)
		if err == io.EOF {
			r.cur.Close()
			r.cur = nil
			if n > 0 {
				return n, nil
			}
			continue
		}
		if err != nil {
			r.err = fmt.Errorf("erasure: read %s/%s: %w", r.o.info.Bucket, r.o.info.Key, err)
			return n, r.err
		}
		return n, nil
	}
}

func (r *objectReader) Close() error {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	if r.err == nil {
		r.err = errors.New("erasure: reader closed")
	}
	return nil
}
