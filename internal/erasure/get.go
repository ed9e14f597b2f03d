package erasure

import (
	"bytes"
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
// "null" the null version, anything else by ID.
func resolveVersion(rec *meta.Record, versionID string) (*meta.Version, error) {
	if versionID == "" {
		if v := latest(rec); v != nil {
			return v, nil
		}
		return nil, storage.ErrObjectNotFound
	}
	if versionID == "null" {
		versionID = ""
	}
	if rec != nil {
		if i := rec.Find(versionID); i >= 0 {
			return &rec.Versions[i], nil
		}
	}
	return nil, storage.ErrVersionNotFound
}

// lookup reads the record of bucket/key and resolves versionID; a missing
// bucket is told apart from a missing key.
func (l *Layer) lookup(ctx context.Context, s *set, bucket, key, versionID string) (*meta.Version, error) {
	rec, err := l.readRecordHealing(ctx, s, bucket, key)
	if errors.Is(err, drive.ErrNotFound) {
		rec, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	v, err := resolveVersion(rec, versionID)
	if err != nil {
		if rec == nil {
			if _, berr := l.bucketInfo(ctx, bucket); berr != nil {
				return nil, berr
			}
		}
		return nil, fmt.Errorf("erasure: %s/%s: %w", bucket, key, err)
	}
	return v, nil
}

// StatObject describes a version without opening its data.
func (l *Layer) StatObject(ctx context.Context, bucket, key string, opts storage.GetOptions) (storage.ObjectInfo, error) {
	if err := checkObject(bucket, key); err != nil {
		return storage.ObjectInfo{}, notFoundForBadKey(err)
	}
	s := l.setFor(bucket, key)
	v, err := l.lookup(ctx, s, bucket, key, opts.VersionID)
	if err != nil {
		return storage.ObjectInfo{}, err
	}
	return versionInfo(bucket, key, v, true), nil
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
	v, err := l.lookup(ctx, s, bucket, key, opts.VersionID)
	if err != nil {
		return nil, err
	}
	c, err := l.codecFor(v.Erasure)
	if err != nil {
		return nil, err
	}
	o := &object{l: l, ctx: ctx, s: s, c: c, v: *v, info: versionInfo(bucket, key, v, true)}
	if v.Inline {
		o.inline = l.readInline(ctx, s, v.DataDir)
	} else if v.Size > 0 {
		l.pins.pin(v.DataDir)
		o.pinned = true
	}
	return o, nil
}

// readInline fetches every drive's inline shard; failures leave nil and
// the reader reconstructs from the others or reports corruption.
func (l *Layer) readInline(ctx context.Context, s *set, dir meta.DataDir) [][]byte {
	out := make([][]byte, len(s.drives))
	s.each(func(pos int, d drive.Drive) error {
		v, err := d.Get(ctx, drive.NSInline, drive.InlineKey(dir))
		if err == nil {
			out[pos] = v
		}
		return err
	})
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
	pinned bool
	once   sync.Once
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

// sources returns, by shard number, the openers of the shards of file.
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
		if o.inline != nil {
			data := o.inline[pos]
			if data == nil {
				continue
			}
			srcs[i] = func(off, n int64) (io.ReadCloser, error) {
				if off > int64(len(data)) {
					return nil, fmt.Errorf("erasure: inline shard too short: %w", storage.ErrCorrupt)
				}
				return io.NopCloser(bytes.NewReader(data[off:min(off+n, int64(len(data)))])), nil
			}
			continue
		}
		d := o.s.drives[pos]
		srcs[i] = func(off, n int64) (io.ReadCloser, error) {
			return d.ReadShard(o.ctx, o.v.DataDir, file, off, n)
		}
	}
	return srcs
}

// segment is the part of a range that lies in one part's stream.
type segment struct {
	file   string
	size   int64
	off, n int64
}

// objectReader reads a range segment by segment, opening each part's
// block reader only when reached.
type objectReader struct {
	o    *object
	segs []segment
	cur  *blockReader
	err  error
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
			sg := r.segs[0]
			r.segs = r.segs[1:]
			r.cur = newBlockReader(r.o.c, sg.size, sg.off, sg.n, r.o.sources(sg.file))
			r.cur.onBad = r.o.damaged
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
