package erasure

import (
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/hoardstore/hoard/internal/drive"
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
		f := (*r.bp)[int64(i)*frame : int64(i)*frame+hashSize+sl]
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
	data, err := r.join(*r.bp, n, sl)
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
	if err := readFull(r.rdrs[i], f); err != nil {
		if errors.Is(err, drive.ErrFaulty) {
			r.giveUpBuffer(i, f)
		}
		return fmt.Errorf("erasure: read shard %d: %w", i+1, err)
	}
	var sum [hashSize]byte
	r.c.sum(sum[:], f[hashSize:])
	if [hashSize]byte(f[:hashSize]) != sum {
		return fmt.Errorf("erasure: shard %d block %d: bitrot hash mismatch: %w", i+1, r.block, storage.ErrCorrupt)
	}
	return nil
}

// readFull fills f from a shard stream, straight into f when the stream
// allows it (drive.DirectReader: no private buffer and copy per read).
func readFull(rd io.Reader, f []byte) error {
	d, ok := rd.(drive.DirectReader)
	if !ok {
		_, err := io.ReadFull(rd, f)
		return err
	}
	for n := 0; n < len(f); {
		m, err := d.ReadDirect(f[n:])
		n += m
		switch {
		case n == len(f):
			return nil
		case err == io.EOF && n == 0:
			return io.EOF
		case err == io.EOF:
			return io.ErrUnexpectedEOF
		case err != nil:
			return err
		}
	}
	return nil
}

// giveUpBuffer replaces the block buffer after shard i's direct read into
// f failed with drive.ErrFaulty: that read may still write into f, so the
// buffer is never used or pooled again. The frames of this block already
// read (before i) move to the new buffer.
func (r *blockReader) giveUpBuffer(i int, f []byte) {
	old := *r.bp
	r.bp = r.c.pool.Get().(*[]byte)
	frame := r.c.frameSize()
	for j := 0; j < i; j++ {
		if r.have[j] {
			at := int64(j) * frame
			copy((*r.bp)[at:at+int64(len(f))], old[at:at+int64(len(f))])
		}
	}
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

// WriteTo writes the rest of the range to w straight from the decoded
// block buffer, with no copy buffer in between. A failure of w is
// returned as a *writeFailure so callers tell it from a read failure.
func (r *blockReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		if len(r.out) > 0 {
			n, err := writeAll(w, r.out)
			total += int64(n)
			r.out = r.out[n:]
			if err != nil {
				return total, err
			}
		}
		if r.err != nil {
			return total, r.err
		}
		if r.remain == 0 {
			return total, nil
		}
		if err := r.next(); err != nil {
			r.err = err
			return total, err
		}
	}
}

// writeFailure is an error of the destination of a WriteTo, not of the
// stored data.
type writeFailure struct{ err error }

func (e *writeFailure) Error() string { return e.err.Error() }
func (e *writeFailure) Unwrap() error { return e.err }

// writeAll writes p to w; a short write without an error is
// io.ErrShortWrite. Errors are *writeFailure.
func writeAll(w io.Writer, p []byte) (int, error) {
	n, err := w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		return n, &writeFailure{err}
	}
	return n, nil
}

// inlineReader serves a byte range of an inline stream straight from its
// shards' bytes, indexed by shard number (nil where a drive had none):
// every frame it uses is verified where it lies, and bytes are copied
// only into the caller's buffer, or into new shards when a missing data
// shard must be reconstructed. It needs no block buffer.
type inlineReader struct {
	c      *codec
	size   int64
	shards [][]byte
	// verified marks shards whose every frame was checked already.
	verified []bool
	bad      []bool
	block    int64 // next block to decode
	skip     int64 // bytes to drop from the first block
	remain   int64 // bytes still to deliver
	work     [][]byte
	out      [][]byte // the rest of the current block, in order
	err      error
	// onBad, when set, hears of every shard that could not be used.
	onBad func(error)
}

func newInlineReader(c *codec, size, offset, length int64, shards [][]byte, verified []bool) *inlineReader {
	return &inlineReader{
		c: c, size: size, shards: shards, verified: verified, bad: make([]bool, len(shards)), work: make([][]byte, len(shards)),
		block: offset / c.blockSize, skip: offset % c.blockSize, remain: length,
	}
}

func (r *inlineReader) Read(p []byte) (int, error) {
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
	n := 0
	for n < len(p) && len(r.out) > 0 {
		m := copy(p[n:], r.out[0])
		n += m
		if r.out[0] = r.out[0][m:]; len(r.out[0]) == 0 {
			r.out = r.out[1:]
		}
	}
	return n, nil
}

// WriteTo writes the rest of the range to w straight from the shards'
// bytes; failures of w are *writeFailure.
func (r *inlineReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	for {
		for len(r.out) > 0 {
			n, err := writeAll(w, r.out[0])
			total += int64(n)
			if r.out[0] = r.out[0][n:]; len(r.out[0]) == 0 {
				r.out = r.out[1:]
			}
			if err != nil {
				return total, err
			}
		}
		if r.err != nil {
			return total, r.err
		}
		if r.remain == 0 {
			return total, nil
		}
		if err := r.next(); err != nil {
			r.err = err
			return total, err
		}
	}
}

// Close drops the shards; reads after it fail.
func (r *inlineReader) Close() error {
	r.shards, r.out = nil, nil
	if r.err == nil {
		r.err = errors.New("erasure: reader closed")
	}
	return nil
}

// next verifies the shards of the next block, reconstructs missing data
// shards if needed, and sets r.out to the block's bytes in the range.
func (r *inlineReader) next() error {
	c := r.c
	n := c.blockLen(r.size, r.block)
	sl := c.shardLen(n)
	at := r.block * c.frameSize()
	clear(r.work)
	good := 0
	var firstErr error
	for i := 0; i < len(r.shards) && good < c.data; i++ {
		if r.bad[i] {
			continue
		}
		d, err := r.frame(i, at, sl)
		if err != nil {
			r.bad[i] = true
			if r.onBad != nil {
				r.onBad(err)
			}
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.work[i] = d
		good++
	}
	if good < c.data {
		return fmt.Errorf("erasure: block %d: %d of %d shards readable: %w (%v)", r.block, good, c.data, storage.ErrCorrupt, firstErr)
	}
	if slices.ContainsFunc(r.work[:c.data], func(b []byte) bool { return b == nil }) {
		// Missing data shards are rebuilt into new slices; the verified
		// ones are only read.
		if err := c.rs.ReconstructData(r.work); err != nil {
			return fmt.Errorf("erasure: reconstruct block %d: %w: %v", r.block, storage.ErrCorrupt, err)
		}
	}
	// The block's bytes are the data shards in order, cut to n; then the
	// range's part of them.
	from, to := r.skip, min(n, r.skip+r.remain)
	out := r.out[:0]
	var base int64
	for i := 0; i < c.data && base < to; i++ {
		lo, hi := max(from-base, 0), min(to-base, sl)
		if lo < hi {
			out = append(out, r.work[i][lo:hi])
		}
		base += sl
	}
	r.skip = 0
	r.remain -= to - from
	r.block++
	r.out = out
	return nil
}

// frame returns the verified shard bytes of shard i's frame at offset at.
func (r *inlineReader) frame(i int, at, sl int64) ([]byte, error) {
	s := r.shards[i]
	if s == nil {
		return nil, errors.New("erasure: shard unavailable")
	}
	if int64(len(s)) < at+hashSize+sl {
		return nil, fmt.Errorf("erasure: inline shard %d too short: %w", i+1, storage.ErrCorrupt)
	}
	f := s[at : at+hashSize+sl]
	if (i >= len(r.verified) || !r.verified[i]) && !r.c.frameIntact(f) {
		return nil, fmt.Errorf("erasure: shard %d block %d: bitrot hash mismatch: %w", i+1, r.block, storage.ErrCorrupt)
	}
	return f[hashSize : hashSize+sl : hashSize+sl], nil
}

// frameIntact says whether frame f's hash matches its shard bytes.
func (c *codec) frameIntact(f []byte) bool {
	var sum [hashSize]byte
	c.sum(sum[:], f[hashSize:])
	return [hashSize]byte(f[:hashSize]) == sum
}

// inlineIntact says whether b is a whole, intact inline shard of a stream
// of size bytes: every frame present and matching its hash.
func (c *codec) inlineIntact(size int64, b []byte) bool {
	var at int64
	for blk := int64(0); blk*c.blockSize < size; blk++ {
		end := at + hashSize + c.shardLen(c.blockLen(size, blk))
		if end > int64(len(b)) || !c.frameIntact(b[at:end]) {
			return false
		}
		at = end
	}
	return true
}
