package drive

import (
	"bytes"
	"hash/maphash"
	"math"
	"sort"
)

// Positions of tail entries (tail.go). The first entries of a key are
// spaced tailStep apart from tailFirst, so about 2^42 versions can be
// pushed in front of them, and as many appended behind, before the key's
// tail has to be renumbered.
const (
	tailFirst uint64 = 1 << 62
	tailStep  uint64 = 1 << 20
)

// tailEntry is one stored older version of an object: its position in
// the key's tail and its encoded version bytes.
type tailEntry struct {
	pos uint64
	val []byte
}

// tailPlan is what makes a key's stored tail equal a wanted list of
// versions: the entries to write and the positions to delete.
type tailPlan struct {
	set []tailEntry
	del []uint64
}

// planTail returns the writes that turn the stored tail old (by position,
// ascending) into want (older versions, newest first). Entries whose
// bytes are kept, in the same order, keep their keys: the longest such
// run is found (a longest increasing subsequence over the old indexes),
// every other wanted version gets a position between its kept
// neighbours, and only when a gap has no room left is the whole tail
// renumbered. So pushing a version, deleting one, or replacing one costs
// a constant number of writes however long the tail is.
func planTail(old []tailEntry, want [][]byte) tailPlan {
	kept := keptIndexes(old, want)
	pos := make([]uint64, len(want))
	if !placeTail(old, kept, pos) {
		for j := range pos {
			pos[j] = tailFirst + uint64(j)*tailStep
		}
	}
	var p tailPlan
	i := 0
	for j, v := range want {
		for i < len(old) && old[i].pos < pos[j] {
			p.del = append(p.del, old[i].pos)
			i++
		}
		if i < len(old) && old[i].pos == pos[j] {
			i++
			if bytes.Equal(old[i-1].val, v) {
				continue
			}
		}
		p.set = append(p.set, tailEntry{pos: pos[j], val: v})
	}
	for ; i < len(old); i++ {
		p.del = append(p.del, old[i].pos)
	}
	return p
}

// keptIndexes returns, for every wanted version, the index of the old
// entry it keeps or -1: a longest run of wanted versions whose bytes are
// old entries in increasing order.
func keptIndexes(old []tailEntry, want [][]byte) []int {
	// Entries are found by a hash of their bytes (no copy of them as map
	// keys), then compared.
	byVal := make(map[uint64]int, len(old))
	for i := len(old) - 1; i >= 0; i-- {
		byVal[maphash.Bytes(hashSeed, old[i].val)] = i
	}
	idx := make([]int, len(want))
	for j, v := range want {
		i, ok := byVal[maphash.Bytes(hashSeed, v)]
		if !ok || !bytes.Equal(old[i].val, v) {
			i = -1
		}
		idx[j] = i
	}
	// Patience sorting: tails[k] is the wanted index ending the best
	// increasing run of length k+1 found so far.
	var tails []int
	prev := make([]int, len(want))
	for j, i := range idx {
		if i < 0 {
			continue
		}
		k := sort.Search(len(tails), func(k int) bool { return idx[tails[k]] >= i })
		prev[j] = -1
		if k > 0 {
			prev[j] = tails[k-1]
		}
		if k == len(tails) {
			tails = append(tails, j)
		} else {
			tails[k] = j
		}
	}
	kept := make([]int, len(want))
	for j := range kept {
		kept[j] = -1
	}
	if len(tails) > 0 {
		for j := tails[len(tails)-1]; j >= 0; j = prev[j] {
			kept[j] = idx[j]
		}
	}
	return kept
}

// placeTail fills pos: kept versions keep their old position, every run
// of new ones between kept neighbours gets positions inside the gap. It
// is false when some gap is too small.
func placeTail(old []tailEntry, kept []int, pos []uint64) bool {
	lo, hasLo := uint64(0), false
	run := 0 // first index of the current run of new versions
	for j := 0; j <= len(kept); j++ {
		if j < len(kept) && kept[j] < 0 {
			continue
		}
		hi, hasHi := uint64(math.MaxUint64), false
		if j < len(kept) {
			hi, hasHi = old[kept[j]].pos, true
			pos[j] = hi
		}
		if !placeRun(pos[run:j], lo, hasLo, hi, hasHi) {
			return false
		}
		lo, hasLo, run = hi, true, j+1
	}
	return true
}

// placeRun gives the positions of a run of new versions between lo and
// hi (both exclusive): tailStep apart from a single neighbour when they
// fit, else spread evenly through the gap.
func placeRun(run []uint64, lo uint64, hasLo bool, hi uint64, hasHi bool) bool {
	c := uint64(len(run))
	if c == 0 {
		return true
	}
	switch {
	case !hasLo && !hasHi:
		for i := range run {
			run[i] = tailFirst + uint64(i)*tailStep
		}
		return true
	case !hasLo && hi > (c+1)*tailStep:
		for i := range run {
			run[i] = hi - (c-uint64(i))*tailStep
		}
		return true
	case hasLo && !hasHi && lo < math.MaxUint64-(c+1)*tailStep:
		for i := range run {
			run[i] = lo + (uint64(i)+1)*tailStep
		}
		return true
	}
	// Spread evenly; position 0 is never used, so it bounds the front.
	if hi-lo-1 < c {
		return false
	}
	step := (hi - lo) / (c + 1)
	for i := range run {
		run[i] = lo + step*(uint64(i)+1)
	}
	return true
}
