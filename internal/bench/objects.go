package bench

import (
	"math/rand/v2"
	"strconv"
	"sync"
)

// object is one object the generator wrote: its key and size.
type object struct {
	key  string
	size int64
}

// sizeSeed fixes the sizes of prepared objects, so a later run that
// reuses them (Config.Reuse) knows every object's size without asking.
const sizeSeed = 0x9e3779b97f4a7c15

// splitmix64 is a fast, well-mixed hash of x.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// layout names and sizes the objects of a run.
type layout struct {
	prefix           string // key prefix, without the trailing "/"
	sizeMin, sizeMax int64
}

// preparedKey is the key of prepared object i; keys sort by i.
func (l layout) preparedKey(i int) string {
	var b [24]byte
	n := strconv.AppendInt(b[:0], int64(i), 10)
	key := make([]byte, 0, len(l.prefix)+12)
	key = append(key, l.prefix...)
	key = append(key, "/p"...)
	for range 9 - len(n) {
		key = append(key, '0')
	}
	return string(append(key, n...))
}

// preparedSize is the size of prepared object i.
func (l layout) preparedSize(i int) int64 {
	if l.sizeMin == l.sizeMax {
		return l.sizeMin
	}
	return l.sizeMin + int64(splitmix64(sizeSeed^uint64(i))%uint64(l.sizeMax-l.sizeMin+1))
}

// writtenKey is the key of the seq-th object worker w writes during the
// run; keys of different workers never collide.
func (l layout) writtenKey(w int, seq int64) string {
	return l.prefix + "/w" + strconv.Itoa(w) + "-" + strconv.FormatInt(seq, 10)
}

// randomSize draws an object size from the range.
func (l layout) randomSize(rng *rand.Rand) int64 {
	if l.sizeMin == l.sizeMax {
		return l.sizeMin
	}
	return l.sizeMin + rng.Int64N(l.sizeMax-l.sizeMin+1)
}

// newPayload returns n pseudo-random bytes: every object's content is a
// prefix of them, generated once so no request spends CPU on it, and
// incompressible so no server can shrink it.
func newPayload(n int64, seed uint64) []byte {
	var s [32]byte
	for i := range 4 {
		v := splitmix64(seed + uint64(i))
		for j := range 8 {
			s[i*8+j] = byte(v >> (8 * j))
		}
	}
	b := make([]byte, n)
	rand.NewChaCha8(s).Read(b)
	return b
}

// pool holds the objects a mixed workload may read, stat or delete. An
// operation takes an object out for its duration, so no worker reads an
// object another is deleting.
type pool struct {
	mu    sync.Mutex
	items []object
}

// take removes a random object; ok is false when the pool is empty.
func (p *pool) take(rng *rand.Rand) (object, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := len(p.items)
	if n == 0 {
		return object{}, false
	}
	i := rng.IntN(n)
	o := p.items[i]
	p.items[i] = p.items[n-1]
	p.items = p.items[:n-1]
	return o, true
}

// give puts an object (back) into the pool.
func (p *pool) give(o object) {
	p.mu.Lock()
	p.items = append(p.items, o)
	p.mu.Unlock()
}
