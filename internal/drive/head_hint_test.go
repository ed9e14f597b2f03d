package drive

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/meta"
)

// TestHeadHintRules: a hint is trusted only if no write of its key
// completed after its read began, including when the marks that would say
// so were dropped from a full table.
func TestHeadHintRules(t *testing.T) {
	const k = "b\x00key"
	other := func(i int) string { return fmt.Sprintf("b\x00other-%d", i) }
	plain, marked := []byte{1, 2, 3}, append([]byte{tailMarker}, trec(tver("v0", 0))...)
	someTail := []tailEntry{{pos: tailFirst, val: []byte{4, 5}}}
	tests := []struct {
		name    string
		run     func(h *headHints)
		ok      bool // lookup(k) trusts a hint
		tail    bool // and it says the head has a tail
		partial bool // and knows the head only (a mark's state)
	}{
		{"no read", func(h *headHints) {}, false, false, false},
		{"read", func(h *headHints) { h.saw(k, h.begin(k), true, marked, someTail) }, true, true, false},
		{"read then write", func(h *headHints) {
			h.saw(k, h.begin(k), true, plain, nil)
			h.wrote(k, nil)
		}, false, false, false},
		{"write during read", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, nil)
			h.saw(k, e, true, plain, nil)
		}, false, false, false},
		{"write, then a read", func(h *headHints) {
			h.wrote(k, nil)
			h.saw(k, h.begin(k), true, marked, someTail)
		}, true, true, false},
		{"an older read does not replace a newer", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, nil)
			h.saw(k, h.begin(k), true, marked, someTail)
			h.saw(k, e, false, nil, nil)
		}, true, true, false},
		{"write of another key during read", func(h *headHints) {
			e := h.begin(k)
			for i := range 10 {
				h.wrote(other(i), nil)
			}
			h.saw(k, e, true, marked, someTail)
		}, true, true, false},
		{"mark dropped by a full table during read", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, nil)
			// Fill k's shard until it is emptied, dropping k's mark.
			for i := 0; h.holds(k) && i < 1<<20; i++ {
				if recordShard(other(i)) == recordShard(k) {
					h.saw(other(i), h.begin(other(i)), false, nil, nil)
				}
			}
			h.saw(k, e, true, plain, nil)
		}, false, false, false},
		{"a record past maxHintBytes is not kept", func(h *headHints) {
			h.saw(k, h.begin(k), true, marked, []tailEntry{{pos: tailFirst, val: make([]byte, maxHintBytes)}})
		}, false, false, false},
		{"bytes past the shard's budget empty it, and older reads are refused", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, nil)
			big := make([]byte, maxHintBytes-8)
			for i := 0; h.holds(k) && i < 1<<20; i++ {
				if recordShard(other(i)) == recordShard(k) {
					h.saw(other(i), h.begin(other(i)), true, big, nil)
				}
			}
			h.saw(k, e, true, plain, nil)
		}, false, false, false},
		{"a read of a marked head alone", func(h *headHints) { h.sawHead(k, h.begin(k), true, marked) }, true, false, true},
		{"a read of a plain head alone", func(h *headHints) { h.sawHead(k, h.begin(k), true, plain) }, true, false, false},
		{"a read of a head alone during a write", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, nil)
			h.sawHead(k, e, true, marked)
		}, false, false, false},
		{"a write that left a marked head", func(h *headHints) {
			h.wrote(k, &leftState{key: k, found: true, head: marked})
		}, true, false, true},
		{"a write that left a plain head", func(h *headHints) {
			h.wrote(k, &leftState{key: k, found: true, head: plain})
		}, true, false, false},
		{"a write that left no record", func(h *headHints) {
			h.wrote(k, &leftState{key: k})
		}, true, false, false},
		{"a read begun before a write does not replace what it left", func(h *headHints) {
			e := h.begin(k)
			h.wrote(k, &leftState{key: k, found: true, head: marked})
			h.saw(k, e, true, plain, nil)
		}, true, false, true},
		{"a write that left its state, then one that did not", func(h *headHints) {
			h.wrote(k, &leftState{key: k, found: true, head: marked})
			h.wrote(k, nil)
		}, false, false, false},
		{"a left head past maxHintBytes is not kept", func(h *headHints) {
			h.wrote(k, &leftState{key: k, found: true, head: make([]byte, maxHintBytes+1)})
		}, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h headHints
			tt.run(&h)
			e, ok := h.lookup(k)
			if tail := len(e.tail) > 0; ok != tt.ok || tail != tt.tail || e.partial != tt.partial {
				t.Fatalf("lookup: got ok=%v tail=%v partial=%v, want ok=%v tail=%v partial=%v", ok, tail, e.partial, tt.ok, tt.tail, tt.partial)
			}
		})
	}
}

// holds reports whether h has an entry (hint or mark) for key.
func (h *headHints) holds(key string) bool {
	_, ok := h.shards[recordShard(key)].m[key]
	return ok
}

// TestHintedWriteAfterForeignWrite: a read's hint (one version, no tail)
// made stale by a write of several versions must not let the next write
// skip the tail it has to delete.
func TestHintedWriteAfterForeignWrite(t *testing.T) {
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "k")
	applyRecord(t, l, key, trec(tver("v0", 0)))
	if _, err := l.Get(context.Background(), NSObject, key); err != nil {
		t.Fatal(err)
	}
	applyRecord(t, l, key, trec(tvers("v1", "v0")...))
	one := trec(tver("v2", 2))
	applyRecord(t, l, key, one)
	if n := len(tailKeys(t, l, key)); n != 0 {
		t.Fatalf("%d tail keys left behind a one-version record", n)
	}
	checkStored(t, l, key, one)
}

// TestHintedWritesRace: readers keep leaving hints of a key while a
// writer changes its versions at random; after every write the store
// holds exactly the record written, with one tail key per older version.
func TestHintedWritesRace(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	key := ObjectKey("b", "raced")
	stop := make(chan struct{})
	done := make(chan struct{})
	for range 3 {
		go func() {
			defer func() { done <- struct{}{} }()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Get(ctx, NSObject, key); err != nil && err != ErrNotFound {
					t.Error(err)
					return
				}
			}
		}()
	}
	defer func() {
		close(stop)
		for range 3 {
			<-done
		}
	}()
	rng := rand.New(rand.NewPCG(3, 4))
	var model []meta.Version
	deadline := time.Now().Add(3 * time.Second)
	for gen := 0; gen < 400 && time.Now().Before(deadline); gen++ {
		model = randomOp(rng, model, gen)
		var want []byte
		if model != nil {
			want = trec(model...)
		}
		if rng.IntN(3) == 0 {
			// A read of the writer's own, as the engine does before a write.
			if _, err := l.Get(ctx, NSObject, key); err != nil && err != ErrNotFound {
				t.Fatal(err)
			}
		}
		applyRecordRaced(t, l, key, want)
		if got, want := len(tailKeys(t, l, key)), max(len(model)-1, 0); got != want {
			t.Fatalf("write %d (%d versions): %d tail keys, want %d", gen, len(model), got, want)
		}
		got, err := l.Get(ctx, NSObject, key)
		if want == nil {
			if err != ErrNotFound {
				t.Fatalf("write %d: got %x, %v; want no record", gen, got, err)
			}
			continue
		}
		if err != nil || string(got) != string(want) {
			t.Fatalf("write %d: got %x, %v; want %x", gen, got, err, want)
		}
	}
}

// TestHintedWritersRace: several writers of one key (each reading it
// first, as the engine does, but without the engine's object lock) and
// readers race; whatever order the writes land in, the store ends holding
// one of the records written, whole, with one tail key per older version.
func TestHintedWritersRace(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	key := ObjectKey("b", "contended")
	records := make([][]byte, 0, 8)
	for n := 1; n <= 8; n++ {
		vs := make([]meta.Version, n)
		for i := range vs {
			vs[i] = tver(fmt.Sprintf("w%d-v%d", n, i), n*10+i)
		}
		records = append(records, trec(vs...))
	}
	deadline := time.Now().Add(2 * time.Second)
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			rng := rand.New(rand.NewPCG(uint64(w), 9))
			for i := 0; i < 150 && time.Now().Before(deadline); i++ {
				if _, err := l.Get(ctx, NSObject, key); err != nil && err != ErrNotFound {
					t.Error(err)
					return
				}
				m := Mutation{NS: NSObject, Key: key, Value: records[rng.IntN(len(records))]}
				if err := l.Apply(ctx, Batch{Mutations: []Mutation{m}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
	got, err := l.Get(ctx, NSObject, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range records {
		if string(got) == string(r) {
			rec, _ := meta.DecodeRecord(r)
			if n := len(tailKeys(t, l, key)); n != len(rec.Versions)-1 {
				t.Fatalf("%d versions stored with %d tail keys, want %d", len(rec.Versions), n, len(rec.Versions)-1)
			}
			return
		}
	}
	t.Fatalf("stored record %x is none of those written", got)
}

// TestRecordLocksOpposedOrders: commits of the same two records named in
// opposite orders (and one naming a record twice) finish: the per-key
// locks are taken in one order.
func TestRecordLocksOpposedOrders(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	a, b := ObjectKey("b", "a"), ObjectKey("b", "b")
	rec := trec(tver("v1", 1))
	orders := [][]string{{a, b}, {b, a}, {a, b, a}}
	done := make(chan error, len(orders))
	for _, keys := range orders {
		go func() {
			for range 50 {
				var ms []Mutation
				for _, k := range keys {
					ms = append(ms, Mutation{NS: NSObject, Key: k, Value: rec})
				}
				if err := l.Apply(ctx, Batch{Mutations: ms}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	timeout := time.After(20 * time.Second)
	for range orders {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-timeout:
			t.Fatal("commits of opposed orders did not finish in 20 s: deadlock")
		}
	}
}

// TestReleaseMarksBeforeUnlock: a writer waiting for a key's lock finds,
// once it has it, the mark of the commit that held it, never a hint read
// before that commit. (With the two steps of releaseRecords swapped it
// fails within a few hundred rounds under -race, which reschedules at
// every lock.)
func TestReleaseMarksBeforeUnlock(t *testing.T) {
	l := &Local{}
	key := ObjectKey("b", "k")
	muts := []Mutation{{NS: NSObject, Key: key}}
	for i := range 200 {
		l.hints.saw(key, l.hints.begin(key), true, []byte{1}, nil)
		held := l.records.lock(muts)
		got := make(chan bool)
		go func() {
			next := l.records.lock(muts)
			_, ok := l.hints.lookup(key)
			l.releaseRecords(next, nil)
			got <- ok
		}()
		l.releaseRecords(held, nil)
		if <-got {
			t.Fatalf("round %d: the next writer trusted a hint read before the commit it waited for", i)
		}
	}
}
