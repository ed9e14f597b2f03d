package erasure

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/reedsolomon"
	"github.com/minio/highwayhash"

	"github.com/hoardstore/hoard/internal/meta"
	"github.com/hoardstore/hoard/internal/storage"
)

// hashSize is the size of the bitrot hash in front of every shard block.
const hashSize = highwayhash.Size

// bitrotKey keys HighwayHash for bitrot detection. It is fixed: the hash
// guards against decay, not against an adversary who can write the disk.
const bitrotKey = "hoard bitrot highwayhash-256 key"

// codec cuts an object stream into blocks, splits each block into data
// shards plus parity shards, and frames each shard block as
// [HighwayHash-256][bytes]. One codec serves every set of one layout.
type codec struct {
	data, parity int
	blockSize    int64
	shardBlock   int64
	rs           reedsolomon.Encoder
	key          []byte
	pool         sync.Pool
}

func newCodec(data, parity int, blockSize int64) (*codec, error) {
	c := &codec{data: data, parity: parity, blockSize: blockSize, key: []byte(bitrotKey)}
	c.shardBlock = (blockSize + int64(data) - 1) / int64(data)
	if parity > 0 {
		rs, err := reedsolomon.New(data, parity, reedsolomon.WithAutoGoroutines(int(c.shardBlock)))
		if err != nil {
			return nil, fmt.Errorf("erasure: reed-solomon %d+%d: %w", data, parity, err)
		}
		c.rs = rs
	}
	frame := int(hashSize + c.shardBlock)
	total := frame * (data + parity)
	if data > 1 {
		total += int(blockSize) // room to join data shards when reading
	}
	c.pool.New = func() any {
		b := make([]byte, total)
		return &b
	}
	return c, nil
}

func (c *codec) layout() meta.Erasure {
	return meta.Erasure{Data: c.data, Parity: c.parity, BlockSize: c.blockSize}
}

func (c *codec) frameSize() int64 { return hashSize + c.shardBlock }

// shards returns the number of shards per block.
func (c *codec) shards() int { return c.data + c.parity }

// blockLen returns the stream length of block i of a stream of size bytes.
func (c *codec) blockLen(size, i int64) int64 {
	return min(c.blockSize, size-i*c.blockSize)
}

// shardLen returns the shard length of a block of n stream bytes.
func (c *codec) shardLen(n int64) int64 { return (n + int64(c.data) - 1) / int64(c.data) }

// shardFileSize is the size of one framed shard of a stream of size bytes.
func (c *codec) shardFileSize(size int64) int64 {
	if size <= 0 {
		return 0
	}
	blocks := (size + c.blockSize - 1) / c.blockSize
	return blocks*hashSize + c.layout().ShardSize(size)
}

func (c *codec) sum(dst, p []byte) {
	h := highwayhash.Sum(p, c.key)
	copy(dst, h[:])
}

// encode reads exactly size bytes from r (then io.EOF, so a verifying
// payload finalises its digests) and writes the framed shards to sinks,
// indexed by shard number. A sink that fails is recorded in errs and
// skipped; encode stops early only if fewer than quorum sinks remain or
// the reader fails.
func (c *codec) encode(r io.Reader, size int64, sinks []io.Writer, errs []error, quorum int) error {
	bp := c.pool.Get().(*[]byte)
	defer c.pool.Put(bp)
	buf := *bp
	frame := c.frameSize()
	var done int64
	shards := make([][]byte, 0, c.shards())
	for done < size {
		n := c.blockLen(size, done/c.blockSize)
		sl := c.shardLen(n)
		shards = shards[:0]
		left := n
		for i := 0; i < c.shards(); i++ {
			f := buf[int64(i)*frame : int64(i)*frame+hashSize+sl]
			d := f[hashSize:]
			if i < c.data {
				m := min(left, sl)
				if _, err := io.ReadFull(r, d[:m]); err != nil {
					return payloadErr(err)
				}
				clear(d[m:])
				left -= m
			}
			shards = append(shards, d)
		}
		if c.rs != nil {
			if err := c.rs.Encode(shards); err != nil {
				return fmt.Errorf("erasure: encode: %w", err)
			}
		}
		for i, d := range shards {
			if errs[i] != nil || sinks[i] == nil {
				continue
			}
			f := buf[int64(i)*frame : int64(i)*frame+hashSize+sl]
			c.sum(f[:hashSize], d)
			if _, err := sinks[i].Write(f); err != nil {
				errs[i] = err
			}
		}
		if err := quorumErr(errs, quorum); err != nil {
			return err
		}
		done += n
	}
	return expectEOF(r)
}

// expectEOF reads the payload's end so its digests are final; extra bytes
// mean the body was longer than declared.
func expectEOF(r io.Reader) error {
	var one [1]byte
	for range 4 {
		n, err := r.Read(one[:])
		if n > 0 {
			return fmt.Errorf("erasure: payload longer than its size: %w", storage.ErrIncompleteBody)
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return payloadErr(err)
		}
	}
	return fmt.Errorf("erasure: payload did not end: %w", storage.ErrIncompleteBody)
}

// payloadErr wraps a payload read failure; a premature end is ErrIncompleteBody.
func payloadErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("erasure: payload ended early: %w", storage.ErrIncompleteBody)
	}
	return fmt.Errorf("erasure: read payload: %w", err)
}

// quorumErr fails when fewer than quorum entries of errs are nil.
func quorumErr(errs []error, quorum int) error {
	ok := 0
	for _, e := range errs {
		if e == nil {
			ok++
		}
	}
	if ok >= quorum {
		return nil
	}
	return reduceErr(errs, quorum, storage.ErrWriteQuorum)
}

// reduceErr picks the error to report when quorum was missed: a
// storage-full error if any drive was full (the client should see 507),
// else the most common error if it alone reaches quorum, else fallback.
func reduceErr(errs []error, quorum int, fallback error) error {
	var first error
	for _, e := range errs {
		if e == nil {
			continue
		}
		if errors.Is(e, storage.ErrStorageFull) {
			return e
		}
		if first == nil {
			first = e
		}
	}
	if len(errs) == 1 && first != nil {
		return first
	}
	return fmt.Errorf("%w: %d drives, quorum %d: %v", fallback, len(errs), quorum, first)
}
