package bench

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestPreparedKeysSortByIndex(t *testing.T) {
	t.Parallel()
	l := layout{prefix: "run", sizeMin: 10, sizeMax: 20}
	idx := []int{0, 1, 9, 10, 99, 100, 12345, 999999999}
	keys := make([]string, len(idx))
	for i, n := range idx {
		keys[i] = l.preparedKey(n)
	}
	if !slices.IsSorted(keys) {
		t.Errorf("got keys %q out of order", keys)
	}
	if got := l.preparedKey(42); got != "run/p000000042" {
		t.Errorf("got %q, want run/p000000042", got)
	}
	seen := map[int64]bool{}
	for i := range 1000 {
		s := l.preparedSize(i)
		if s < 10 || s > 20 || s != l.preparedSize(i) {
			t.Fatalf("object %d: got size %d, want a stable size in 10-20", i, s)
		}
		seen[s] = true
	}
	if len(seen) != 11 {
		t.Errorf("got %d distinct sizes, want all 11", len(seen))
	}
}

func TestPayloadIsRandomAndRepeatable(t *testing.T) {
	t.Parallel()
	a, b, c := newPayload(1<<16, 1), newPayload(1<<16, 1), newPayload(1<<16, 2)
	if !slices.Equal(a, b) || slices.Equal(a, c) {
		t.Errorf("payloads of one seed differ or of two seeds agree")
	}
	var counts [256]int
	for _, x := range a {
		counts[x]++
	}
	for v, n := range counts {
		if n < 128 || n > 384 { // 256 expected per value
			t.Errorf("byte %d occurs %d times in 64 KiB, want about 256", v, n)
		}
	}
}

func TestPoolLeases(t *testing.T) {
	t.Parallel()
	var p pool
	rng := rand.New(rand.NewPCG(1, 2))
	if _, ok := p.take(rng); ok {
		t.Fatal("got an object from an empty pool")
	}
	for i := range 10 {
		p.give(object{key: string(rune('a' + i))})
	}
	taken := map[string]bool{}
	for range 10 {
		o, ok := p.take(rng)
		if !ok || taken[o.key] {
			t.Fatalf("got %q, %v: want each object once", o.key, ok)
		}
		taken[o.key] = true
	}
	if _, ok := p.take(rng); ok {
		t.Error("got an object after all were taken")
	}
}
