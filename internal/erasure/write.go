package erasure

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// written is the shard data of one stream, staged on the drives of a set
// but not committed yet.
type written struct {
	dir    meta.DataDir
	stage  string   // staged files; "" when inline
	dist   []uint8  // shard number by drive position
	inline [][]byte // framed shard bytes by drive position, when inline
	errs   []error  // drives that failed, by position
	size   int64
	// quorum is the write quorum of the layout the data was coded with.
	quorum int
}

func newDataDir() meta.DataDir { return meta.DataDir(uuid.New()) }

// inlineFits says whether a stream of size bytes coded with the set's
// standard layout is stored inline.
func (l *Layer) inlineFits(s *set, size int64) bool { return l.fitsInline(s.codec, size) }

// fitsInline says whether a stream of size bytes coded by c is stored inline.
func (l *Layer) fitsInline(c *codec, size int64) bool {
	return l.cfg.InlineLimit >= 0 && c.layout().ShardSize(size) <= l.cfg.InlineLimit
}

// writeShards erasure-codes size bytes of r with c onto the drives of s:
// into memory for an inline stream, else into staged files named file.
// It needs the write quorum of c's layout. On error nothing is left behind.
func (l *Layer) writeShards(ctx context.Context, s *set, c *codec, bucket, key string, r io.Reader, size int64, file string, inline bool) (*written, error) {
	n := len(s.drives)
	if c.shards() != n {
		return nil, fmt.Errorf("erasure: layout %d+%d on a set of %d drives: %w", c.data, c.parity, n, storage.ErrCorrupt)
	}
	w := &written{dir: newDataDir(), dist: l.distribution(s, bucket, key), errs: make([]error, n), size: size, quorum: s.quorumOf(c.data, c.parity)}
	if inline {
		shards, err := c.encodeInline(r, size)
		if err != nil {
			return nil, err
		}
		w.inline = make([][]byte, n)
		for pos := range n {
			w.inline[pos] = shards[w.dist[pos]-1]
		}
		return w, nil
	}
	sinks := make([]io.Writer, n) // by shard number
	fileSize := c.shardFileSize(size)
	w.stage = hex.EncodeToString(w.dir[:])
	writers := make([]drive.ShardWriter, n) // by drive position
	w.errs = s.each(func(pos int, d drive.Drive) error {
		sw, err := d.CreateShard(ctx, w.stage, file, fileSize)
		writers[pos] = sw
		return err
	})
	if err := quorumErr(w.errs, w.quorum); err != nil {
		l.discard(ctx, s, w, writers)
		return nil, err
	}
	for pos, sw := range writers {
		if sw != nil {
			sinks[w.dist[pos]-1] = sw
		}
	}
	shardErrs := make([]error, n) // by shard number
	for pos, e := range w.errs {
		shardErrs[w.dist[pos]-1] = e
	}
	if err := c.encode(r, size, sinks, shardErrs, w.quorum); err != nil {
		l.discard(ctx, s, w, writers)
		return nil, err
	}
	for pos := range n {
		w.errs[pos] = shardErrs[w.dist[pos]-1]
	}
	if writers != nil {
		errs := s.each(func(pos int, d drive.Drive) error {
			if writers[pos] == nil {
				return w.errs[pos]
			}
			if w.errs[pos] != nil {
				writers[pos].Abort()
				return w.errs[pos]
			}
			err := writers[pos].Close()
			writers[pos] = nil
			return err
		})
		w.errs = errs
		if err := quorumErr(w.errs, w.quorum); err != nil {
			l.discard(ctx, s, w, nil)
			return nil, err
		}
	}
	return w, nil
}

// encodeInline codes the size bytes of r into framed shards held in
// memory, by shard number: the payload is read straight into the data
// shards' frames and parity is computed in place, so each byte is copied
// once (the metadata store copies it again into its batch), and no block
// buffer is taken from the codec's pool.
func (c *codec) encodeInline(r io.Reader, size int64) ([][]byte, error) {
	fileSize := c.shardFileSize(size)
	all := make([]byte, int64(c.shards())*fileSize)
	shards := make([][]byte, c.shards())
	for i := range shards {
		shards[i] = all[int64(i)*fileSize : int64(i+1)*fileSize : int64(i+1)*fileSize]
	}
	block := make([][]byte, c.shards())
	for b, at := int64(0), int64(0); b*c.blockSize < size; b++ {
		n := c.blockLen(size, b)
		sl := c.shardLen(n)
		left := n
		for i := range block {
			block[i] = shards[i][at+hashSize : at+hashSize+sl]
			if i < c.data {
				m := min(left, sl)
				if _, err := io.ReadFull(r, block[i][:m]); err != nil {
					return nil, payloadErr(err)
				}
				left -= m // the rest of the frame is zero already
			}
		}
		if c.rs != nil {
			if err := c.rs.Encode(block); err != nil {
				return nil, fmt.Errorf("erasure: encode: %w", err)
			}
		}
		for i := range block {
			c.sum(shards[i][at:at+hashSize], block[i])
		}
		at += hashSize + sl
	}
	if err := expectEOF(r); err != nil {
		return nil, err
	}
	return shards, nil
}

// discard aborts open writers and removes the stage on every drive.
func (l *Layer) discard(ctx context.Context, s *set, w *written, writers []drive.ShardWriter) {
	if w.stage == "" {
		return
	}
	s.each(func(pos int, d drive.Drive) error {
		if writers != nil && writers[pos] != nil {
			writers[pos].Abort()
		}
		if err := d.RemoveStage(context.WithoutCancel(ctx), w.stage); err != nil {
			l.log.Warn("remove stage", "drive", d.Endpoint(), "err", err)
		}
		return nil
	})
}

// applyWritten commits per-drive batches for drives that hold the staged
// data (others count as failed) and checks the write quorum.
func (s *set) applyWritten(ctx context.Context, w *written, mk func(pos int) drive.Batch) error {
	q := s.writeQuorum()
	if w != nil {
		q = max(q, w.quorum)
	}
	if err := quorumErr(s.applyEach(ctx, w, mk), q); err != nil {
		return fmt.Errorf("erasure: commit: %w", err)
	}
	return nil
}

// applyEach applies mk(pos) on every drive that holds the staged data and
// returns the per-drive errors.
func (s *set) applyEach(ctx context.Context, w *written, mk func(pos int) drive.Batch) []error {
	// Batches are built one after the other: mk may reuse shared state
	// (encodeFor sets the per-drive shard index in the record).
	batches := make([]drive.Batch, len(s.drives))
	for pos := range batches {
		if w == nil || w.errs[pos] == nil {
			batches[pos] = mk(pos)
		}
	}
	return s.each(func(pos int, d drive.Drive) error {
		if w != nil && w.errs[pos] != nil {
			return w.errs[pos]
		}
		return d.Apply(ctx, batches[pos])
	})
}
