package erasure

import (
	"errors"
	"fmt"
	"io"

	"github.com/hoardstore/hoard/internal/storage"
)

// shardSource opens the framed shard stream of one shard number at a byte
// offset of its framed file, for length bytes.
type shardSource func(offset, length int64) (io.ReadCloser, error)

// blockReader streams a byte range of one erasure-coded stream (an object
// or one part), verifying every shard block it reads and reconstructing
// missing or corrupt data shards from parity.
type blockReader struct {
	c      *codec
	size   int64 // stream size
	srcs   []shardSource
	rdrs   []io.ReadCloser
	bad    []bool
	have   []bool
	block  int64 // next block to decode
	last   int64 // last block of the range
	skip   int64 // bytes to drop from the first block
	remain int64 // bytes still to deliver
	bp     *[]byte
	out    []byte
	err    error
	// onBad, when set, hears of every shard that could not be used.
	onBad func(error)
}

func newBlockReader(c *codec, size, offset, length int64, srcs []shardSource) *blockReader {
	r := &blockReader{
		c: c, size: size, srcs: srcs,
		rdrs: make([]io.ReadCloser, len(srcs)), bad: make([]bool, len(srcs)), have: make([]bool, len(srcs)),
		block: offset / c.blockSize, skip: offset % c.blockSize, remain: length,
	}
	if length > 0 {
		r.last = (offset + length - 1) / c.blockSize
		r.bp = c.pool.Get().(*[]byte)
	}
	return r
}

func (r *blockReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.remain == 0 {
			return 0, io.EOF
		}
		if err := r.next(); err != nil {
			r.err = err
			return 0, err
		}
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

// Close releases the shard readers and the buffer.
func (r *blockReader) Close() error {
	for i, rd := range r.rdrs {
		if rd != nil {
			rd.Close()
			r.rdrs[i] = nil
		}
	}
	if r.bp != nil {
		r.c.pool.Put(r.bp)
		r.bp = nil
	}
	if r.err == nil {
		r.err = errors.New("erasure: reader closed")
	}
	return nil
}

// rangeEnd is the framed length from the start of block b to the end of
// the range's last block.
func (r *blockReader) rangeEnd(b int64) int64 {
	lastLen := r.c.shardLen(r.c.blockLen(r.size, r.last))
	return (r.last-b)*r.c.frameSize() + hashSize + lastLen
}

// next decodes the next block into r.out.
func (r *blockReader) next() error {
	c := r.c
	buf := *r.bp
	frame := c.frameSize()
	n := c.blockLen(r.size, r.block)
	sl := c.shardLen(n)
	good := 0
	var firstErr error
	for i := range r.srcs {
		r.have[i] = false
		if r.bad[i] || (good >= c.data && r.rdrs[i] == nil) {
			continue
		}
		f := buf[int64(i)*frame : int64(i)*frame+hashSize+sl]
		if err := r.readFrame(i, f); err != nil {
			r.markBad(i)
			if r.onBad != nil {
				r.onBad(err)
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.have[i] = true
		good++
	}
	if good < c.data {
		return fmt.Errorf("erasure: block %d: %d of %d shards readable: %w (%v)", r.block, good, c.data, storage.ErrCorrupt, firstErr)
	}
	data, err := r.join(buf, n, sl)
	if err != nil {
		return err
	}
	data = data[r.skip:min(n, r.skip+r.remain)]
	r.skip = 0
	r.remain -= int64(len(data))
	r.block++
	r.out = data
	return nil
}

// readFrame reads and verifies shard i's frame of the current block.
func (r *blockReader) readFrame(i int, f []byte) error {
	if r.srcs[i] == nil {
		return errors.New("erasure: shard unavailable")
	}
	if r.rdrs[i] == nil {
		rd, err := r.srcs[i](r.block*r.c.frameSize(), r.rangeEnd(r.block))
		if err != nil {
			return err
		}
		r.rdrs[i] = rd
	}
	if _, err := io.ReadFull(r.rdrs[i], f); err != nil {
		return fmt.Errorf("erasure: read shard %d: %w", i+1, err)
	}
	var sum [hashSize]byte
	r.c.sum(sum[:], f[hashSize:])
	if [hashSize]byte(f[:hashSize]) != sum {
		return fmt.Errorf("erasure: shard %d block %d: bitrot hash mismatch: %w", i+1, r.block, storage.ErrCorrupt)
	}
	return nil
}

func (r *blockReader) markBad(i int) {
	r.bad[i] = true
	if r.rdrs[i] != nil {
		r.rdrs[i].Close()
		r.rdrs[i] = nil
	}
}

// join returns the n stream bytes of the current block, reconstructing
// missing data shards if needed.
func (r *blockReader) join(buf []byte, n, sl int64) ([]byte, error) {
	c := r.c
	frame := c.frameSize()
	if c.data == 1 {
		for i := range r.srcs {
			if r.have[i] {
				return buf[int64(i)*frame+hashSize : int64(i)*frame+hashSize+n], nil
			}
		}
	}
	shards := make([][]byte, len(r.srcs))
	missing := false
	for i := range shards {
		s := buf[int64(i)*frame+hashSize : int64(i)*frame+hashSize+sl]
		if !r.have[i] {
			s = s[:0]
			missing = missing || i < c.data
		}
		shards[i] = s
	}
	if missing {
		if err := c.rs.ReconstructData(shards); err != nil {
			return nil, fmt.Errorf("erasure: reconstruct block %d: %w: %v", r.block, storage.ErrCorrupt, err)
		}
	}
	out := buf[int64(len(r.srcs))*frame:]
	var off int64
	for i := 0; i < c.data && off < n; i++ {
		off += int64(copy(out[off:n], shards[i]))
	}
	return out[:n], nil
}
