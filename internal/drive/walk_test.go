package drive

import (
	"context"
	"fmt"
	"math"
	"testing"
)

func TestRollUp(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, prefix, delimiter string
		want                    string
		ok                      bool
	}{
		{"a/b/c", "", "/", "a/", true},
		{"a/b/c", "a/", "/", "a/b/", true},
		{"a/b/c", "a/b/", "/", "", false},
		{"a\x00id/x", "", "/", "", false},
		{"abcab", "", "ca", "abca", true},
		{"a", "ab", "/", "", false},
		{"a/b", "", "", "", false},
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%q %q %q", c.name, c.prefix, c.delimiter), func(t *testing.T) {
			n, ok := rollUp([]byte(c.name), []byte(c.prefix), []byte(c.delimiter))
			got := ""
			if ok {
				got = c.name[:n]
			}
			if got != c.want || ok != c.ok {
				t.Errorf("got %q %v, want %q %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func TestAppendSuccessor(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "a", "a/", "a\xff", "\xff\xff", "ab\xff\xffc", "x\xff"} {
		got, ok := appendSuccessor([]byte("base"), []byte(p))
		want := Successor(p)
		if ok != (want != "") || (ok && string(got) != "base"+want) || (!ok && string(got) != "base") {
			t.Errorf("appendSuccessor(%q): got %q %v, want %q", p, got, ok, "base"+want)
		}
	}
}

// TestWalkAllocations checks a page allocates the same few times whatever
// its length: names and values are gathered, not allocated one by one.
func TestWalkAllocations(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	var muts []Mutation
	for i := range 2000 {
		muts = append(muts, Mutation{NS: NSObject, Key: ObjectKey("b", fmt.Sprintf("k%05d", i)), Value: []byte("value")})
	}
	if err := l.Apply(ctx, Batch{Mutations: muts}); err != nil {
		t.Fatal(err)
	}
	// AllocsPerRun counts the whole process's allocations, so pebble's
	// background work can add to a measurement: take the least of a few.
	allocs := func(limit int) float64 {
		least := math.Inf(1)
		for range 5 {
			least = min(least, testing.AllocsPerRun(20, func() {
				res, err := l.Walk(ctx, WalkOptions{NS: NSObject, Scope: ObjectScope("b"), Limit: limit})
				if err != nil || len(res.Entries) != limit {
					t.Fatalf("walk: got %d entries, %v; want %d", len(res.Entries), err, limit)
				}
			}))
		}
		return least
	}
	small, large := allocs(10), allocs(1000)
	if large > small+4 {
		t.Errorf("allocations per page: got %v for 1,000 entries and %v for 10, want about the same", large, small)
	}
}
