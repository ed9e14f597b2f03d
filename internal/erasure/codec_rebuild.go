package erasure

import (
	"context"
	"fmt"
	"io"

	"github.com/hoardstore/hoard/internal/storage"
)

// throttleFunc paces heal reads: it is called with the size of each
// frame before it is read and may sleep; an error stops the heal.
type throttleFunc func(ctx context.Context, n int64) error

// verifyFrames reads the framed shard of a stream of size bytes from r and
// checks every block's bitrot hash; it fails on a mismatch or a short read.
func (c *codec) verifyFrames(ctx context.Context, r io.Reader, size int64, throttle throttleFunc) error {
	bp := c.pool.Get().(*[]byte)
	defer c.pool.Put(bp)
	buf := (*bp)[:c.frameSize()]
	var sum [hashSize]byte
	blocks := (size + c.blockSize - 1) / c.blockSize
	for b := int64(0); b < blocks; b++ {
		f := buf[:hashSize+c.shardLen(c.blockLen(size, b))]
		if throttle != nil {
			if err := throttle(ctx, int64(len(f))); err != nil {
				return err
			}
		}
		if _, err := io.ReadFull(r, f); err != nil {
			return fmt.Errorf("erasure: block %d: %w", b, err)
		}
		c.sum(sum[:], f[hashSize:])
		if [hashSize]byte(f[:hashSize]) != sum {
			return fmt.Errorf("erasure: block %d: bitrot hash mismatch: %w", b, storage.ErrCorrupt)
		}
	}
	return nil
}

// rebuildStream reconstructs, block by block, the shards of a stream of
// size bytes for every shard index that has a sink, from the shards of
// srcs (by shard index; nil: unavailable). It verifies every frame it
// reads and reads from sources in the given order, so healthy shards are
// preferred over damaged ones (whose intact blocks still help). A sink
// that fails is reported in the returned slice and skipped from then on;
// the error is set when a block cannot be reconstructed.
func (c *codec) rebuildStream(ctx context.Context, size int64, srcs []shardSource, order []int, sinks []io.Writer, throttle throttleFunc) ([]error, error) {
	n := c.shards()
	sinkErrs := make([]error, n)
	bp := c.pool.Get().(*[]byte)
	defer c.pool.Put(bp)
	buf := *bp
	frame := c.frameSize()
	rdrs := make([]io.ReadCloser, n)
	bad := make([]bool, n)
	defer func() {
		for _, rd := range rdrs {
			if rd != nil {
				rd.Close()
			}
		}
	}()
	have := make([]bool, n)
	shards := make([][]byte, n)
	required := make([]bool, n)
	fileSize := c.shardFileSize(size)
	blocks := (size + c.blockSize - 1) / c.blockSize
	for b := int64(0); b < blocks; b++ {
		if err := ctx.Err(); err != nil {
			return sinkErrs, err
		}
		sl := c.shardLen(c.blockLen(size, b))
		good := 0
		for _, i := range order {
			have[i] = false
			// Once opened, a source is read on every block so that its
			// position stays in step.
			if srcs[i] == nil || bad[i] || (good >= c.data && rdrs[i] == nil) {
				continue
			}
			f := buf[int64(i)*frame : int64(i)*frame+hashSize+sl]
			if rdrs[i] == nil {
				rd, err := srcs[i](b*frame, fileSize-b*frame)
				if err != nil {
					bad[i] = true
					continue
				}
				rdrs[i] = rd
			}
			if throttle != nil {
				if err := throttle(ctx, int64(len(f))); err != nil {
					return sinkErrs, err
				}
			}
			if _, err := io.ReadFull(rdrs[i], f); err != nil {
				bad[i] = true
				rdrs[i].Close()
				rdrs[i] = nil
				continue
			}
			var sum [hashSize]byte
			c.sum(sum[:], f[hashSize:])
			if have[i] = [hashSize]byte(f[:hashSize]) == sum; have[i] {
				good++
			}
		}
		if good < c.data {
			return sinkErrs, fmt.Errorf("erasure: rebuild block %d: %d of %d shards intact: %w", b, good, c.data, storage.ErrCorrupt)
		}
		if err := c.fillMissing(buf, sl, have, shards, required, sinks, sinkErrs); err != nil {
			return sinkErrs, fmt.Errorf("erasure: rebuild block %d: %w", b, err)
		}
		for i, w := range sinks {
			if w == nil || sinkErrs[i] != nil {
				continue
			}
			f := buf[int64(i)*frame : int64(i)*frame+hashSize+sl]
			c.sum(f[:hashSize], f[hashSize:])
			if _, err := w.Write(f); err != nil {
				sinkErrs[i] = err
			}
		}
	}
	return sinkErrs, nil
}

// fillMissing reconstructs, in place in buf, the payload of every sink's
// shard that was not read intact.
func (c *codec) fillMissing(buf []byte, sl int64, have []bool, shards [][]byte, required []bool, sinks []io.Writer, sinkErrs []error) error {
	frame := c.frameSize()
	need := false
	for i := range shards {
		p := buf[int64(i)*frame+hashSize : int64(i)*frame+hashSize+sl]
		required[i] = sinks[i] != nil && sinkErrs[i] == nil && !have[i]
		need = need || required[i]
		if have[i] {
			shards[i] = p
		} else {
			shards[i] = p[:0]
		}
	}
	if !need {
		return nil
	}
	if c.rs == nil {
		return fmt.Errorf("no parity to rebuild from: %w", storage.ErrCorrupt)
	}
	if err := c.rs.ReconstructSome(shards, required); err != nil {
		return fmt.Errorf("reconstruct: %w: %v", storage.ErrCorrupt, err)
	}
	for i := range shards {
		if !required[i] {
			continue
		}
		p := buf[int64(i)*frame+hashSize : int64(i)*frame+hashSize+sl]
		if len(shards[i]) != int(sl) {
			return fmt.Errorf("reconstruct: shard %d has %d bytes, want %d: %w", i+1, len(shards[i]), sl, storage.ErrCorrupt)
		}
		if &shards[i][0] != &p[0] {
			copy(p, shards[i])
		}
	}
	return nil
}
