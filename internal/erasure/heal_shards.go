package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// stream is one erasure-coded byte stream of a version: its shard file
// ("" for the inline blob) and its size in bytes.
type stream struct {
	file string
	size int64
}

// versionStreams lists the streams of v: none for a delete marker, the
// inline blob, the single file, or one file per part.
func versionStreams(v *meta.Version) []stream {
	switch {
	case v.DeleteMarker:
		return nil
	case v.Inline:
		return []stream{{size: v.Size}}
	case v.Parts == nil:
		return []stream{{file: meta.SingleFile, size: v.Size}}
	}
	out := make([]stream, len(v.Parts))
	for i, p := range v.Parts {
		out[i] = stream{file: meta.PartFile(p.Number, p.Nonce), size: p.Size}
	}
	return out
}

// shardIndex is the 0-based shard number drive position pos holds in a
// layout, or -1 if none.
func shardIndex(e meta.Erasure, pos, drives int) int {
	if pos < len(e.Distribution) {
		return int(e.Distribution[pos]) - 1
	}
	if drives == 1 && pos == 0 {
		return 0
	}
	return -1
}

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

// checkShards reports the state of each stream of v on drive d, which
// holds shard idx: missing, corrupt (failed verification) or ok. Shard
// files are only listed unless deep; inline blobs are always verified, and
// returned (by stream) so they can serve as reconstruction sources. A
// drive that cannot be asked is offline.
func (c *codec) checkShards(ctx context.Context, d drive.Drive, v *meta.Version, deep bool, throttle throttleFunc) ([]HealState, []byte) {
	streams := versionStreams(v)
	states := make([]HealState, len(streams))
	if len(streams) == 0 {
		return states, nil
	}
	if v.Inline {
		blob, err := d.Get(ctx, drive.NSInline, drive.InlineKey(v.DataDir))
		switch {
		case errors.Is(err, drive.ErrNotFound):
			states[0] = HealMissing
		case err != nil:
			states[0] = HealOffline
		case int64(len(blob)) != c.shardFileSize(v.Size) || c.verifyFrames(ctx, bytes.NewReader(blob), v.Size, nil) != nil:
			states[0] = HealCorrupt
		default:
			states[0] = HealOK
		}
		return states, blob
	}
	names, err := d.ListShards(ctx, v.DataDir)
	if err != nil {
		for i := range states {
			states[i] = HealOffline
		}
		return states, nil
	}
	have := make(map[string]bool, len(names))
	for _, n := range names {
		have[n] = true
	}
	for i, st := range streams {
		switch {
		case !have[st.file]:
			states[i] = HealMissing
		case !deep:
			states[i] = HealOK
		default:
			states[i] = c.verifyFile(ctx, d, v.DataDir, st, throttle)
		}
	}
	return states, nil
}

// verifyFile reads one shard file in full and checks every block.
func (c *codec) verifyFile(ctx context.Context, d drive.Drive, dir meta.DataDir, st stream, throttle throttleFunc) HealState {
	rc, err := d.ReadShard(ctx, dir, st.file, 0, c.shardFileSize(st.size))
	if errors.Is(err, drive.ErrNotFound) {
		return HealMissing
	}
	if err != nil {
		return HealCorrupt
	}
	defer rc.Close()
	if err := c.verifyFrames(ctx, rc, st.size, throttle); err != nil {
		if ctx.Err() != nil {
			return HealOffline // interrupted: nothing is known
		}
		return HealCorrupt
	}
	return HealOK
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
			return sinkErrs, fmt.Errorf("erasure: heal block %d: %d of %d shards intact: %w", b, good, c.data, storage.ErrCorrupt)
		}
		if err := c.fillMissing(buf, sl, have, shards, required, sinks, sinkErrs); err != nil {
			return sinkErrs, fmt.Errorf("erasure: heal block %d: %w", b, err)
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
