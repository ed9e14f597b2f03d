package testserver

import (
	"errors"
	"io"
)

// Pattern is a seekable reader of Size deterministic bytes derived from
// Seed: byte i is a function of (Seed, i) only, so tests can upload,
// regenerate or check any range of a large object without holding it in
// memory.
type Pattern struct {
	Seed uint64
	Size int64
	off  int64
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// ReadAt fills p with the bytes at off.
func (g *Pattern) ReadAt(p []byte, off int64) (int, error) {
	if off >= g.Size {
		return 0, io.EOF
	}
	n := len(p)
	if rem := g.Size - off; int64(n) > rem {
		n = int(rem)
	}
	for i := 0; i < n; {
		pos := off + int64(i)
		word := splitmix(g.Seed ^ uint64(pos/8)*0x100000001b3)
		for j := pos % 8; j < 8 && i < n; j++ {
			p[i] = byte(word >> (8 * j))
			i++
		}
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// Read reads from the current offset.
func (g *Pattern) Read(p []byte) (int, error) {
	n, err := g.ReadAt(p, g.off)
	g.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset.
func (g *Pattern) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekCurrent:
		offset += g.off
	case io.SeekEnd:
		offset += g.Size
	}
	if offset < 0 {
		return 0, errors.New("testserver: pattern: negative offset")
	}
	g.off = offset
	return offset, nil
}

// Bytes returns n bytes of the pattern for seed, for small bodies.
func Bytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	_, _ = io.ReadFull(&Pattern{Seed: seed, Size: int64(n)}, b)
	return b
}
