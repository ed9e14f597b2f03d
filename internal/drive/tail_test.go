package drive

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/hoardstore/hoard/internal/meta"
)

// tver is a version of a test object: id names it ("" the null version),
// gen tells apart two null versions.
func tver(id string, gen int) meta.Version {
	return meta.Version{
		ID:       id,
		ModTime:  time.Unix(1700000000+int64(gen), 0).UTC(),
		Size:     int64(100 + gen),
		ETag:     fmt.Sprintf("etag-%s-%d", id, gen),
		Metadata: map[string]string{"x-amz-meta-pad": strings.Repeat("p", 40)},
		Erasure:  meta.Erasure{Data: 1, BlockSize: 1 << 20, Index: 1, Distribution: []uint8{1}},
	}
}

func trec(vs ...meta.Version) []byte { return meta.EncodeRecord(&meta.Record{Versions: vs}) }

func tvers(ids ...string) []meta.Version {
	out := make([]meta.Version, len(ids))
	for i, id := range ids {
		out[i] = tver(id, 0)
	}
	return out
}

// applyRecord writes full as the record of key and returns how many
// object keys (head and tail) the commit wrote or deleted.
// The mark the commit leaves must know what it stored (checkLeft).
func applyRecord(t *testing.T, l *Local, key string, full []byte) int64 {
	t.Helper()
	n := applyRecordRaced(t, l, key, full)
	checkLeft(t, l, key)
	return n
}

// applyRecordRaced is applyRecord while reads of key run: one may have
// replaced the commit's mark already.
func applyRecordRaced(t *testing.T, l *Local, key string, full []byte) int64 {
	t.Helper()
	before := l.recordWrites.Load()
	m := Mutation{NS: NSObject, Key: key, Value: full, Delete: full == nil}
	if err := l.Apply(context.Background(), Batch{Mutations: []Mutation{m}}); err != nil {
		t.Fatalf("Apply %q: %v", key, err)
	}
	return l.recordWrites.Load() - before
}

// checkLeft asserts that the mark the last write of key left knows
// exactly what is stored: the head value, and where the tail starts.
func checkLeft(t *testing.T, l *Local, key string) {
	t.Helper()
	h, ok := l.hints.lookup(key)
	if !ok || !h.written || !h.left {
		t.Fatalf("%q: no mark with the state its write left", key)
	}
	raw, closer, err := l.db.Get(dbKey(NSObject, key))
	found := err == nil
	if found {
		raw = bytes.Clone(raw)
		closer.Close()
	}
	if h.found != found || !bytes.Equal(h.stored, raw) {
		t.Fatalf("%q: mark says found=%v head %x; stored: found=%v head %x", key, h.found, h.stored, found, raw)
	}
	pos := tailKeys(t, l, key)
	first, named := storedFirst(h.stored)
	switch {
	case h.partial && (len(pos) == 0 || !named || first != pos[0]):
		t.Fatalf("%q: the head names the tail's start %d (%v); stored positions %v", key, first, named, pos)
	case !h.partial && len(pos) > 0:
		t.Fatalf("%q: mark says no tail; stored positions %v", key, pos)
	}
}

// tailKeys counts the tail keys stored for key.
func tailKeys(t *testing.T, l *Local, key string) []uint64 {
	t.Helper()
	prefix := appendTailPrefix(nil, key)
	it, err := l.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: []byte(Successor(string(prefix)))})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var pos []uint64
	for ok := it.First(); ok; ok = it.Next() {
		if len(it.Key()) == len(prefix)+posLen {
			pos = append(pos, uint64FromKey(it.Key()[len(prefix):]))
		}
	}
	return pos
}

func uint64FromKey(b []byte) uint64 {
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v
}

// checkStored asserts that every read of key gives want (nil: absent).
func checkStored(t *testing.T, l *Local, key string, want []byte) {
	t.Helper()
	ctx := context.Background()
	got, err := l.Get(ctx, NSObject, key)
	if want == nil {
		if err == nil {
			t.Fatalf("Get %q: got a record, want none", key)
		}
		if n := len(tailKeys(t, l, key)); n != 0 {
			t.Fatalf("%q: %d tail keys left", key, n)
		}
		return
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Get %q: got %x, %v; want %x", key, got, err, want)
	}
	bucket, name, _ := strings.Cut(key, "\x00")
	for _, newest := range []bool{false, true} {
		res, err := l.Walk(ctx, WalkOptions{NS: NSObject, Scope: ObjectScope(bucket), Start: name, Limit: 1, Newest: newest})
		if err != nil || len(res.Entries) != 1 || res.Entries[0].Name != name {
			t.Fatalf("Walk %q: got %+v, %v", key, res, err)
		}
		w := want
		if newest {
			w, _ = meta.AppendNewest(nil, want)
		}
		if !bytes.Equal(res.Entries[0].Value, w) {
			t.Fatalf("Walk(newest=%v) %q: got %x, want %x", newest, key, res.Entries[0].Value, w)
		}
	}
	n, err := l.GetNewest(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := meta.DecodeRecord(want)
	if err != nil {
		t.Fatal(err)
	}
	keep := min(1, len(rec.Versions))
	if legacy := len(tailKeys(t, l, key)) == 0 && len(rec.Versions) > 1; !legacy {
		rec.Versions = rec.Versions[:keep]
	}
	if w := meta.EncodeRecord(rec); !bytes.Equal(n, w) {
		t.Fatalf("GetNewest %q: got %x, want %x", key, n, w)
	}
}

func TestTailDiff(t *testing.T) {
	null0, null1 := tver("", 1), tver("", 2)
	v := tvers("v0", "v1", "v2", "v3", "v4")
	tests := []struct {
		name       string
		from, to   []meta.Version
		wantWrites int64
	}{
		{"first version", nil, v[:1], 1},
		{"second version pushed", v[1:2], v[:2], 2},
		{"push onto five", v[1:], append([]meta.Version{tver("new", 0)}, v[1:]...), 2},
		{"delete newest", v, v[1:], 2},
		{"delete middle", v, append(append([]meta.Version{}, v[:2]...), v[3:]...), 1},
		{"delete oldest", v, v[:4], 1},
		{"delete all but newest", v, v[:1], 5}, // 4 tail keys, and the head loses its marker
		{"null replaced in suspended bucket", []meta.Version{v[0], null0, v[1]}, []meta.Version{null1, v[0], v[1]}, 2},
		{"null replaced when newest", []meta.Version{null0, v[0], v[1]}, []meta.Version{null1, v[0], v[1]}, 1},
		{"one version's tags changed", v, []meta.Version{v[0], v[1], func() meta.Version { x := v[2]; x.Tags = map[string]string{"k": "v"}; return x }(), v[3], v[4]}, 1},
		{"unchanged", v, v, 0},
		{"heal rewrite, oldest moved first", v, []meta.Version{v[4], v[0], v[1], v[2], v[3]}, 3},
		{"heal rewrite, reversed", v, []meta.Version{v[4], v[3], v[2], v[1], v[0]}, 6},
		{"delete object", v, nil, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLocal(t, t.TempDir())
			key := ObjectKey("b", "obj")
			if tt.from != nil {
				applyRecord(t, l, key, trec(tt.from...))
			}
			var want []byte
			if tt.to != nil {
				want = trec(tt.to...)
			}
			if got := applyRecord(t, l, key, want); got != tt.wantWrites {
				t.Errorf("keys written: got %d, want %d", got, tt.wantWrites)
			}
			checkStored(t, l, key, want)
			if tt.to != nil {
				if got, w := len(tailKeys(t, l, key)), len(tt.to)-1; got != w {
					t.Errorf("tail keys: got %d, want %d", got, w)
				}
			}
		})
	}
}

func TestTailPushIsConstant(t *testing.T) {
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "hot")
	var vs []meta.Version
	for i := range 200 {
		vs = append([]meta.Version{tver(fmt.Sprintf("v%03d", i), i)}, vs...)
		if got := applyRecord(t, l, key, trec(vs...)); i > 1 && got != 2 {
			t.Fatalf("push %d: wrote %d keys, want 2", i, got)
		}
	}
	checkStored(t, l, key, trec(vs...))
}

func TestTailRenumber(t *testing.T) {
	v := tvers("v0", "v1", "v2", "v3")
	tests := []struct {
		name string
		old  []uint64 // positions of v1.. as stored
		to   []meta.Version
	}{
		{"insert into a full gap", []uint64{7, 8}, []meta.Version{v[0], v[1], v[3], v[2]}},
		{"push before position 1", []uint64{1, 2}, []meta.Version{v[3], v[0], v[1], v[2]}},
		{"append after the last position", []uint64{1<<64 - 3, 1<<64 - 2}, []meta.Version{v[0], v[1], v[2], v[3]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := openLocal(t, t.TempDir())
			key := ObjectKey("b", "k")
			// Store v0 as head, v1 and v2 at the given positions.
			b := l.db.NewBatch()
			b.Set(dbKey(NSObject, key), append([]byte{tailMarker}, trec(v[0])...), nil)
			for i, pos := range tt.old {
				enc := trec(v[i+1])
				_, start, _ := meta.VersionSpans(nil, enc)
				b.Set(appendTailKey(nil, key, pos), enc[start:], nil)
			}
			if err := l.db.Apply(b, pebble.Sync); err != nil {
				t.Fatal(err)
			}
			checkStored(t, l, key, trec(v[:3]...))
			want := trec(tt.to...)
			applyRecord(t, l, key, want)
			checkStored(t, l, key, want)
			pos := tailKeys(t, l, key)
			for i := 1; i < len(pos); i++ {
				if pos[i] <= pos[i-1] {
					t.Fatalf("positions not increasing: %v", pos)
				}
			}
			if len(pos) != len(tt.to)-1 {
				t.Fatalf("tail keys: got %d, want %d", len(pos), len(tt.to)-1)
			}
		})
	}
}

func TestTailLegacyRecord(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	if err := l.WriteFormat(ctx, Format{Version: 1, Deployment: "d", DriveID: "x", Sets: [][]string{{"x"}}}); err != nil {
		t.Fatal(err)
	}
	key := ObjectKey("b", "old")
	v := tvers("v0", "v1", "v2", "v3")
	legacy := trec(v...)
	// Written by a binary before tails: the whole record under one key.
	if err := l.db.Set(dbKey(NSObject, key), legacy, pebble.Sync); err != nil {
		t.Fatal(err)
	}
	checkStored(t, l, key, legacy)
	if f, err := l.ReadFormat(ctx); err != nil || f.Version != 1 {
		t.Fatalf("format before a tail: got %+v, %v; want version 1", f, err)
	}
	// The next write cuts it: a new head, every older version a tail key.
	next := trec(append([]meta.Version{tver("v9", 9)}, v...)...)
	if got := applyRecord(t, l, key, next); got != 5 {
		t.Errorf("migration writes (head, 4 tail keys): got %d, want 5", got)
	}
	checkStored(t, l, key, next)
	if n := len(tailKeys(t, l, key)); n != 4 {
		t.Errorf("tail keys after migration: got %d, want 4", n)
	}
	if f, err := l.ReadFormat(ctx); err != nil || f.Version != FormatVersion {
		t.Fatalf("format after the first tail: got %+v, %v; want version %d", f, err, FormatVersion)
	}
}

// TestTailPrefixNames checks that objects whose names extend each other
// never see each other's tails.
func TestTailPrefixNames(t *testing.T) {
	l := openLocal(t, t.TempDir())
	names := []string{"a", "a\x01", "a/b", "ab", "a\xff"}
	recs := map[string][]byte{}
	for i, n := range names {
		var vs []meta.Version
		for j := range 3 + i {
			vs = append(vs, tver(fmt.Sprintf("%s-%d", n, j), j))
		}
		recs[n] = trec(vs...)
		applyRecord(t, l, ObjectKey("b", n), recs[n])
	}
	// A bucket whose name extends another's.
	applyRecord(t, l, ObjectKey("bb", "a"), trec(tvers("x", "y")...))
	for _, n := range names {
		checkStored(t, l, ObjectKey("b", n), recs[n])
	}
	applyRecord(t, l, ObjectKey("b", "a"), nil)
	checkStored(t, l, ObjectKey("b", "a"), nil)
	res, err := l.Walk(context.Background(), WalkOptions{NS: NSObject, Scope: ObjectScope("b"), Limit: 100})
	if err != nil || len(res.Entries) != len(names)-1 {
		t.Fatalf("Walk: got %d entries, %v; want %d", len(res.Entries), err, len(names)-1)
	}
	for _, e := range res.Entries {
		if !bytes.Equal(e.Value, recs[e.Name]) {
			t.Errorf("Walk %q: got %x, want %x", e.Name, e.Value, recs[e.Name])
		}
	}
	checkStored(t, l, ObjectKey("bb", "a"), trec(tvers("x", "y")...))
}

// TestTailRandom applies random sequences of version operations and
// compares every read with a model of the record.
func TestTailRandom(t *testing.T) {
	l := openLocal(t, t.TempDir())
	rng := rand.New(rand.NewPCG(1, 2))
	deadline := time.Now().Add(3 * time.Second)
	gen := 0
	for round := 0; round < 40 && time.Now().Before(deadline); round++ {
		key := ObjectKey("b", fmt.Sprintf("k%d", round%7))
		cur, err := l.Get(context.Background(), NSObject, key)
		var model []meta.Version
		if err == nil {
			rec, err := meta.DecodeRecord(cur)
			if err != nil {
				t.Fatal(err)
			}
			model = rec.Versions
		}
		for op := 0; op < 25; op++ {
			gen++
			model = randomOp(rng, model, gen)
			var want []byte
			if model != nil {
				want = trec(model...)
			}
			applyRecord(t, l, key, want)
			checkStored(t, l, key, want)
		}
	}
}

// randomOp changes a model record as some write would.
func randomOp(rng *rand.Rand, vs []meta.Version, gen int) []meta.Version {
	n := len(vs)
	switch op := rng.IntN(10); {
	case n == 0 || op < 4: // push a new version (or a null one)
		id := fmt.Sprintf("v%d", gen)
		if rng.IntN(4) == 0 {
			id = ""
			vs = slicesDeleteNull(vs)
		}
		return append([]meta.Version{tver(id, gen)}, vs...)
	case op < 6: // delete one version
		i := rng.IntN(n)
		out := append(append([]meta.Version{}, vs[:i]...), vs[i+1:]...)
		if len(out) == 0 {
			return nil
		}
		return out
	case op < 8: // change one version in place
		i := rng.IntN(n)
		out := append([]meta.Version{}, vs...)
		out[i].Tags = map[string]string{"gen": fmt.Sprint(gen)}
		return out
	case op < 9: // heal rewrites in another order
		out := append([]meta.Version{}, vs...)
		rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
		return out
	default: // delete the object
		return nil
	}
}

func slicesDeleteNull(vs []meta.Version) []meta.Version {
	out := vs[:0:0]
	for _, v := range vs {
		if v.ID != "" {
			out = append(out, v)
		}
	}
	return out
}

func TestPlanTail(t *testing.T) {
	a, b, c, d := []byte("a"), []byte("b"), []byte("c"), []byte("d")
	tests := []struct {
		name    string
		old     []tailEntry
		want    [][]byte
		sets    int
		dels    int
		wantPos []uint64
	}{
		{"empty to two", nil, [][]byte{a, b}, 2, 0, []uint64{tailFirst, tailFirst + tailStep}},
		{"push front", []tailEntry{{tailFirst, b}}, [][]byte{a, b}, 1, 0, []uint64{tailFirst - tailStep, tailFirst}},
		{"append", []tailEntry{{tailFirst, a}}, [][]byte{a, b}, 1, 0, []uint64{tailFirst, tailFirst + tailStep}},
		{"insert between", []tailEntry{{10, a}, {20, c}}, [][]byte{a, b, c}, 1, 0, []uint64{10, 15, 20}},
		{"no room: renumber", []tailEntry{{10, a}, {11, c}}, [][]byte{a, b, c}, 3, 2, []uint64{tailFirst, tailFirst + tailStep, tailFirst + 2*tailStep}},
		{"swap keeps one", []tailEntry{{10, a}, {20, b}}, [][]byte{b, a}, 1, 1, []uint64{5, 10}},
		{"drop all", []tailEntry{{10, a}, {20, b}}, nil, 0, 2, nil},
		{"longest run kept", []tailEntry{{10, a}, {20, b}, {30, c}, {40, d}}, [][]byte{d, a, b, c}, 1, 1, []uint64{10 - 0, 10, 20, 30}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planTail(tt.old, tt.want)
			if len(p.set) != tt.sets || len(p.del) != tt.dels {
				t.Fatalf("got %d sets, %d deletes (%+v); want %d, %d", len(p.set), len(p.del), p, tt.sets, tt.dels)
			}
			if tt.name == "longest run kept" {
				if p.set[0].pos >= 10 || p.del[0] != 40 {
					t.Fatalf("got %+v, want d placed before 10 and 40 deleted", p)
				}
				return
			}
			stored := map[uint64][]byte{}
			for _, e := range tt.old {
				stored[e.pos] = e.val
			}
			for _, pos := range p.del {
				delete(stored, pos)
			}
			for _, e := range p.set {
				stored[e.pos] = e.val
			}
			if len(stored) != len(tt.wantPos) {
				t.Fatalf("stored %v, want positions %v", stored, tt.wantPos)
			}
			for i, pos := range tt.wantPos {
				if !bytes.Equal(stored[pos], tt.want[i]) {
					t.Errorf("position %d: got %q, want %q", pos, stored[pos], tt.want[i])
				}
			}
		})
	}
}

// TestTailSameRecordTwice: a commit that changes one record twice reads
// its own first change (the later mutation wins, as for any key).
func TestTailSameRecordTwice(t *testing.T) {
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "twice")
	v := tvers("v0", "v1", "v2", "v3")
	applyRecord(t, l, key, trec(v[2:]...))
	muts := []Mutation{
		{NS: NSObject, Key: key, Value: trec(v[1:]...)},
		{NS: NSObject, Key: key, Value: trec(v...)},
	}
	if err := l.Apply(context.Background(), Batch{Mutations: muts}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, l, key, trec(v...))
	if n := len(tailKeys(t, l, key)); n != 3 {
		t.Errorf("tail keys: got %d, want 3", n)
	}
	// Deleted twice (two versions removed by one DeleteObjects), and a
	// delete of a record that is not there: nothing to do, no error.
	muts = []Mutation{{NS: NSObject, Key: key, Delete: true}, {NS: NSObject, Key: key, Delete: true}, {NS: NSObject, Key: ObjectKey("b", "none"), Delete: true}}
	if err := l.Apply(context.Background(), Batch{Mutations: muts}); err != nil {
		t.Fatal(err)
	}
	checkStored(t, l, key, nil)
}

// TestTailReadsDuringWrites: reads racing pushes of new versions always
// see a head and a tail of one moment: the record decodes and holds the
// versions pushed so far, newest first, none missing or twice.
func TestTailReadsDuringWrites(t *testing.T) {
	l := openLocal(t, t.TempDir())
	ctx := context.Background()
	key := ObjectKey("b", "busy")
	applyRecord(t, l, key, trec(tver("v000", 0)))
	done := make(chan struct{})
	go func() {
		defer close(done)
		var vs []meta.Version
		for i := range 150 {
			vs = append([]meta.Version{tver(fmt.Sprintf("v%03d", i), i)}, vs...)
			m := Mutation{NS: NSObject, Key: key, Value: trec(vs...)}
			if err := l.Apply(ctx, Batch{Mutations: []Mutation{m}}); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	check := func(what string, b []byte) {
		rec, err := meta.DecodeRecord(b)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		n := len(rec.Versions)
		for i, v := range rec.Versions {
			if want := fmt.Sprintf("v%03d", n-1-i); v.ID != want {
				t.Fatalf("%s: version %d of %d is %s, want %s", what, i, n, v.ID, want)
			}
		}
	}
	for reads := 0; ; reads++ {
		select {
		case <-done:
			return
		default:
		}
		b, err := l.Get(ctx, NSObject, key)
		if err != nil {
			t.Fatal(err)
		}
		check("Get", b)
		res, err := l.Walk(ctx, WalkOptions{NS: NSObject, Scope: ObjectScope("b"), Limit: 10})
		if err != nil || len(res.Entries) != 1 {
			t.Fatalf("Walk: got %+v, %v", res, err)
		}
		check("Walk", res.Entries[0].Value)
	}
}

// TestTailMarker: only a head whose record has older versions is stored
// behind the marker, which names where its tail starts; a record of one version (every unversioned object)
// is stored exactly as given, so reading or overwriting it never looks
// for a tail.
func TestTailMarker(t *testing.T) {
	l := openLocal(t, t.TempDir())
	key := ObjectKey("b", "m")
	v := tvers("v0", "v1", "v2")
	raw := func() []byte {
		val, closer, err := l.db.Get(dbKey(NSObject, key))
		if err != nil {
			t.Fatal(err)
		}
		defer closer.Close()
		return append([]byte(nil), val...)
	}
	for _, step := range []struct {
		versions []meta.Version
		marked   bool
	}{{v[:1], false}, {v, true}, {v[:2], true}, {v[:1], false}} {
		rec := trec(step.versions...)
		applyRecord(t, l, key, rec)
		got := raw()
		if _, marked := storedHead(got); marked != step.marked {
			t.Fatalf("%d versions: stored head marked %v, want %v", len(step.versions), marked, step.marked)
		}
		if first, ok := storedFirst(got); step.marked && (!ok || first != tailKeys(t, l, key)[0]) {
			t.Fatalf("%d versions: the head names the tail's start %d (%v), want %d", len(step.versions), first, ok, tailKeys(t, l, key)[0])
		}
		if !step.marked && !bytes.Equal(got, rec) {
			t.Fatalf("%d versions: stored %x, want the record as given", len(step.versions), got)
		}
		checkStored(t, l, key, rec)
	}
}
