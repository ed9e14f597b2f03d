package drive

import (
	"errors"
	"math/bits"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Shard files of at least directMinSize bytes are written with direct I/O
// where the filesystem allows it: the data goes from an aligned buffer to
// the device without a copy into the page cache, which on a busy server
// costs more CPU than hashing and erasure coding together, and the fsync
// that follows has only the device cache and the file's metadata to flush.
// Smaller files, and drives whose filesystem refuses O_DIRECT (tmpfs on
// older kernels, some FUSE and network filesystems), use buffered writes.
const (
	// directAlign is the alignment of a direct write's memory, offset and
	// length: the largest logical block size of common devices.
	directAlign = 4096
	// directMinSize is the smallest shard file written direct.
	directMinSize = 64 << 10
	// directMaxBuf is the largest write buffer: one write per MiB.
	directMaxBuf = 1 << 20
	// directInflight is the most direct writes a shard file has under
	// way at once: one device write per stream leaves the device idle
	// between them, and the device takes concurrent writes faster.
	directInflight = 3
	// directClasses is the number of buffer sizes, powers of two from
	// directMinSize to directMaxBuf.
	directClasses = 5
)

// errDirectRefused marks a filesystem that does not support direct I/O.
var errDirectRefused = errors.New("drive: direct i/o not supported")

// Direct I/O modes of a drive, learned from its first large shard.
const (
	directUnknown int32 = iota
	directOn
	directOff
)

// directIO is a drive's direct-write state: whether its filesystem takes
// O_DIRECT, and pools of aligned buffers by size class. The zero value is
// ready to use.
type directIO struct {
	mode  atomic.Int32
	pools [directClasses]sync.Pool
}

// usable says whether a shard of size bytes should be tried direct.
func (d *directIO) usable(size int64) bool {
	return size >= directMinSize && d.mode.Load() != directOff
}

// refuse records that the drive's filesystem does not take direct I/O.
func (d *directIO) refuse() { d.mode.Store(directOff) }

// accept records that a direct open worked.
func (d *directIO) accept() { d.mode.CompareAndSwap(directUnknown, directOn) }

// bufClass picks the buffer class for a file of size bytes: the largest
// power of two not above size, within [directMinSize, directMaxBuf].
func bufClass(size int64) int {
	if size >= directMaxBuf {
		return directClasses - 1
	}
	c := bits.Len64(uint64(size)) - 1 - bits.Len64(directMinSize) + 1
	return min(max(c, 0), directClasses-1)
}

// alignedBuf is a buffer whose first byte is directAlign-aligned.
type alignedBuf struct {
	b     []byte
	class int
}

// get returns a pooled aligned buffer for a file of size bytes.
func (d *directIO) get(size int64) *alignedBuf {
	c := bufClass(size)
	if v := d.pools[c].Get(); v != nil {
		return v.(*alignedBuf)
	}
	n := directMinSize << c
	raw := make([]byte, n+directAlign)
	off := 0
	if r := int(uintptr(unsafe.Pointer(&raw[0])) & (directAlign - 1)); r != 0 {
		off = directAlign - r
	}
	return &alignedBuf{b: raw[off : off+n : off+n], class: c}
}

// put returns a buffer to its pool.
func (d *directIO) put(b *alignedBuf) { d.pools[b.class].Put(b) }
